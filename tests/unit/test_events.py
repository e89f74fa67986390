"""Event contracts: envelope round trip, key rule, and clear errors for bad messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from services.common.events import (
    PAYLOAD_TYPES,
    REGISTRY,
    ActivityLogged,
    EventDecodeError,
    KepalaDaerahSet,
    SurveyReceived,
    TenantSettings,
    decode_event,
    new_event,
    new_internal_event,
)

pytestmark = pytest.mark.unit


def survey(**overrides: object) -> SurveyReceived:
    fields: dict[str, object] = {"survey_id": "s1", "unit_id": "u-7", "scores": [3] * 9}
    fields.update(overrides)
    return SurveyReceived.model_validate(fields)


def test_envelope_round_trips_with_a_typed_payload() -> None:
    event = new_event(survey(), tenant="bantul")
    decoded = decode_event(event.to_bytes())
    assert decoded == event
    assert isinstance(decoded.payload, SurveyReceived)
    assert decoded.payload.scores == [3] * 9


def test_an_internal_event_is_the_same_envelope_as_a_validated_one() -> None:
    at = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    fast = new_internal_event(survey(), tenant="bantul", occurred_at=at)
    checked = new_event(survey(), tenant="bantul", occurred_at=at)
    assert fast.model_dump(exclude={"event_id"}) == checked.model_dump(exclude={"event_id"})
    assert decode_event(fast.to_bytes()) == fast


def test_key_is_tenant_and_entity_so_one_entity_stays_on_one_partition() -> None:
    assert new_event(survey(), tenant="bantul").key == "bantul:u-7"
    activity = ActivityLogged(
        activity_id="a",
        employee_id="e-9",
        skp_id="k",
        indicator_id="i",
        activity_date=date(2026, 3, 2),
        value=1,
    )
    assert new_event(activity, tenant="sleman").key == "sleman:e-9"


def test_every_type_of_the_catalogue_is_registered_once() -> None:
    types = [model.TYPE for model in PAYLOAD_TYPES]
    assert len(types) == len(set(types)) == len(REGISTRY) == 21
    assert {"tenant.registered", "target.set", "survey.received", "alert.cleared"} <= set(types)


def test_the_kepala_daerah_is_keyed_by_the_regency_like_tenant_registered() -> None:
    """One partition for a regency's own facts: a new Bupati's account arrives after the
    deactivation of the old one, and after the regency itself."""
    kd = KepalaDaerahSet(user_id="u-1", title="Bupati Bantul", name="Abdul Halim")
    event = new_event(kd, tenant="bantul")
    assert event.key == "bantul"
    assert decode_event(event.to_bytes()).payload == kd
    with pytest.raises(EventDecodeError, match=r"payload\.title"):
        data = json.loads(event.to_bytes())
        data["payload"]["title"] = "x" * 201
        decode_event(json.dumps(data).encode())


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d.update(type="survey.nope"), "unknown event type 'survey.nope'"),
        (lambda d: d.update(version=2), "unknown event type 'survey.received' v2"),
        (lambda d: d["payload"].update(scores=[5] * 9), "payload.scores.0"),
        (lambda d: d["payload"].update(scores=[3] * 8), "payload.scores"),
        (lambda d: d.update(tenant="Not A Slug"), "tenant"),
        (lambda d: d.pop("event_id"), "event_id"),
    ],
)
def test_bad_messages_raise_a_readable_reason(mutate, reason: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(new_event(survey(), tenant="bantul").to_bytes())
    mutate(data)
    with pytest.raises(EventDecodeError) as error:
        decode_event(json.dumps(data).encode())
    assert reason in str(error.value)


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[]", None])
def test_garbage_is_a_decode_error_not_a_crash(raw: bytes | None) -> None:
    with pytest.raises(EventDecodeError):
        decode_event(raw)


def test_tenant_settings_defaults_follow_the_domain_rules() -> None:
    settings = TenantSettings()
    assert settings.achievement_cap == 120
    assert (settings.rating_above_threshold, settings.rating_meets_threshold) == (110, 90)
    with pytest.raises(ValueError, match="below"):
        TenantSettings(rating_above_threshold=90, rating_meets_threshold=95)
