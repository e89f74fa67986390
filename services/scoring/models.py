"""Scoring's tables (projections, alerts, parked events) and the read schemas of its API.

The projections are written set-based by the batch consumer (see ``projector/``), so
the tables are used through Core statements as much as through the ORM; JSON columns hold
the per-indicator state and figures of an employee, which are always read and written
together with their row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from services.common.orgchart import (
    HOLIDAY_TABLE_NAMES,
    KEPALA_DAERAH_TABLE_NAMES,
    ORG_TABLE_NAMES,
)
from services.scoring.explain import Part


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class ScoreSkp(SQLModel, table=True):
    """The approved SKP of an employee for a year (the newest version wins)."""

    __tablename__ = "score_skp"

    tenant: str = Field(primary_key=True, max_length=40)
    employee_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    skp_id: str = Field(max_length=64, index=True)
    version: int
    approved_by: str = Field(max_length=64)
    received_on: date
    rhk: list[dict[str, Any]] = _json(list)


class ScoreActivity(SQLModel, table=True):
    """One activity-log entry as it stands now (edits replace it, deletes remove it)."""

    __tablename__ = "score_activity"

    tenant: str = Field(primary_key=True, max_length=40)
    activity_id: str = Field(primary_key=True, max_length=64)
    employee_id: str = Field(max_length=64, index=True)
    year: int
    indicator_id: str = Field(max_length=64)
    activity_date: date
    value: float
    sort_key: str = Field(max_length=200)  # "<date>|<occurred at>|<activity id>"


class ScoreEmployee(SQLModel, table=True):
    """Employee x period. The annual row (period = the SKP year) carries achievement and
    the projected figures; every period row carries the final ratings of that period."""

    __tablename__ = "score_employee"
    # The regency's and a unit's views read one period of a tenant: without it each read
    # scanned the whole table (every employee's every period; 39-96 ms at 6,000 employees
    # under load, 2 ms with it; bench/http_scale).
    __table_args__ = (Index("ix_score_employee_tenant_period", "tenant", "period"),)

    tenant: str = Field(primary_key=True, max_length=40)
    employee_id: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=16)
    period_kind: str = Field(max_length=16)
    year: int = Field(index=True)
    unit_id: str | None = Field(default=None, max_length=64, index=True)
    indicators: dict[str, Any] = _json(dict)  # indicator id -> IndicatorState fields
    figures: dict[str, Any] = _json(dict)  # share, as_of, rhk -> indicators figures
    achievement: float | None = None
    projected_achievement: float | None = None
    projected_rating: str | None = Field(default=None, max_length=16)
    projected_predikat: str | None = Field(default=None, max_length=24)
    predikat_drop_from: str | None = Field(default=None, max_length=24)
    final_result_rating: str | None = Field(default=None, max_length=16)
    final_behaviour_rating: str | None = Field(default=None, max_length=16)
    final_predikat: str | None = Field(default=None, max_length=24)
    final_source: str | None = Field(default=None, max_length=80)
    behaviour_ratings: dict[str, str] = _json(dict)
    latest_behaviour: str | None = Field(default=None, max_length=16)
    development_recommendation: str = ""
    supervisor_assessed: bool = False
    last_activity_date: date | None = None
    skp_received_on: date | None = None


class ScoreUnit(SQLModel, table=True):
    """Unit x year: the citizen surveys (IKM) of a unit."""

    __tablename__ = "score_unit"

    tenant: str = Field(primary_key=True, max_length=40)
    unit_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    survey_count: int = 0
    survey_sums: list[int] = _json(list)
    ikm: float | None = None
    ikm_category: str | None = Field(default=None, max_length=1)


SKM_ELEMENTS = tuple(f"u{i}" for i in range(1, 10))  # the nine SKM elements U1..U9


class ScoreOfficerSurvey(SQLModel, table=True):
    """Officer x year: the citizen surveys that name an officer (sums of U1..U9).

    Surveys are keyed by unit, so they are applied by whichever instance owns the unit's
    partition, and several units may name one officer: these rows are only ever changed
    by an atomic ``+=`` upsert, never through the employee rows that the owner of the
    employee's partition keeps in memory."""

    __tablename__ = "score_officer_survey"

    tenant: str = Field(primary_key=True, max_length=40)
    officer_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    survey_count: int = 0
    u1: int = 0
    u2: int = 0
    u3: int = 0
    u4: int = 0
    u5: int = 0
    u6: int = 0
    u7: int = 0
    u8: int = 0
    u9: int = 0

    def sums(self) -> list[int]:
        return [getattr(self, name) for name in SKM_ELEMENTS]


class ScoreComplaint(SQLModel, table=True):
    __tablename__ = "score_complaint"

    tenant: str = Field(primary_key=True, max_length=40)
    complaint_id: str = Field(primary_key=True, max_length=64)
    unit_id: str = Field(max_length=64, index=True)
    officer_id: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(max_length=24)
    year: int


class ScoreAssessment(SQLModel, table=True):
    """Which employee and period an assessment is about (objections name only its id)."""

    __tablename__ = "score_assessment"

    tenant: str = Field(primary_key=True, max_length=40)
    assessment_id: str = Field(primary_key=True, max_length=64)
    employee_id: str = Field(max_length=64)
    assessor_id: str = Field(max_length=64)
    relation: str = Field(max_length=16)
    period: str = Field(max_length=16)
    period_kind: str = Field(max_length=16)


class ScoreAlert(SQLModel, table=True):
    """The alerts raised and not yet cleared: at most one per (recipient, kind, subject)."""

    __tablename__ = "score_alert"

    tenant: str = Field(primary_key=True, max_length=40)
    recipient_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=24)
    subject_id: str = Field(primary_key=True, max_length=64, index=True)
    alert_id: str = Field(max_length=36)
    message: str
    cause_event_id: str | None = Field(default=None, max_length=36)
    raised_at: datetime


class ScoreAlertLog(SQLModel, table=True):
    """Every raise and clear, in order: ``seq`` is the cursor of GET /scores/alerts."""

    __tablename__ = "score_alert_log"

    seq: int | None = Field(default=None, primary_key=True)
    tenant: str = Field(max_length=40, index=True)
    recipient_id: str = Field(max_length=64, index=True)
    alert_id: str = Field(max_length=36)
    kind: str = Field(max_length=24)
    subject_id: str = Field(max_length=64)
    action: str = Field(max_length=8)  # raised | cleared
    message: str = ""
    at: datetime


class ParkedEvent(SQLModel, table=True):
    """An event that arrived before a fact it needs (its SKP, its employee, its assessment).

    ``release_key`` names the missing fact; ``order_key`` the entity whose later events
    must wait behind this one (an edit behind its parked creation).
    """

    __tablename__ = "parked_event"

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36, unique=True)
    tenant: str = Field(max_length=40)
    type: str = Field(max_length=100)
    release_key: str = Field(max_length=200, index=True)
    order_key: str = Field(max_length=200, index=True)
    body: str
    parked_at: datetime


class ScoreLock(SQLModel, table=True):
    """Counters and leases, one row each: 1 takes SQLite's write lock at the start of a
    batch, 2 is the cache epoch, 3 the scheduler's turn (see store.py)."""

    __tablename__ = "score_lock"

    id: int = Field(primary_key=True)
    n: int = 0


SCORE_TABLES = (
    ScoreSkp,
    ScoreActivity,
    ScoreEmployee,
    ScoreUnit,
    ScoreOfficerSurvey,
    ScoreComplaint,
    ScoreAssessment,
    ScoreAlert,
    ScoreAlertLog,
    ParkedEvent,
    ScoreLock,
)
TABLE_NAMES: set[str] = {
    *(t.__tablename__ for t in SCORE_TABLES),
    "outbox",
    "processed_event",
    *ORG_TABLE_NAMES,
    *KEPALA_DAERAH_TABLE_NAMES,
    *HOLIDAY_TABLE_NAMES,
}


# What a rebuild from the same events must reproduce (a replay; N instances instead of one):
# these tables, without the columns that record when or in which batch something happened
# rather than what it is, and without predikat_drop alerts (a drop compares with the figure
# before the batch, so batch boundaries decide it).
REBUILT_TABLES = (
    *(t.__tablename__ for t in SCORE_TABLES if t not in (ScoreAlertLog, ScoreLock)),
    "org_tenant",
    "org_unit",
    "org_employee",
    "processed_event",
)
BATCH_DEPENDENT_COLUMNS = {
    "score_alert": ("alert_id", "cause_event_id", "raised_at"),
    "score_employee": ("predikat_drop_from",),
    "parked_event": ("seq", "parked_at"),
    "processed_event": ("processed_at",),
}


# ---------------------------------------------------------------- read schemas


class IndicatorScore(BaseModel):
    indicator_id: str
    name: str
    aspect: str
    unit: str
    target: float
    direction: str
    aggregation: str
    weight: float | None
    realisation: float | None
    achievement: float | None
    expected_to_date: float | None
    projected_achievement: float | None
    explanation: str
    explained: list[Part] = PydanticField(
        default_factory=list, description="the explanation as templates and parameters"
    )


class RhkScore(BaseModel):
    rhk_id: str
    title: str
    kind: str
    achievement: float | None
    projected_achievement: float | None
    indicators: list[IndicatorScore]


class Explanations(BaseModel):
    achievement: str = ""
    projected_achievement: str = ""
    projected_rating: str = ""
    projected_predikat: str = ""
    final_predikat: str = ""
    behaviour: str = ""
    ikm: str = ""


class ExplainedParts(BaseModel):
    """The explanations of ``Explanations`` as sentences of an English template (a catalog
    msgid) and parameters, for a page to render in the reader's language."""

    achievement: list[Part] = []
    projected_achievement: list[Part] = []
    projected_rating: list[Part] = []
    projected_predikat: list[Part] = []
    final_predikat: list[Part] = []
    behaviour: list[Part] = []
    ikm: list[Part] = []


class EmployeeScore(BaseModel):
    employee_id: str
    name: str
    unit_id: str | None
    period: str
    period_kind: str
    as_of: date | None = PydanticField(description="the day the pace figures refer to")
    elapsed_share: float | None
    achievement: float | None
    projected_achievement: float | None
    projected_rating: str | None
    projected_predikat: str | None
    final_result_rating: str | None
    final_behaviour_rating: str | None
    final_predikat: str | None
    final_source: str | None
    behaviour_ratings: dict[str, str]
    ikm: float | None
    ikm_category: str | None
    survey_count: int
    complaints_open: int
    complaints_closed: int
    last_activity_date: date | None
    rhk: list[RhkScore]
    explanations: Explanations
    explained: ExplainedParts = PydanticField(default_factory=ExplainedParts)


class EmployeeSummary(BaseModel):
    employee_id: str
    name: str
    unit_id: str | None
    supervisor_id: str | None
    achievement: float | None
    projected_achievement: float | None
    projected_rating: str | None
    projected_predikat: str | None
    final_predikat: str | None
    last_activity_date: date | None


class PeriodSummary(BaseModel):
    """One period of the regency's cadence: its projection so far and its final predikat
    (from the supervisor's periodic assessment, or an accepted objection)."""

    period: str
    period_kind: str
    start: date
    end: date
    current: bool
    elapsed_share: float | None
    achievement: float | None
    projected_achievement: float | None
    projected_rating: str | None
    projected_predikat: str | None
    supervisor_assessed: bool
    final_result_rating: str | None
    final_behaviour_rating: str | None
    final_predikat: str | None


class EmployeePeriods(BaseModel):
    employee_id: str
    year: int
    cadence: str
    periods: list[PeriodSummary]


class IkmScore(BaseModel):
    ikm: float | None
    category: str | None
    label: str | None
    responses: int
    provisional: bool
    explanation: str
    explained: list[Part] = PydanticField(default_factory=list)


class UnitScore(BaseModel):
    unit_id: str
    name: str
    year: int
    ikm: IkmScore
    complaints: dict[str, int]
    predikat_distribution: dict[str, int] = PydanticField(
        description="final predikat of the annual assessments"
    )
    projected_predikat_distribution: dict[str, int]
    mean_achievement: float | None
    employees: int
    suppressed: list[str] = PydanticField(
        default_factory=list,
        description="figures left out as 'not enough data' for a viewer outside the "
        "supervisor chain (fewer contributors than the tenant's minimum)",
    )


class QuotaScore(BaseModel):
    rule: str
    share: float
    breached: bool


class RankedUnit(BaseModel):
    unit_id: str
    name: str
    value: float | None
    responses: int | None = None


class TrainingNeed(BaseModel):
    value: str
    rated_di_bawah: int


class RegencyScore(BaseModel):
    year: int
    organisation_predikat: str
    employees: int
    predikat_distribution: dict[str, int]
    distribution_checks: list[QuotaScore]
    units_by_ikm: list[RankedUnit]
    units_by_achievement: list[RankedUnit]
    training_needs: list[TrainingNeed]
    development_recommendations: list[str]
    top_performers: list[EmployeeSummary]
    under_performers: list[EmployeeSummary] = PydanticField(
        default_factory=list, description="final predikat below Baik, the weakest first"
    )


class AlertRead(BaseModel):
    seq: int = PydanticField(description="cursor: pass the last one seen as ?since=")
    alert_id: str
    recipient_id: str
    kind: str
    subject_id: str
    action: str = PydanticField(description="raised or cleared")
    message: str
    at: datetime


class AlertPage(BaseModel):
    items: list[AlertRead]
    next_since: int


# ---------------------------------------------------------------- legacy PP 46/2011


class LegacyTaskRead(BaseModel):
    rhk_id: str
    title: str
    kind: str
    aspects: dict[str, float | None] = PydanticField(
        description="kuantitas, kualitas, waktu, biaya (those the RHK measures; null: not "
        "counted yet)"
    )
    score: float | None


class LegacyEmployeeScore(BaseModel):
    employee_id: str
    name: str
    nip: str
    unit_id: str | None
    unit_name: str | None
    period: str = PydanticField(description="2026 (the year) or a TPP period: 2026-03, 2026-Q1")
    skp_score: float | None
    behaviour_score: float | None
    total: float | None
    band: str | None = PydanticField(description="Sangat Baik, Baik, Cukup, Kurang or Buruk")
    tasks: list[LegacyTaskRead] = PydanticField(default_factory=list)
    explained: list[Part] = PydanticField(
        default_factory=list, description="how the score was computed, as templates"
    )
