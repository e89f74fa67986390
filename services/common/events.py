"""Event contracts: the envelope, one payload model per event type, topics and key rules.

Declared once, here, for every service. A message on Kafka is the JSON of an
:class:`Envelope`; its ``payload`` is validated against the model registered for its
``(type, version)``. An unknown type or version, a payload that fails validation or a key
that breaks the key rule raises :class:`EventDecodeError` with a reason a person can read
(it ends up in the DLQ headers); so does a record on the wrong topic or under another
Kafka key (:func:`check_placement`).

Key rule: ``tenant:<entity id>``, where the entity is the employee for employee-centric
events and the unit for unit-centric ones, so one employee's (or unit's) events stay in
order on one partition.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)

TenantSlug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
EntityId = Annotated[str, StringConstraints(min_length=1, max_length=64)]

# ---------------------------------------------------------------- size bounds
# Kafka refuses a record over 1 MiB (``message.max.bytes``) on every retry: an event that
# large would stay in its outbox for ever and hold back every later event of the service.
# So every free text and list of a payload is bounded, here, once; the API input models of
# the services use the same constants. The bounds are sized so that the largest valid event
# stays under MAX_EVENT_BYTES even when every character costs six bytes of JSON (a control
# character is written ``\u00XX``; a 3-byte UTF-8 script costs three, an emoji four), and
# ``add_event`` refuses anything larger as the last guard (tests/unit/test_event_size.py).
MAX_EVENT_BYTES = 900_000
NAME_MAX = 200  # a regency, unit or employee name, a position
LABEL_MAX = 100  # short labels: a service type, a category, a period label
UNIT_MAX = 40  # an indicator's unit of measure (one of a fixed list)
TEXT_MAX = 4000  # a reason, a note, a feedback text
REPORT_TEXT_MAX = 5000  # each of the three texts of a self-assessment report
EXPECTATION_MAX = 1000  # a special expectation for one BerAKHLAK value
RECOMMENDATION_MAX = 2000  # an assessment's development recommendation
ALERT_MESSAGE_MAX = 1000
RHK_MAX = 30  # RHK of one SKP
INDICATORS_PER_RHK_MAX = 10
RHK_TITLE_MAX = 500
INDICATOR_NAME_MAX = 300


def _bounded(max_length: int) -> Any:
    return StringConstraints(max_length=max_length)


Name = Annotated[str, _bounded(NAME_MAX)]
Label = Annotated[str, _bounded(LABEL_MAX)]
Text = Annotated[str, _bounded(TEXT_MAX)]
UnitLabel = Annotated[str, _bounded(UNIT_MAX)]
RhkTitle = Annotated[str, _bounded(RHK_TITLE_MAX)]
IndicatorName = Annotated[str, _bounded(INDICATOR_NAME_MAX)]
ReportText = Annotated[str, _bounded(REPORT_TEXT_MAX)]
Expectation = Annotated[str, _bounded(EXPECTATION_MAX)]
Recommendation = Annotated[str, _bounded(RECOMMENDATION_MAX)]
AlertMessage = Annotated[str, _bounded(ALERT_MESSAGE_MAX)]
Url = Annotated[str, _bounded(1000)]

# One topic per producing service; consumers pick the types they need from it.
IDENTITY_TOPIC = "identity.events"
TARGETS_TOPIC = "targets.events"
ASSESSMENT_TOPIC = "assessment.events"
FEEDBACK_TOPIC = "feedback.events"
SCORING_TOPIC = "scoring.events"
ALL_TOPICS = (IDENTITY_TOPIC, TARGETS_TOPIC, ASSESSMENT_TOPIC, FEEDBACK_TOPIC, SCORING_TOPIC)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


class EventDecodeError(ValueError):
    """A message that is not a valid event of a known type and version."""


class EventTooLarge(Exception):
    """An event whose JSON would exceed :data:`MAX_EVENT_BYTES`: refused before it is
    staged, so the transaction that made it writes nothing (the API answers 413)."""

    def __init__(self, event_type: str, size: int) -> None:
        self.event_type = event_type
        self.size = size
        super().__init__(
            f"the {event_type} event this change makes would be {size} bytes, over the "
            f"limit of {MAX_EVENT_BYTES} bytes: shorten its texts or lists"
        )


# ---------------------------------------------------------------- shared vocabularies


class Rating(StrEnum):
    """The 3-level scale of PermenPANRB 6/2022 for results and for behaviour."""

    DI_ATAS = "di_atas"  # above expectation
    SESUAI = "sesuai"  # as expected
    DI_BAWAH = "di_bawah"  # below expectation


class BerAkhlak(StrEnum):
    """The seven core values of the ASN (BerAKHLAK)."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


class Aspect(StrEnum):
    KUANTITAS = "kuantitas"
    KUALITAS = "kualitas"
    WAKTU = "waktu"
    BIAYA = "biaya"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Aggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    LATEST = "latest"


class Relation(StrEnum):
    SUPERVISOR = "supervisor"
    PEER = "peer"
    SELF = "self"


class UnitKind(StrEnum):
    DINAS = "dinas"
    BADAN = "badan"
    KANTOR = "kantor"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    DESA = "desa"
    COUNTER = "counter"


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    NOT_OUR_AUTHORITY = "not_our_authority"
    ARCHIVED = "archived"


TimeZone = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]


class TenantSettings(BaseModel):
    """Per-regency rules. Defaults follow domain.md; each regency may change them."""

    # Strict: `false` is not 0 days and "7" is not 7, as lax pydantic would have it.
    model_config = ConfigDict(extra="forbid", strict=True)

    achievement_cap: float = Field(default=120.0, gt=100, le=200)
    rating_above_threshold: float = Field(default=110.0, gt=0)
    rating_meets_threshold: float = Field(default=90.0, gt=0)
    evaluation_cadence: Literal["monthly", "quarterly"] = "monthly"
    min_survey_sample: int = Field(default=384, ge=1, le=1_000_000)
    legacy_score_enabled: bool = False
    count_tambahan_in_overall: bool = False
    activity_edit_window_days: int = Field(default=7, ge=0, le=90)
    # Overall Perilaku is di atas when at least this many of the seven values are di atas.
    behaviour_above_min_count: int = Field(default=4, ge=1, le=7)
    # Small numbers: an aggregate over people shown outside their supervisor chain and
    # admin needs at least this many contributors (domain.md, "Small numbers").
    min_aggregate_size: int = Field(default=5, ge=2, le=100)
    # Survey tokens one issuer may issue per tenant-local day (domain.md, "Survey tokens").
    survey_tokens_per_issuer_per_day: int = Field(default=200, ge=1, le=10_000)

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> TenantSettings:
        if self.rating_meets_threshold >= self.rating_above_threshold:
            raise ValueError("rating_meets_threshold must be below rating_above_threshold")
        return self


# ---------------------------------------------------------------- payloads


class EventPayload(BaseModel):
    """Base of every payload. Subclasses declare their type, version, topic and key field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str]
    # The payload field whose value, prefixed by the tenant, is the Kafka key.
    KEY_FIELD: ClassVar[str | None] = None

    def key_for(self, tenant: str) -> str:
        if self.KEY_FIELD is None:
            return tenant
        return f"{tenant}:{getattr(self, self.KEY_FIELD)}"


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


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    indicator_id: EntityId
    name: IndicatorName
    aspect: Aspect
    target: float = Field(gt=0)
    unit: UnitLabel
    direction: Direction = Direction.HIGHER_IS_BETTER
    aggregation: Aggregation = Aggregation.SUM
    weight: float | None = Field(default=None, gt=0)


class Rhk(BaseModel):
    """Rencana Hasil Kerja: one work result of an SKP."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rhk_id: EntityId
    title: RhkTitle
    kind: Literal["utama", "tambahan"]
    parent_rhk_id: EntityId | None = None  # the supervisor's RHK it supports (intervensi)
    indicators: tuple[Indicator, ...] = Field(min_length=1, max_length=INDICATORS_PER_RHK_MAX)


class TargetSet(EventPayload):
    """An approved SKP with its full content."""

    TYPE = "target.set"
    TOPIC = TARGETS_TOPIC
    KEY_FIELD = "employee_id"
    skp_id: EntityId
    employee_id: EntityId
    year: int = Field(ge=2000, le=2100)
    version: int = Field(ge=1)
    approved_by: EntityId
    rhk: tuple[Rhk, ...] = Field(min_length=1, max_length=RHK_MAX)


class TargetRevised(TargetSet):
    TYPE = "target.revised"
    previous_version: int = Field(ge=1)


class ActivityLogged(EventPayload):
    """An entry of the daily activity log, or an edit or deletion of one."""

    TYPE = "activity.logged"
    TOPIC = TARGETS_TOPIC
    KEY_FIELD = "employee_id"
    activity_id: EntityId
    employee_id: EntityId
    skp_id: EntityId
    indicator_id: EntityId
    activity_date: date
    value: float = Field(ge=0)
    note: Text = ""
    evidence_url: Url | None = None
    action: Literal["created", "edited", "deleted"] = "created"


class SelfReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    achievements: ReportText = ""
    obstacles: ReportText = ""
    solutions: ReportText = ""


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["monthly", "quarterly", "annual"]
    label: Label  # e.g. 2026-03, 2026-Q1, 2026
    start: date
    end: date


class AssessmentSubmitted(EventPayload):
    TYPE = "assessment.submitted"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "assessee_id"
    assessment_id: EntityId
    period: Period
    relation: Relation
    assessor_id: EntityId
    assessee_id: EntityId
    rhk_ratings: dict[EntityId, Rating] = Field(default_factory=dict, max_length=RHK_MAX)
    result_rating: Rating | None = None
    behaviour_ratings: dict[BerAkhlak, Rating] = Field(default_factory=dict)
    special_expectations: dict[BerAkhlak, Expectation] = Field(default_factory=dict)
    development_recommendation: Recommendation = ""
    report: SelfReport | None = None
    supersedes: EntityId | None = None


class FeedbackNoted(EventPayload):
    TYPE = "feedback.noted"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "employee_id"
    note_id: EntityId
    supervisor_id: EntityId
    employee_id: EntityId
    text: Text
    noted_on: date


class ObjectionFiled(EventPayload):
    TYPE = "objection.filed"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "employee_id"
    objection_id: EntityId
    assessment_id: EntityId
    employee_id: EntityId
    decider_id: EntityId
    reason: Text


class ObjectionDecided(EventPayload):
    TYPE = "objection.decided"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "employee_id"
    objection_id: EntityId
    assessment_id: EntityId
    employee_id: EntityId
    decided_by: EntityId
    accepted: bool
    result_rating: Rating | None = None
    behaviour_ratings: dict[BerAkhlak, Rating] = Field(default_factory=dict)
    reason: Text = ""


SkmScores = Annotated[list[Annotated[int, Field(ge=1, le=4)]], Field(min_length=9, max_length=9)]


class SurveyReceived(EventPayload):
    TYPE = "survey.received"
    TOPIC = FEEDBACK_TOPIC
    KEY_FIELD = "unit_id"
    survey_id: EntityId
    unit_id: EntityId
    officer_id: EntityId | None = None
    service_type: Label = ""
    scores: SkmScores


class ComplaintFiled(EventPayload):
    TYPE = "complaint.filed"
    TOPIC = FEEDBACK_TOPIC
    KEY_FIELD = "unit_id"
    complaint_id: EntityId
    unit_id: EntityId
    officer_id: EntityId | None = None
    category: Label


class ComplaintStatusChanged(EventPayload):
    TYPE = "complaint.status_changed"
    TOPIC = FEEDBACK_TOPIC
    KEY_FIELD = "unit_id"
    complaint_id: EntityId
    unit_id: EntityId
    officer_id: EntityId | None = None
    from_status: ComplaintStatus
    to_status: ComplaintStatus
    reason: Text


class ScoreUpdated(EventPayload):
    TYPE = "score.updated"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "employee_id"
    employee_id: EntityId
    period_label: Label
    achievement: float | None = None
    projected_rating: Rating | None = None
    projected_predikat: Label | None = None


class AlertRaised(EventPayload):
    TYPE = "alert.raised"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "recipient_id"
    alert_id: EntityId
    recipient_id: EntityId
    kind: Literal[
        "behind_target", "silent", "complaint", "satisfaction", "assessment_due", "predikat_drop"
    ]
    subject_id: EntityId
    message: AlertMessage
    cause_event_id: uuid.UUID | None = None


class AlertCleared(EventPayload):
    TYPE = "alert.cleared"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "recipient_id"
    alert_id: EntityId
    recipient_id: EntityId
    kind: Label
    subject_id: EntityId


PAYLOAD_TYPES: tuple[type[EventPayload], ...] = (
    TenantRegistered,
    UnitCreated,
    UnitUpdated,
    EmployeeRegistered,
    EmployeeUpdated,
    EmployeeDeactivated,
    KepalaDaerahSet,
    TargetSet,
    TargetRevised,
    ActivityLogged,
    AssessmentSubmitted,
    FeedbackNoted,
    ObjectionFiled,
    ObjectionDecided,
    SurveyReceived,
    ComplaintFiled,
    ComplaintStatusChanged,
    ScoreUpdated,
    AlertRaised,
    AlertCleared,
)
REGISTRY: dict[tuple[str, int], type[EventPayload]] = {
    (model.TYPE, model.VERSION): model for model in PAYLOAD_TYPES
}


# ---------------------------------------------------------------- envelope


class Envelope(BaseModel):
    """What travels on Kafka. ``payload`` is typed by ``(type, version)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID
    type: str
    version: int = Field(ge=1)
    tenant: TenantSlug
    occurred_at: AwareDatetime
    key: str
    payload: SerializeAsAny[EventPayload]

    @model_validator(mode="before")
    @classmethod
    def _typed_payload(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        model = REGISTRY.get((data.get("type"), data.get("version")))  # type: ignore[arg-type]
        if model is None:
            raise ValueError(f"unknown event type {data.get('type')!r} v{data.get('version')}")
        payload = data.get("payload")
        if not isinstance(payload, model):
            data = {**data, "payload": model.model_validate(payload)}
        return data

    @model_validator(mode="after")
    def _payload_matches(self) -> Envelope:
        if (self.type, self.version) != (self.payload.TYPE, self.payload.VERSION):
            raise ValueError("payload model does not match the envelope type")
        return self

    @property
    def topic(self) -> str:
        return self.payload.TOPIC

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    def to_checked_bytes(self) -> bytes:
        """:meth:`to_bytes`, refused with :class:`EventTooLarge` over MAX_EVENT_BYTES."""
        body = self.to_bytes()
        if len(body) > MAX_EVENT_BYTES:
            raise EventTooLarge(self.type, len(body))
        return body


def new_event(
    payload: EventPayload, *, tenant: str, occurred_at: datetime | None = None
) -> Envelope:
    """Wrap a payload in a fresh envelope with its key derived from the key rule."""
    return Envelope(
        event_id=uuid.uuid4(),
        type=payload.TYPE,
        version=payload.VERSION,
        tenant=tenant,
        occurred_at=occurred_at or datetime.now(UTC),
        key=payload.key_for(tenant),
        payload=payload,
    )


def new_internal_event(payload: EventPayload, *, tenant: str, occurred_at: datetime) -> Envelope:
    """:func:`new_event` without validating the envelope again, for a service's own
    derived events in bulk (scoring raises thousands of alerts per batch): ``payload`` is
    already a validated model and ``tenant`` comes from a validated event."""
    return Envelope.model_construct(
        event_id=uuid.uuid4(),
        type=payload.TYPE,
        version=payload.VERSION,
        tenant=tenant,
        occurred_at=occurred_at,
        key=payload.key_for(tenant),
        payload=payload,
    )


class _RawEnvelope(BaseModel):
    """The envelope with its payload still untyped: the first step of decoding."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    type: str
    version: int = Field(ge=1)
    tenant: TenantSlug
    occurred_at: AwareDatetime
    key: str
    payload: dict[str, Any]


def _reasons(exc: ValidationError, prefix: str = "") -> str:
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in err['loc']) or 'message'}: {err['msg']}"
        for err in exc.errors(include_url=False)[:5]
    )


def _typed_envelope(model: type[EventPayload]) -> type[BaseModel]:
    """The envelope of one ``(type, version)``: ``type`` and ``version`` are literals, so a
    union of them is discriminated by ``type`` and validated in ONE pass from bytes."""
    fields: dict[str, Any] = {
        "event_id": (uuid.UUID, ...),
        "type": (Literal[model.TYPE], ...),
        "version": (Literal[model.VERSION], ...),
        "tenant": (TenantSlug, ...),
        "occurred_at": (AwareDatetime, ...),
        "key": (str, ...),
        "payload": (model, ...),
    }
    return create_model(
        f"_Envelope_{model.__name__}", __config__=ConfigDict(extra="forbid"), **fields
    )


def _fast_adapter() -> TypeAdapter[Any]:
    by_type: dict[str, list[type[BaseModel]]] = {}
    for model in PAYLOAD_TYPES:
        by_type.setdefault(model.TYPE, []).append(_typed_envelope(model))
    variants: list[Any] = [
        classes[0]
        if len(classes) == 1
        else Annotated[Union[tuple(classes)], Field(discriminator="version")]  # noqa: UP007
        for classes in by_type.values()
    ]
    union: Any = Annotated[Union[tuple(variants)], Field(discriminator="type")]  # noqa: UP007
    return TypeAdapter(union)


_FAST = _fast_adapter()
_new = object.__new__
_set = object.__setattr__


def decode_event(raw: bytes | str | None) -> Envelope:
    """Parse and validate a message; raise :class:`EventDecodeError` with the reason.

    Fast path: one pydantic pass from the bytes over a union discriminated by ``type``.
    A message it rejects is decoded again step by step, which names the reason."""
    if not raw:
        raise EventDecodeError("empty message")
    try:
        typed = _FAST.validate_json(raw)
    except ValidationError:
        return _decode_in_two_steps(raw)
    # Both parts are validated and the typed envelope has exactly Envelope's fields, in the
    # same order: adopt its field dict instead of copying it (``model_construct`` costs more
    # than the validation of a small event).
    envelope = _new(Envelope)
    _set(envelope, "__dict__", typed.__dict__)
    _set(envelope, "__pydantic_fields_set__", typed.__pydantic_fields_set__)
    _set(envelope, "__pydantic_extra__", None)
    _set(envelope, "__pydantic_private__", None)
    _check_key_rule(envelope)
    return envelope


def _check_key_rule(event: Envelope) -> None:
    """The envelope's key must follow the key rule, or the event would be ordered (and
    partitioned) with another entity's events: refused like any other broken contract."""
    expected = event.payload.key_for(event.tenant)
    if event.key != expected:
        raise EventDecodeError(
            f"key {event.key!r} breaks the key rule of {event.type}: expected {expected!r}"
        )


def check_placement(event: Envelope, *, topic: str, key: bytes | None) -> None:
    """Refuse an event that is not where its contract puts it: on its type's ``topic``
    (without the deployment's topic prefix) and under its own key as the Kafka key.

    A record keyed otherwise sits on another entity's partition, so its order against that
    entity's other events is lost; a type on a foreign topic comes from a producer that
    does not own it."""
    if topic != event.topic:
        raise EventDecodeError(f"{event.type} belongs on {event.topic}, not on {topic}")
    if key != event.key.encode():
        shown = key.decode(errors="replace") if key is not None else None
        raise EventDecodeError(f"Kafka key {shown!r} is not the event's key {event.key!r}")


def _decode_in_two_steps(raw: bytes | str) -> Envelope:
    try:
        envelope = _RawEnvelope.model_validate_json(raw)
    except ValidationError as exc:
        raise EventDecodeError(_reasons(exc)) from None
    model = REGISTRY.get((envelope.type, envelope.version))
    if model is None:
        raise EventDecodeError(f"unknown event type {envelope.type!r} v{envelope.version}")
    try:
        payload = model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise EventDecodeError(f"{envelope.type}: {_reasons(exc, 'payload.')}") from None
    # Both parts are validated: construct without validating a second time (hot path).
    event = Envelope.model_construct(**{**envelope.__dict__, "payload": payload})
    _check_key_rule(event)
    return event
