"""Payloads the identity service publishes on ``identity.events``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from services.common.events.bounds import IDENTITY_TOPIC, EntityId, Name, Text
from services.common.events.payload import EventPayload
from services.common.events.vocabulary import TenantSettings, TimeZone, UnitKind


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
