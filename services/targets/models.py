"""Tables of the targets service and the request/response schemas of its API.

An SKP is one row per (tenant, employee, year) holding the lifecycle state; its content
(the RHK with their indicators) lives in one :class:`SkpVersion` row per version, so every
version stays readable. :class:`SkpTransition` records who did what to which version.
An activity row holds the current state of a log entry; :class:`ActivityHistory` keeps
every state it had (created, edited, deleted).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic import Field as PField
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.clock import utcnow
from services.common.events import (
    INDICATOR_NAME_MAX,
    INDICATORS_PER_RHK_MAX,
    RHK_MAX,
    RHK_TITLE_MAX,
    UNIT_MAX,
    Aggregation,
    Aspect,
    Direction,
    Rhk,
)
from services.common.orgchart import KEPALA_DAERAH_TABLE_NAMES, ORG_TABLE_NAMES
from services.common.pagination import MAX_INT32
from services.targets.domain import SkpStatus, TeamStatus, normalise_unit

# ---------------------------------------------------------------- tables


class Skp(SQLModel, table=True):
    __tablename__ = "skp"
    __table_args__ = (UniqueConstraint("tenant", "employee_id", "year", name="uq_skp_year"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=40)
    employee_id: str = Field(max_length=64)
    year: int
    version: int = 1  # the working version (the newest)
    status: str = Field(default=SkpStatus.DRAFT, max_length=16)
    approved_version: int | None = None  # the newest approved version, if any
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SkpVersion(SQLModel, table=True):
    __tablename__ = "skp_version"

    skp_id: str = Field(primary_key=True, max_length=36)
    version: int = Field(primary_key=True)
    tenant: str = Field(max_length=40)
    status: str = Field(default=SkpStatus.DRAFT, max_length=16)
    rhk: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    approved_by: str | None = Field(default=None, max_length=64)
    approved_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SkpTransition(SQLModel, table=True):
    __tablename__ = "skp_transition"

    id: int | None = Field(default=None, primary_key=True)
    skp_id: str = Field(max_length=36, index=True)
    tenant: str = Field(max_length=40)
    version: int
    action: str = Field(max_length=16)
    actor_id: str | None = Field(default=None, max_length=64)
    comment: str = ""
    at: datetime = Field(default_factory=utcnow)


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_owner_date", "tenant", "employee_id", "activity_date"),)

    id: str = Field(primary_key=True, max_length=36)
    tenant: str = Field(max_length=40)
    employee_id: str = Field(max_length=64)
    skp_id: str = Field(max_length=36, index=True)
    indicator_id: str = Field(max_length=64)
    activity_date: date
    value: float
    note: str = ""
    evidence_url: str | None = Field(default=None, max_length=1000)
    revision: int = 1
    deleted: bool = False
    logged_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ActivityHistory(SQLModel, table=True):
    __tablename__ = "activity_history"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(max_length=36, index=True)
    tenant: str = Field(max_length=40)
    revision: int
    action: str = Field(max_length=16)
    indicator_id: str = Field(max_length=64)
    activity_date: date
    value: float
    note: str = ""
    evidence_url: str | None = Field(default=None, max_length=1000)
    changed_by: str = Field(max_length=64)
    changed_at: datetime = Field(default_factory=utcnow)


TABLE_NAMES: set[str] = {
    "skp",
    "skp_version",
    "skp_transition",
    "activity",
    "activity_history",
    "outbox",
    "processed_event",
    *ORG_TABLE_NAMES,
    *KEPALA_DAERAH_TABLE_NAMES,
}


# ---------------------------------------------------------------- schemas

Unit = Annotated[
    str,
    PField(max_length=UNIT_MAX, description="one of the allowed units (dokumen, orang, %, ...)"),
    AfterValidator(normalise_unit),
]
# Bounded so that the largest SKP's target.set / target.revised event fits in one Kafka
# record (services/common/events.py, MAX_EVENT_BYTES).
Title = Annotated[str, PField(min_length=1, max_length=RHK_TITLE_MAX)]
IndicatorName = Annotated[str, PField(min_length=1, max_length=INDICATOR_NAME_MAX)]
Id = Annotated[str, PField(min_length=1, max_length=64)]
EvidenceUrl = Annotated[str, PField(max_length=1000, pattern=r"^https?://\S+$")]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndicatorIn(Schema):
    indicator_id: Id | None = PField(default=None, description="keep to update; new if absent")
    name: IndicatorName
    aspect: Aspect
    target: float = PField(gt=0, allow_inf_nan=False)
    unit: Unit
    direction: Direction = Direction.HIGHER_IS_BETTER
    aggregation: Aggregation = Aggregation.SUM
    weight: float | None = PField(default=None, gt=0, allow_inf_nan=False)


class RhkIn(Schema):
    rhk_id: Id | None = PField(default=None, description="keep to update; new if absent")
    title: Title
    kind: Literal["utama", "tambahan"]
    parent_rhk_id: Id | None = PField(
        default=None, description="an RHK of the direct supervisor's approved SKP (intervensi)"
    )
    indicators: list[IndicatorIn] = PField(min_length=1, max_length=INDICATORS_PER_RHK_MAX)


Content = Annotated[list[RhkIn], PField(max_length=RHK_MAX)]


class SkpCreate(Schema):
    year: int = PField(ge=2000, le=2100)
    rhk: Content = []


class SkpUpdate(Schema):
    rhk: Content


class SkpReturn(Schema):
    comment: str = PField(min_length=1, max_length=2000)


class SkpCopy(Schema):
    year: int | None = PField(
        default=None, ge=2001, le=2100, description="the new SKP's year; default: this year"
    )


class SkpRead(BaseModel):
    id: str
    employee_id: str
    year: int
    status: SkpStatus
    version: int = PField(description="the working (newest) version")
    approved_version: int | None
    rhk: list[Rhk] = PField(description="content of the working version")
    created_at: datetime
    updated_at: datetime


class SkpVersionRead(BaseModel):
    version: int
    status: SkpStatus
    rhk: list[Rhk]
    approved_by: str | None
    approved_at: datetime | None
    created_at: datetime


class SkpTransitionRead(BaseModel):
    version: int
    action: str
    actor_id: str | None
    comment: str
    at: datetime


class ParentOption(BaseModel):
    rhk_id: str
    title: str
    kind: str
    supervisor_id: str
    skp_id: str


class TeamMember(BaseModel):
    employee_id: str
    name: str
    position: str
    unit_id: str
    status: TeamStatus
    skp_id: str | None
    version: int | None
    approved_version: int | None


class ActivityCreate(Schema):
    skp_id: Id
    indicator_id: Id
    activity_date: date
    value: float = PField(ge=0, allow_inf_nan=False, description="amount or observed value")
    note: str = PField(default="", max_length=2000)
    evidence_url: EvidenceUrl | None = None


# The most entries one batch logs: a day's or a week's work of one person, in one
# transaction (a bigger import is several batches).
MAX_ACTIVITY_BATCH = 100


class ActivityBatch(Schema):
    activities: list[ActivityCreate] = PField(
        min_length=1,
        max_length=MAX_ACTIVITY_BATCH,
        description=f"1 to {MAX_ACTIVITY_BATCH} entries, each checked as a single one",
    )


class ActivityUpdate(Schema):
    revision: int | None = PField(
        default=None,
        ge=1,
        le=MAX_INT32,
        description="the revision you read; 409 if the entry changed since (recommended: "
        "without it only an edit racing in the same instant is refused)",
    )
    activity_date: date | None = None
    value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    note: str | None = PField(default=None, max_length=2000)
    evidence_url: EvidenceUrl | None = None


class ActivityRead(BaseModel):
    id: str
    employee_id: str
    skp_id: str
    indicator_id: str
    activity_date: date
    value: float
    note: str
    evidence_url: str | None
    revision: int
    deleted: bool
    logged_at: datetime
    updated_at: datetime


class ActivityBatchRead(BaseModel):
    items: list[ActivityRead]  # in the order given


class ActivityHistoryRead(BaseModel):
    revision: int
    action: str
    indicator_id: str
    activity_date: date
    value: float
    note: str
    evidence_url: str | None
    changed_by: str
    changed_at: datetime
