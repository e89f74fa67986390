"""Tables of the feedback service and the schemas of its API.

The citizen is never stored: no name, address, contact or IP in any table.
Timestamps are UTC-aware (SQLModel stores them as UTC on both databases).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import pydantic
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from services.common.clock import new_id, utcnow
from services.common.events import LABEL_MAX, ComplaintStatus, EntityId
from services.common.orgchart import HOLIDAY_TABLE_NAMES, ORG_TABLE_NAMES
from services.feedback.domain import MAX_COMMENT, MAX_COMPLAINT_TEXT, MAX_REASON, ComplaintCategory

# ---------------------------------------------------------------- tables


class SurveyToken(SQLModel, table=True):
    """A one-time survey invitation issued at a service counter (shown as a QR code)."""

    __tablename__ = "survey_token"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tenant: str = Field(max_length=40, index=True)
    # The secret in the public URL; the QR endpoint needs it again, so it is kept as is.
    token: str = Field(max_length=64, unique=True)
    unit_id: str = Field(max_length=64)
    officer_id: str | None = Field(default=None, max_length=64)
    service_type: str = Field(default="", max_length=100)
    issued_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class Survey(SQLModel, table=True):
    """One submitted SKM questionnaire: the nine answers (1..4), anonymous."""

    __tablename__ = "survey"
    __table_args__ = (Index("ix_survey_unit_time", "tenant", "unit_id", "submitted_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tenant: str = Field(max_length=40)
    unit_id: str = Field(max_length=64)
    token_id: str = Field(max_length=36, unique=True)
    officer_id: str | None = Field(default=None, max_length=64)
    service_type: str = Field(default="", max_length=100)
    persyaratan: int
    prosedur: int
    waktu_pelayanan: int
    biaya_tarif: int
    produk_layanan: int
    kompetensi_pelaksana: int
    perilaku_pelaksana: int
    sarana_prasarana: int
    penanganan_pengaduan: int
    comment: str = Field(default="", max_length=MAX_COMMENT)
    submitted_at: datetime = Field(default_factory=utcnow)


class Complaint(SQLModel, table=True):
    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_unit_status", "tenant", "unit_id", "status"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    tenant: str = Field(max_length=40)
    tracking_code: str = Field(max_length=20, unique=True)
    unit_id: str = Field(max_length=64)
    officer_id: str | None = Field(default=None, max_length=64)
    category: str = Field(max_length=40)
    text: str = Field(max_length=MAX_COMPLAINT_TEXT)
    status: str = Field(default=ComplaintStatus.RECEIVED, max_length=20)
    lapor_reference: str | None = Field(default=None, max_length=100)
    received_at: datetime = Field(default_factory=utcnow)
    verified_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class ComplaintStep(SQLModel, table=True):
    """One status change of a complaint, with its reason and the staff member who made it."""

    __tablename__ = "complaint_step"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: str = Field(max_length=36, index=True)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    reason: str = Field(max_length=MAX_REASON)
    actor_employee_id: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow)


TABLE_NAMES: set[str] = {
    "survey_token",
    "survey",
    "complaint",
    "complaint_step",
    "outbox",
    "processed_event",
    *ORG_TABLE_NAMES,
    *HOLIDAY_TABLE_NAMES,
}

# ---------------------------------------------------------------- API schemas

# Bounded by the constants of services/common/events.py, which size every event.
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=LABEL_MAX)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REASON)
]
Answer = Annotated[int, pydantic.Field(ge=1, le=4, description="1 tidak baik .. 4 sangat baik")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SurveyTokenCreate(_In):
    unit_id: EntityId | None = pydantic.Field(
        default=None, description="the public-serving unit; default: the issuer's own unit"
    )
    officer_id: EntityId | None = pydantic.Field(
        default=None, description="the employee who served"
    )
    service_type: Text = pydantic.Field(default="", description="e.g. KTP, izin usaha")


class SurveyTokenRead(BaseModel):
    id: str
    unit_id: str
    officer_id: str | None
    service_type: str
    token: str
    survey_url: str
    issued_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


class SkmAnswers(_In):
    """The nine SKM elements, each answered 1..4; every element is required."""

    persyaratan: Answer
    prosedur: Answer
    waktu_pelayanan: Answer
    biaya_tarif: Answer
    produk_layanan: Answer
    kompetensi_pelaksana: Answer
    perilaku_pelaksana: Answer
    sarana_prasarana: Answer
    penanganan_pengaduan: Answer


class SurveySubmit(_In):
    answers: SkmAnswers
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT)] = ""


class SurveyQuestion(BaseModel):
    element: str
    question: str


class PublicSurveyForm(BaseModel):
    unit_name: str
    service_type: str
    expires_at: datetime
    questions: list[SurveyQuestion]
    scale: dict[int, str]
    max_comment_length: int


class SurveyReceipt(BaseModel):
    survey_id: str
    submitted_at: datetime


class ComplaintCreate(_In):
    unit_id: EntityId
    officer_id: EntityId | None = None
    category: ComplaintCategory
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COMPLAINT_TEXT)
    ]
    contact: str | None = pydantic.Field(
        default=None,
        max_length=200,
        description="accepted for compatibility but never stored: the citizen stays anonymous",
    )


class ComplaintReceipt(BaseModel):
    tracking_code: str
    status: ComplaintStatus
    filed_at: datetime


class PublicStep(BaseModel):
    status: ComplaintStatus
    at: datetime
    reason: str


class PublicComplaintStatus(BaseModel):
    """What a citizen sees with a tracking code: no staff names or ids."""

    tracking_code: str
    unit_name: str
    category: str
    status: ComplaintStatus
    filed_at: datetime
    lapor_reference: str | None
    history: list[PublicStep]


class ComplaintStepRead(BaseModel):
    from_status: ComplaintStatus | None
    to_status: ComplaintStatus
    reason: str
    actor_employee_id: str | None
    at: datetime


class ComplaintRead(BaseModel):
    id: str
    tracking_code: str
    unit_id: str
    officer_id: str | None
    category: str
    text: str
    status: ComplaintStatus
    lapor_reference: str | None
    received_at: datetime
    verified_at: datetime | None
    updated_at: datetime
    pending_step: str | None = pydantic.Field(description="verification or follow_up_plan, if any")
    due_on: date | None = pydantic.Field(description="tenant-local due date of the pending step")
    overdue: bool
    history: list[ComplaintStepRead] | None = None


class IssuerTokens(BaseModel):
    """Survey tokens one issuer issued in a window, and how many of those were used."""

    issued_by: str
    issued: int
    used: int


class ComplaintsNamingMe(BaseModel):
    """What an officer learns of the complaints that name them: how many, in which state."""

    total: int
    by_status: dict[ComplaintStatus, int]


class ComplaintTransition(_In):
    to_status: ComplaintStatus
    reason: Reason
    lapor_reference: Text | None = pydantic.Field(default=None, description="SP4N-LAPOR! reference")


class ElementScore(BaseModel):
    element: str
    question: str
    nrr: float = pydantic.Field(
        description="mean answer of the element (display rounding, 4 places)"
    )


class UnitSurveySummary(BaseModel):
    unit_id: str
    unit_name: str
    date_from: date | None
    date_to: date | None
    responses: int
    elements: list[ElementScore]
    ikm: float | None = pydantic.Field(description="25 x sum(NRR / 9), rounded only at the end")
    category: str | None = pydantic.Field(description="A Sangat Baik .. D Tidak Baik")
    label: str | None
    provisional: bool = pydantic.Field(
        description="fewer responses than the tenant's minimum sample"
    )
    min_sample: int
    suppressed: bool = pydantic.Field(
        default=False,
        description="not enough data: fewer responses than the tenant's minimum for a "
        "figure shown outside admin (responses then reads 0)",
    )


class UnitSurveyComments(BaseModel):
    """The citizens' suggestions (saran) to a unit in one window, alphabetical."""

    unit_id: str
    unit_name: str
    date_from: date | None
    date_to: date | None
    responses: int = pydantic.Field(description="surveys in the window (0 when suppressed)")
    comments: list[str]
    suppressed: bool = pydantic.Field(
        description="not enough data: fewer responses than the tenant's minimum outside admin"
    )
