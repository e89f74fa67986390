"""The event decoder builds its ``Envelope`` by adopting the field dict of a model pydantic
has just validated (``services.common.fastpaths.pydantic_build``), which relies on pydantic
2's instance state being exactly four slots. If an upgrade adds state or moves the field
values, an adopted model would be half made (wrong equality, dumps or copies) without any
error; these tests fail instead."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from services.common.events import (
    Envelope,
    SurveyReceived,
    TargetSet,
    decode_event,
    new_event,
    new_internal_event,
)
from services.common.fastpaths.pydantic_build import STATE_SLOTS, adopt, construct

pytestmark = pytest.mark.unit


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    size: int


def test_pydantic_keeps_a_models_whole_state_in_the_four_slots_adopt_fills() -> None:
    assert BaseModel.__slots__ == STATE_SLOTS
    # model_construct, pydantic's own way past validation, sets exactly these too.
    built = _Target.model_construct(name="a", size=1)
    assert set(vars(built)) == {"name", "size"}
    for slot in STATE_SLOTS[1:]:
        assert hasattr(built, slot), slot


def test_pydantic_model_adopted_from_validated_fields_equals_a_validated_one() -> None:
    validated = _Target.model_validate({"name": "a", "size": 1})
    adopted = adopt(_Target, _Source.model_validate({"name": "a", "size": 1}))
    assert type(adopted) is _Target
    assert adopted == validated
    assert adopted.model_dump_json() == validated.model_dump_json()
    assert adopted.model_fields_set == {"name", "size"}
    assert adopted.model_copy(update={"size": 2}).size == 2
    assert hash(adopted) == hash(validated)  # frozen models hash their fields
    with pytest.raises(ValidationError):
        adopted.size = 3  # type: ignore[misc]  # still frozen


def test_a_decoded_envelope_is_the_envelope_pydantic_would_validate() -> None:
    event = new_event(
        TargetSet.model_validate(
            {
                "skp_id": "s1",
                "employee_id": "e1",
                "year": 2026,
                "version": 1,
                "approved_by": "boss",
                "rhk": [
                    {
                        "rhk_id": "r1",
                        "title": "Layanan",
                        "kind": "utama",
                        "indicators": [
                            {
                                "indicator_id": "i1",
                                "name": "Dokumen",
                                "aspect": "kuantitas",
                                "target": 10,
                                "unit": "dokumen",
                            }
                        ],
                    }
                ],
            }
        ),
        tenant="bantul",
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    raw = event.to_bytes()
    decoded = decode_event(raw)
    assert type(decoded) is Envelope
    assert decoded == Envelope.model_validate_json(raw) == event
    assert decoded.to_bytes() == raw
    assert isinstance(decoded.event_id, uuid.UUID)
    assert isinstance(decoded.payload, TargetSet)


def test_pydantic_model_constructed_from_fields_equals_model_construct() -> None:
    fields = {"name": "a", "size": 1}
    built = construct(_Target, dict(fields))
    expected = _Target.model_construct(**fields)
    assert type(built) is _Target
    assert built == expected == _Target.model_validate(fields)
    assert built.model_fields_set == expected.model_fields_set == {"name", "size"}
    assert built.model_dump_json() == expected.model_dump_json()
    assert hash(built) == hash(expected)
    with pytest.raises(ValidationError):
        built.size = 3  # type: ignore[misc]  # still frozen


def test_an_internal_envelope_is_the_envelope_new_event_builds() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    payload = SurveyReceived(survey_id="s1", unit_id="u1", scores=[4] * 9)
    fast = new_internal_event(payload, tenant="bantul", occurred_at=at)
    checked = Envelope.model_validate_json(fast.to_bytes())
    assert type(fast) is Envelope
    assert fast == checked
    assert fast.model_fields_set == checked.model_fields_set
    assert fast.to_bytes() == checked.to_bytes()
    assert fast.model_copy(update={"tenant": "pauh"}).tenant == "pauh"
