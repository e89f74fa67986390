"""Payloads the identity service publishes on ``identity.events``."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.common.events.bounds import IDENTITY_TOPIC, EntityId, Name, Text
from services.common.events.payload import EventPayload
from services.common.events.vocabulary import TenantSettings, TimeZone, UnitKind
from services.common.ranks import Golongan


class TenantRegistered(EventPayload):
    TYPE = "tenant.registered"
    TOPIC = IDENTITY_TOPIC
    name: Name
    time_zone: TimeZone
    settings: TenantSettings


class UnitCreated(EventPayload):
    TYPE = "unit.created"
    TOPIC = IDENTITY_TOPIC
    KEY_FIELD = "unit_id"
    unit_id: EntityId
    name: Name
    kind: UnitKind
    parent_id: EntityId | None = None
    serves_public: bool = False
    head_employee_id: EntityId | None = None


class UnitUpdated(UnitCreated):
    TYPE = "unit.updated"


class EmployeeRegistered(EventPayload):
    TYPE = "employee.registered"
    TOPIC = IDENTITY_TOPIC
    KEY_FIELD = "employee_id"
    employee_id: EntityId
    nip: Annotated[str, StringConstraints(pattern=r"^\d{18}$")]
    name: Name
    position: Name
    unit_id: EntityId
    supervisor_id: EntityId | None = None
    active: bool = True
    # Added with the official documents: events written before it have none, and every
    # consumer reads those as "not entered" (so it must stay optional). Payloads forbid
    # unknown fields, so a deployment upgrades its consumers before identity starts
    # writing it (one release of every service does both at once).
    golongan: Golongan | None = None


class EmployeeUpdated(EmployeeRegistered):
    TYPE = "employee.updated"


class EmployeeDeactivated(EventPayload):
    TYPE = "employee.deactivated"
    TOPIC = IDENTITY_TOPIC
    KEY_FIELD = "employee_id"
    employee_id: EntityId
    reason: Text = ""


class KepalaDaerahSet(EventPayload):
    """The regency's kepala daerah account (Bupati/Wali Kota, pejabat pembina
    kepegawaian): not an employee, no NIP. It approves and assesses the employees who have
    no direct supervisor (domain.md, "Top of the chain"). Emitted on creation, on every
    change and on deactivation (``active`` false); at most one is active per regency.
    Keyed by the regency alone, like ``tenant.registered``, so the two stay in order."""

    TYPE = "kepala_daerah.set"
    TOPIC = IDENTITY_TOPIC
    user_id: EntityId  # the account id: the KD's id wherever an actor or recipient is named
    title: Name  # the office as the documents print it, e.g. "Bupati Bantul"
    name: Name  # the person holding it
    active: bool = True


ContactPreference = Literal["immediate", "digest", "none"]
EMAIL_MAX = 254  # RFC 5321's limit of a forward path


class ContactSet(EventPayload):
    """An account's e-mail address and what it wants mailed: ``immediate`` (each complaint
    alert as it is raised), ``digest`` (one mail a day listing the open alerts) or
    ``none``. ``recipient_id`` is the id alerts name the person by (the employee id, or
    the account id of a kepala daerah), so the gateway matches alerts without asking
    identity. Emitted on every change; ``email`` None once the address is removed."""

    TYPE = "contact.set"
    TOPIC = IDENTITY_TOPIC
    KEY_FIELD = "recipient_id"
    user_id: EntityId
    recipient_id: EntityId
    email: Annotated[str, StringConstraints(max_length=EMAIL_MAX)] | None = None
    preference: ContactPreference = "none"
    locale: Literal["id", "en"] = "id"


class HolidayKind(StrEnum):
    """A national public holiday (libur nasional) or a collective leave day (cuti bersama,
    set each year by joint decree): both are days off for every ASN of the regency."""

    LIBUR_NASIONAL = "libur_nasional"
    CUTI_BERSAMA = "cuti_bersama"


class Holiday(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    day: date
    name: Name
    kind: HolidayKind = HolidayKind.LIBUR_NASIONAL


# Indonesia has about 16 national holidays and 5-10 cuti bersama days a year; a regency
# may add a few local ones. The bound keeps one year's calendar well inside one event.
HOLIDAYS_PER_YEAR_MAX = 60


class HolidaysSet(EventPayload):
    """The regency's holiday calendar of one year, whole (it replaces the year's previous
    one): every working-day computation of the platform leaves these days out (pace,
    complaint deadlines, the silent and assessment-due alerts). Keyed by the regency alone,
    like ``tenant.registered``."""

    TYPE = "holidays.set"
    TOPIC = IDENTITY_TOPIC
    year: int = Field(ge=2000, le=2100)
    holidays: list[Holiday] = Field(default_factory=list, max_length=HOLIDAYS_PER_YEAR_MAX)
