"""The rows the projector keeps in memory and writes back, typed.

They stay plain dicts at run time (TypedDicts): the store writes them with one
``executemany`` per table and the cache keeps them as they were committed, without a
conversion per row. The keys are the table columns (``models.py``, ``common/orgchart.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

from services.common.events import Envelope
from services.scoring import domain as d


class HolidayRow(TypedDict):
    """org_holiday: the regency's holidays of one year, ISO dates."""

    tenant: str
    year: int
    days: list[str]


class TenantRow(TypedDict):
    slug: str
    name: str
    time_zone: str
    settings: dict[str, Any]


class OrgUnitRow(TypedDict):
    tenant: str
    unit_id: str
    name: str
    kind: str
    parent_id: str | None
    serves_public: bool
    head_employee_id: str | None


class OrgEmployeeRow(TypedDict):
    tenant: str
    employee_id: str
    nip: str
    name: str
    position: str
    unit_id: str
    supervisor_id: str | None
    active: bool


class SkpRow(TypedDict):
    tenant: str
    employee_id: str
    year: int
    skp_id: str
    version: int
    approved_by: str
    received_on: date
    rhk: list[dict[str, Any]]  # the event's RHK, as JSON


class ActivityRow(TypedDict):
    tenant: str
    activity_id: str
    employee_id: str
    year: int
    indicator_id: str
    activity_date: date
    value: float
    sort_key: str  # "<date>|<occurred at>|<activity id>"


class IndicatorStateRow(TypedDict, total=False):
    """d.IndicatorState's fields, as stored in ``score_employee.indicators``."""

    total: float
    count: int
    latest: float | None
    latest_key: str | None


# The figures of one indicator as stored: d.IndicatorFigures' fields after the id, in this
# order (the stored JSON is a list; the read side unpacks it the same way).
FIGURE_FIELDS = (
    "realisation",
    "achievement",
    "expected_to_date",
    "projected_realisation",
    "projected_achievement",
)
StoredFigures = list[float | None]
_PROJECTED_ACHIEVEMENT = FIGURE_FIELDS.index("projected_achievement")


def stored_figures(f: d.IndicatorFigures) -> StoredFigures:
    return [
        f.realisation,
        f.achievement,
        f.expected_to_date,
        f.projected_realisation,
        f.projected_achievement,
    ]


def projected_achievement_of(stored: StoredFigures) -> float | None:
    return stored[_PROJECTED_ACHIEVEMENT]


class RhkFiguresRow(TypedDict):
    rhk_id: str
    achievement: float | None
    projected_achievement: float | None
    indicators: dict[str, StoredFigures]


class FiguresRow(TypedDict, total=False):
    share: float  # of the row's period passed at ``as_of``
    as_of: str
    target_share: float  # of the year's ``sum`` targets due in the row's period (1: the year)
    rhk: list[RhkFiguresRow]


class EmployeeRow(TypedDict):
    """score_employee: an employee's period (the annual one carries the projection)."""

    tenant: str
    employee_id: str
    period: str
    period_kind: str
    year: int
    unit_id: str | None
    indicators: dict[str, IndicatorStateRow]
    figures: FiguresRow
    achievement: float | None
    projected_achievement: float | None
    projected_rating: str | None
    projected_predikat: str | None
    predikat_drop_from: str | None
    final_result_rating: str | None
    final_behaviour_rating: str | None
    final_predikat: str | None
    final_source: str | None
    behaviour_ratings: dict[str, str]
    latest_behaviour: str | None
    development_recommendation: str
    supervisor_assessed: bool
    last_activity_date: date | None
    skp_received_on: date | None


def employee_row(
    tenant: str, employee_id: str, period: str, kind: str, year: int, unit_id: str | None
) -> EmployeeRow:
    return {
        "tenant": tenant,
        "employee_id": employee_id,
        "period": period,
        "period_kind": kind,
        "year": year,
        "unit_id": unit_id,
        "indicators": {},
        "figures": {},
        "achievement": None,
        "projected_achievement": None,
        "projected_rating": None,
        "projected_predikat": None,
        "predikat_drop_from": None,
        "final_result_rating": None,
        "final_behaviour_rating": None,
        "final_predikat": None,
        "final_source": None,
        "behaviour_ratings": {},
        "latest_behaviour": None,
        "development_recommendation": "",
        "supervisor_assessed": False,
        "last_activity_date": None,
        "skp_received_on": None,
    }


class UnitRow(TypedDict):
    """score_unit: a unit's citizen surveys of one year."""

    tenant: str
    unit_id: str
    year: int
    survey_count: int
    survey_sums: list[int]  # U1..U9
    ikm: float | None
    ikm_category: str | None


class ComplaintRow(TypedDict):
    tenant: str
    complaint_id: str
    unit_id: str
    officer_id: str | None
    status: str
    year: int


class AssessmentRow(TypedDict):
    tenant: str
    assessment_id: str
    employee_id: str
    assessor_id: str
    relation: str
    period: str
    period_kind: str


class AlertRow(TypedDict):
    """score_alert: an active alert."""

    tenant: str
    recipient_id: str
    kind: str
    subject_id: str
    alert_id: str
    message: str
    cause_event_id: str | None
    raised_at: datetime


@dataclass
class Parked:
    """An event waiting for a fact (``parked_event``)."""

    seq: int | None  # None until written
    event: Envelope
    release_key: str
    order_key: str
    parked_at: datetime
