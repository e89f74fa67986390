"""The shapes of the demo plan: frozen data, no I/O.

What one regency gets is a :class:`RegencyPlan` (made by :func:`deploy.demo.plan.demo_plan`
from a :class:`Place`). The vocabularies (aspects, unit kinds, complaint statuses, time
zones) are the kernel's own, from ``services.common.events``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from deploy.demo.accounts import ADMIN_USERNAME
from services.common.events import (
    Aggregation,
    Aspect,
    ComplaintStatus,
    Direction,
    Rating,
    TimeZone,
    UnitKind,
)


@dataclass(frozen=True)
class IndicatorPlan:
    name: str
    aspect: Aspect
    target: float
    unit: str
    direction: Direction = Direction.HIGHER_IS_BETTER
    aggregation: Aggregation = Aggregation.SUM


@dataclass(frozen=True)
class RhkPlan:
    title: str
    indicators: tuple[IndicatorPlan, ...]
    kind: str = "utama"
    supports: int | None = None  # index of the supervisor's RHK this one cascades from


@dataclass(frozen=True)
class EntryPlan:
    """One activity log entry on indicator ``indicator`` of RHK ``rhk``."""

    rhk: int
    indicator: int
    day: date
    value: float
    note: str


@dataclass(frozen=True)
class PersonPlan:
    key: str
    nip: str
    name: str
    position: str
    unit: str  # unit code
    supervisor: str | None  # supervisor's key
    rhk: tuple[RhkPlan, ...]
    entries: tuple[EntryPlan, ...]
    pace: str  # "on track", "ahead", "behind" or "silent"
    # Last year's final annual assessment: (Hasil Kerja, how many values di atas, how many
    # di bawah); None for who was not there (no SKP in Kinerja) last year.
    last_year: tuple[Rating, int, int] | None = None
    last_entries: tuple[EntryPlan, ...] = ()  # last year's log (one recap per indicator)


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    kind: UnitKind
    parent: str | None = None
    serves_public: bool = False
    head: str | None = None  # key of the person heading it


@dataclass(frozen=True)
class SurveyPlan:
    unit: str
    officer: str  # key of the officer who served and issues the token
    service_type: str
    answers: tuple[int, ...]  # the nine SKM elements, services/common/skm.py order
    comment: str = ""


@dataclass(frozen=True)
class ComplaintPlan:
    unit: str
    category: str
    text: str
    steps: tuple[tuple[ComplaintStatus, str], ...]  # (to_status, reason), moved by the unit's head
    officer: str | None = None
    lapor_reference: str | None = None


@dataclass(frozen=True)
class RegencyPlan:
    slug: str
    name: str
    time_zone: TimeZone
    units: tuple[UnitPlan, ...]
    people: tuple[PersonPlan, ...]
    surveys: tuple[SurveyPlan, ...]
    complaints: tuple[ComplaintPlan, ...]
    kepala_daerah: tuple[str, str] = ("", "")  # (office, name) of the regency's head
    objector: str | None = None  # who files (and gets decided) an objection to last year
    admin_username: str = ADMIN_USERNAME

    def person(self, key: str) -> PersonPlan:
        return next(p for p in self.people if p.key == key)

    def reports_of(self, key: str) -> list[PersonPlan]:
        return [p for p in self.people if p.supervisor == key]

    def depth(self, person: PersonPlan) -> int:
        level, current = 0, person
        while current.supervisor is not None:
            level, current = level + 1, self.person(current.supervisor)
        return level

    def unit(self, code: str) -> UnitPlan:
        return next(u for u in self.units if u.code == code)


@dataclass(frozen=True)
class Place:
    """What differs between regencies: names, places, how busy and how content."""

    slug: str
    name: str
    time_zone: TimeZone
    kecamatan: str  # kecamatan (distrik in Papua) name
    camat: str  # its head's title
    kelurahan: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    counter_surveys: tuple[int, int]  # surveys at counter 1 and counter 2
    mood: tuple[float, float]  # share of 4s and of 2s among the answers at counter 1
    head_office: str = "Bupati"  # the kepala daerah's title (Wali Kota in a city)
    # What its source document describes beyond the common core (``deploy.demo.extras``):
    # "puskesmas", "perizinan", "waktu_tunggu".
    extras: tuple[str, ...] = ()
    village_kind: UnitKind = UnitKind.KELURAHAN
