"""Event contracts: the envelope, one payload model per event type, topics and key rules.

Declared once, here, for every service; ``services.common.events`` is the one import
path (the submodules are its parts: ``bounds`` the sizes, topics and errors,
``vocabulary`` the shared enums and a regency's rules, one module of payloads per
producing service). A message on Kafka is the JSON of an :class:`Envelope`; its
``payload`` is validated against the model registered for its ``(type, version)``. An
unknown type or version, a payload that fails validation or a key that breaks the key
rule raises :class:`EventDecodeError` with a reason a person can read (it ends up in the
DLQ headers); so does a record on the wrong topic or under another Kafka key
(:func:`check_placement`).

Key rule: ``tenant:<entity id>``, where the entity is the employee for employee-centric
events and the unit for unit-centric ones, so one employee's (or unit's) events stay in
order on one partition.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)

from services.common.clock import utcnow
from services.common.events.assessment import (
    AssessmentSubmitted,
    FeedbackNoted,
    ObjectionDecided,
    ObjectionFiled,
    Period,
    SelfReport,
)
from services.common.events.bounds import (
    ALERT_MESSAGE_MAX,
    ALL_TOPICS,
    ASSESSMENT_TOPIC,
    EXPECTATION_MAX,
    FEEDBACK_TOPIC,
    IDENTITY_TOPIC,
    INDICATOR_NAME_MAX,
    INDICATORS_PER_RHK_MAX,
    LABEL_MAX,
    MAX_EVENT_BYTES,
    NAME_MAX,
    RECOMMENDATION_MAX,
    REPORT_TEXT_MAX,
    RHK_MAX,
    RHK_TITLE_MAX,
    SCORING_TOPIC,
    TARGETS_TOPIC,
    TEXT_MAX,
    UNIT_MAX,
    AlertMessage,
    EntityId,
    EventDecodeError,
    EventTooLarge,
    Expectation,
    IndicatorName,
    Label,
    Name,
    Recommendation,
    ReportText,
    RhkTitle,
    TenantSlug,
    Text,
    UnitLabel,
    Url,
    dead_letter_topic,
)
from services.common.events.feedback import (
    ComplaintFiled,
    ComplaintStatusChanged,
    SkmScores,
    SurveyReceived,
)
from services.common.events.identity import (
    EMAIL_MAX,
    HOLIDAYS_PER_YEAR_MAX,
    ContactPreference,
    ContactSet,
    EmployeeDeactivated,
    EmployeeRegistered,
    EmployeeUpdated,
    Holiday,
    HolidayKind,
    HolidaysSet,
    KepalaDaerahSet,
    TenantRegistered,
    UnitCreated,
    UnitUpdated,
)
from services.common.events.payload import EventPayload
from services.common.events.scoring import (
    ALERT_TEMPLATES,
    AlertCleared,
    AlertParam,
    AlertParams,
    AlertRaised,
    ScoreUpdated,
)
from services.common.events.targets import ActivityLogged, Indicator, Rhk, TargetRevised, TargetSet
from services.common.events.vocabulary import (
    Aggregation,
    Aspect,
    BerAkhlak,
    ComplaintStatus,
    Direction,
    Rating,
    Relation,
    TenantSettings,
    TimeZone,
    UnitKind,
)
from services.common.fastpaths.pydantic_build import adopt, construct

__all__ = [
    "ALERT_MESSAGE_MAX",
    "ALERT_TEMPLATES",
    "ALL_TOPICS",
    "ASSESSMENT_TOPIC",
    "EMAIL_MAX",
    "EXPECTATION_MAX",
    "FEEDBACK_TOPIC",
    "HOLIDAYS_PER_YEAR_MAX",
    "IDENTITY_TOPIC",
    "INDICATORS_PER_RHK_MAX",
    "INDICATOR_NAME_MAX",
    "LABEL_MAX",
    "MAX_EVENT_BYTES",
    "NAME_MAX",
    "PAYLOAD_TYPES",
    "RECOMMENDATION_MAX",
    "REGISTRY",
    "REPORT_TEXT_MAX",
    "RHK_MAX",
    "RHK_TITLE_MAX",
    "SCORING_TOPIC",
    "TARGETS_TOPIC",
    "TEXT_MAX",
    "UNIT_MAX",
    "ActivityLogged",
    "Aggregation",
    "AlertCleared",
    "AlertMessage",
    "AlertParam",
    "AlertParams",
    "AlertRaised",
    "Aspect",
    "AssessmentSubmitted",
    "BerAkhlak",
    "ComplaintFiled",
    "ComplaintStatus",
    "ComplaintStatusChanged",
    "ContactPreference",
    "ContactSet",
    "Direction",
    "EmployeeDeactivated",
    "EmployeeRegistered",
    "EmployeeUpdated",
    "EntityId",
    "Envelope",
    "EventDecodeError",
    "EventPayload",
    "EventTooLarge",
    "Expectation",
    "FeedbackNoted",
    "Holiday",
    "HolidayKind",
    "HolidaysSet",
    "Indicator",
    "IndicatorName",
    "KepalaDaerahSet",
    "Label",
    "Name",
    "ObjectionDecided",
    "ObjectionFiled",
    "Period",
    "Rating",
    "Recommendation",
    "Relation",
    "ReportText",
    "Rhk",
    "RhkTitle",
    "ScoreUpdated",
    "SelfReport",
    "SkmScores",
    "SurveyReceived",
    "TargetRevised",
    "TargetSet",
    "TenantRegistered",
    "TenantSettings",
    "TenantSlug",
    "Text",
    "TimeZone",
    "UnitCreated",
    "UnitKind",
    "UnitLabel",
    "UnitUpdated",
    "Url",
    "check_placement",
    "dead_letter_topic",
    "decode_event",
    "new_event",
    "new_internal_event",
]


PAYLOAD_TYPES: tuple[type[EventPayload], ...] = (
    TenantRegistered,
    UnitCreated,
    UnitUpdated,
    EmployeeRegistered,
    EmployeeUpdated,
    EmployeeDeactivated,
    KepalaDaerahSet,
    ContactSet,
    HolidaysSet,
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


class _EnvelopeHead(BaseModel):
    """The envelope's fields around its payload, the same when decoded and when typed."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    type: str
    version: int = Field(ge=1)
    tenant: TenantSlug
    occurred_at: AwareDatetime
    key: str


class Envelope(_EnvelopeHead):
    """What travels on Kafka. ``payload`` is typed by ``(type, version)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
            # Read at call time: a test lowers the limit to reach this guard.
            raise EventTooLarge(self.type, len(body), MAX_EVENT_BYTES)
        return body


def new_event(
    payload: EventPayload, *, tenant: str, occurred_at: datetime | None = None
) -> Envelope:
    """Wrap a payload in a fresh envelope with its key derived from the key rule."""
    return Envelope(**_fresh(payload, tenant, occurred_at or utcnow()))


def new_internal_event(payload: EventPayload, *, tenant: str, occurred_at: datetime) -> Envelope:
    """:func:`new_event` without validating the envelope again, for a service's own
    derived events in bulk (scoring raises thousands of alerts per batch): ``payload`` is
    already a validated model and ``tenant`` comes from a validated event."""
    return construct(Envelope, _fresh(payload, tenant, occurred_at))


def _fresh(payload: EventPayload, tenant: str, occurred_at: datetime) -> dict[str, Any]:
    """The fields of a new envelope: a new event id, the payload's type and key."""
    return {
        "event_id": uuid.uuid4(),
        "type": payload.TYPE,
        "version": payload.VERSION,
        "tenant": tenant,
        "occurred_at": occurred_at,
        "key": payload.key_for(tenant),
        "payload": payload,
    }


class _RawEnvelope(_EnvelopeHead):
    """The envelope with its payload still untyped: the first step of decoding."""

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
    # same order: adopt its field dict instead of copying it (see fastpaths.pydantic_build).
    envelope = adopt(Envelope, typed)
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
