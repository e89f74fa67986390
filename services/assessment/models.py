"""Tables of the assessment service and the schemas of its API.

Table names carry the ``as_`` prefix: every service's models share SQLModel's metadata
when imported in one process (tests), and scoring may keep its own ``assessment`` table.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic import Field as PydField
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.assessment.domain import as_utc, final_ratings
from services.common.clock import new_id, utcnow
from services.common.events import (
    LABEL_MAX,
    RECOMMENDATION_MAX,
    RHK_MAX,
    TEXT_MAX,
    BerAkhlak,
    EntityId,
    Expectation,
    Period,
    Rating,
    Relation,
    SelfReport,
)
from services.common.orgchart import KEPALA_DAERAH_TABLE_NAMES, ORG_TABLE_NAMES
from services.common.storage import UtcDateTime


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def _moment() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


# ---------------------------------------------------------------- tables


class ApprovedSkp(SQLModel, table=True):
    """The latest approved RHK list of an employee for a year (from targets events)."""

    __tablename__ = "as_approved_skp"

    tenant: str = Field(primary_key=True, max_length=40)
    employee_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    skp_id: str = Field(max_length=64)
    version: int
    # [{"rhk_id", "title", "kind"}] in SKP order
    rhk: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Assessment(SQLModel, table=True):
    __tablename__ = "as_assessment"
    __table_args__ = (UniqueConstraint("tenant", "current_key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tenant: str = Field(index=True, max_length=40)
    period_label: str = Field(max_length=10)
    period_kind: str = Field(max_length=10)
    period_start: date
    period_end: date
    relation: str = Field(max_length=10)
    assessor_id: str = Field(index=True, max_length=64)
    assessee_id: str = Field(index=True, max_length=64)
    rhk_ratings: dict[str, str] = _json()
    result_rating: str | None = Field(default=None, max_length=10)
    behaviour_ratings: dict[str, str] = _json()
    special_expectations: dict[str, str] = _json()
    development_recommendation: str = ""
    report: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    supersedes: str | None = Field(default=None, max_length=36)
    superseded: bool = False
    # period|assessor|assessee|relation while current, NULL once superseded: the unique
    # constraint keeps exactly one current assessment per key even under races.
    current_key: str | None = Field(default=None, max_length=250)
    submitted_at: datetime = _moment()

    @property
    def period(self) -> Period:
        return Period(
            kind=self.period_kind,
            label=self.period_label,
            start=self.period_start,
            end=self.period_end,
        )


class PeerRequest(SQLModel, table=True):
    """A supervisor's request that a peer of the same unit assess the supervisor's report."""

    __tablename__ = "as_peer_request"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tenant: str = Field(index=True, max_length=40)
    period_label: str = Field(max_length=10)
    assessee_id: str = Field(index=True, max_length=64)
    peer_id: str = Field(index=True, max_length=64)
    requested_by: str = Field(max_length=64)
    status: str = Field(default="requested", max_length=10)
    assessment_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = _moment()


class FeedbackNote(SQLModel, table=True):
    __tablename__ = "as_feedback_note"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tenant: str = Field(index=True, max_length=40)
    supervisor_id: str = Field(index=True, max_length=64)
    employee_id: str = Field(index=True, max_length=64)
    text: str
    noted_on: date
    created_at: datetime = _moment()


class Objection(SQLModel, table=True):
    __tablename__ = "as_objection"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tenant: str = Field(index=True, max_length=40)
    assessment_id: str = Field(unique=True, max_length=36)
    employee_id: str = Field(index=True, max_length=64)
    assessor_id: str = Field(index=True, max_length=64)
    decider_id: str = Field(index=True, max_length=64)
    reason: str
    status: str = Field(default="pending", max_length=10)
    filed_at: datetime = _moment()
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    decision_reason: str = ""
    result_rating: str | None = Field(default=None, max_length=10)
    behaviour_ratings: dict[str, str] = _json()


TABLE_NAMES: set[str] = (
    {
        "as_approved_skp",
        "as_assessment",
        "as_peer_request",
        "as_feedback_note",
        "as_objection",
        "outbox",
        "processed_event",
    }
    | ORG_TABLE_NAMES
    | KEPALA_DAERAH_TABLE_NAMES
)


# ---------------------------------------------------------------- API schemas

PeriodLabel = Annotated[str, PydField(max_length=LABEL_MAX)]
# Free texts and lists are bounded (the constants of services/common/events.py) so that the
# largest assessment's event fits in one Kafka record; SelfReport's texts are bounded there.
Text = Annotated[str, PydField(min_length=1, max_length=TEXT_MAX)]
# SQLite gives stored UTC moments back without a zone: answer them as UTC.
Utc = Annotated[datetime, AfterValidator(as_utc)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssessmentCreate(_In):
    period: PeriodLabel = PydField(description="e.g. 2026-03 (monthly), 2026-Q1, 2026 (annual)")
    relation: Relation
    assessee_id: str = PydField(min_length=1, max_length=64)
    rhk_ratings: dict[EntityId, Rating] = PydField(default_factory=dict, max_length=RHK_MAX)
    result_rating: Rating | None = None
    behaviour_ratings: dict[BerAkhlak, Rating] = PydField(default_factory=dict)
    special_expectations: dict[BerAkhlak, Expectation] = PydField(default_factory=dict)
    development_recommendation: str = PydField(default="", max_length=RECOMMENDATION_MAX)
    report: SelfReport | None = None


class AssessmentRead(BaseModel):
    id: str
    period: Period
    relation: Relation
    assessor_id: str
    assessee_id: str
    rhk_ratings: dict[str, Rating]
    result_rating: Rating | None
    behaviour_ratings: dict[BerAkhlak, Rating]
    special_expectations: dict[BerAkhlak, str]
    development_recommendation: str
    report: SelfReport | None
    supersedes: str | None
    superseded: bool
    submitted_at: Utc
    final_result_rating: Rating | None = PydField(
        description="the result rating in force: the one decided on an accepted objection, "
        "else result_rating"
    )
    final_behaviour_ratings: dict[BerAkhlak, Rating] = PydField(
        description="behaviour ratings in force: behaviour_ratings with what an accepted "
        "objection changed laid over them"
    )
    changed_by_objection: str | None = PydField(
        description="the accepted objection that changed the final ratings, if any"
    )

    @classmethod
    def of(cls, row: Assessment, accepted: Objection | None = None) -> AssessmentRead:
        """The read model; ``accepted`` is the accepted objection against it, if any."""
        result, behaviour = final_ratings(
            row.result_rating,
            row.behaviour_ratings,
            accepted.result_rating if accepted else None,
            accepted.behaviour_ratings if accepted else None,
        )
        return cls.model_validate(
            {
                **row.model_dump(exclude={"report"}),
                "period": row.period,
                "report": row.report,
                "final_result_rating": result,
                "final_behaviour_ratings": behaviour,
                "changed_by_objection": accepted.id if accepted else None,
            }
        )


class HiddenPeerSummary(BaseModel):
    """What the assessee sees while fewer peers than the tenant's small-numbers minimum
    submitted: no counts, and ``responses`` 0 (the exact number would move by one)."""

    employee_id: str
    period: Period
    responses: int
    hidden: Literal[True] = True


class PeerSummary(BaseModel):
    """Peer ratings of one employee for one period, aggregated: no author, no single sheet."""

    employee_id: str
    period: Period
    responses: int
    hidden: Literal[False] = False
    behaviour: dict[str, dict[Rating, int]]
    rhk: dict[str, dict[Rating, int]]


class PeerRequestCreate(_In):
    period: PeriodLabel
    assessee_id: str = PydField(min_length=1, max_length=64)
    peer_id: str = PydField(min_length=1, max_length=64)


class PeerRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    period_label: str
    assessee_id: str
    peer_id: str
    requested_by: str
    status: Literal["requested", "submitted"]
    assessment_id: str | None
    created_at: Utc


class FeedbackCreate(_In):
    employee_id: str = PydField(min_length=1, max_length=64)
    text: Text


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    supervisor_id: str
    employee_id: str
    text: str
    noted_on: date
    created_at: Utc


class ObjectionCreate(_In):
    assessment_id: str = PydField(min_length=1, max_length=36)
    reason: Text


class ObjectionDecision(_In):
    accepted: bool
    reason: Text
    result_rating: Rating | None = None
    behaviour_ratings: dict[BerAkhlak, Rating] = PydField(default_factory=dict)


class ObjectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    assessment_id: str
    employee_id: str
    assessor_id: str
    decider_id: str
    reason: str
    status: Literal["pending", "accepted", "rejected"]
    filed_at: Utc
    decided_at: Utc | None
    decision_reason: str
    result_rating: Rating | None
    behaviour_ratings: dict[BerAkhlak, Rating]


class TodoItem(BaseModel):
    employee_id: str
    name: str
    position: str


class Todo(BaseModel):
    """Direct reports of the caller still without a supervisor assessment for the period."""

    period: Period
    pending: list[TodoItem]
    peer_requests: list[PeerRequestRead] = PydField(
        description="peer assessments the caller has been asked for and not yet submitted"
    )
