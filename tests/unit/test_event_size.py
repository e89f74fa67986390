"""Issue 11: every event fits in one Kafka record (1 MiB) with margin.

The largest input each API accepts is built from the bounds themselves, in the costliest
characters there are: a 3-byte UTF-8 one ('€') and a control character, which JSON writes
as six bytes (``\\u0001``). Its event must stay under MAX_EVENT_BYTES; one more RHK, one
more indicator or one more character is refused with a reason; and the last guard,
``add_event``, refuses an event over the limit before anything is staged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.models import AssessmentCreate
from services.common.events import (
    EXPECTATION_MAX,
    INDICATOR_NAME_MAX,
    INDICATORS_PER_RHK_MAX,
    MAX_EVENT_BYTES,
    RECOMMENDATION_MAX,
    REPORT_TEXT_MAX,
    RHK_MAX,
    RHK_TITLE_MAX,
    AssessmentSubmitted,
    BerAkhlak,
    EventTooLarge,
    Period,
    Rhk,
    TargetRevised,
    new_event,
    new_internal_event,
)
from services.common.messaging import OutboxMessage, add_event
from services.targets.models import SkpCreate
from tests.unit.helpers import unbounded_in

pytestmark = pytest.mark.unit

KAFKA_MAX = 1 << 20  # the broker's default message.max.bytes
TENANT = "a" + "b" * 39  # the longest tenant slug
ID = "i" * 64  # the longest entity id
# A 3-byte UTF-8 character, and one JSON spells with six bytes.
EXPENSIVE = ["€", "\x01"]


def largest_skp_input(
    char: str,
    *,
    rhk: int = RHK_MAX,
    indicators: int = INDICATORS_PER_RHK_MAX,
    title: int = RHK_TITLE_MAX,
    name: int = INDICATOR_NAME_MAX,
) -> dict[str, Any]:
    indicator = {
        "indicator_id": ID,
        "name": char * name,
        "aspect": "kuantitas",
        "target": 1.2345678901234567e300,
        "unit": "dokumen",
        "direction": "higher",
        "aggregation": "latest",
        "weight": 1.2345678901234567e300,
    }
    one = {
        "rhk_id": ID,
        "title": char * title,
        "kind": "tambahan",
        "parent_rhk_id": ID,
        "indicators": [indicator] * indicators,
    }
    return {"year": 2026, "rhk": [one] * rhk}


def revised_event_bytes(body: dict[str, Any]) -> int:
    """The target.revised event targets would publish for this SKP content."""
    content = SkpCreate.model_validate(body)
    rhk = tuple(Rhk.model_validate(r.model_dump()) for r in content.rhk)
    payload = TargetRevised(
        skp_id=ID,
        employee_id=ID,
        year=2026,
        version=2**31,
        approved_by=ID,
        rhk=rhk,
        previous_version=2**31 - 1,
    )
    return len(new_event(payload, tenant=TENANT).to_checked_bytes())


@pytest.mark.parametrize("char", EXPENSIVE, ids=["3-byte", "escaped"])
def test_the_largest_valid_skp_makes_an_event_under_the_limit(char: str) -> None:
    size = revised_event_bytes(largest_skp_input(char))
    print(f"largest target.revised with {char!r}: {size} bytes")
    assert size <= MAX_EVENT_BYTES < KAFKA_MAX


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"rhk": RHK_MAX + 1}, "rhk"),
        ({"indicators": INDICATORS_PER_RHK_MAX + 1}, "indicators"),
        ({"title": RHK_TITLE_MAX + 1}, "title"),
        ({"name": INDICATOR_NAME_MAX + 1}, "name"),
    ],
)
def test_one_more_rhk_indicator_or_character_is_refused_with_its_place(
    change: dict[str, int], where: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        SkpCreate.model_validate(largest_skp_input("€", **change))
    error = refused.value.errors()[0]
    assert where in error["loc"] and "at most" in error["msg"], error


def largest_assessment_input(char: str) -> dict[str, Any]:
    report = dict.fromkeys(("achievements", "obstacles", "solutions"), char * REPORT_TEXT_MAX)
    return {
        "period": "2026-Q1",
        "relation": "supervisor",
        "assessee_id": ID,
        "rhk_ratings": {f"{n:0>64}": "di_bawah" for n in range(RHK_MAX)},
        "result_rating": "di_bawah",
        "behaviour_ratings": dict.fromkeys(BerAkhlak, "di_bawah"),
        "special_expectations": dict.fromkeys(BerAkhlak, char * EXPECTATION_MAX),
        "development_recommendation": char * RECOMMENDATION_MAX,
        "report": report,
    }


@pytest.mark.parametrize("char", EXPENSIVE, ids=["3-byte", "escaped"])
def test_the_largest_valid_assessment_makes_an_event_under_the_limit(char: str) -> None:
    body = AssessmentCreate.model_validate(largest_assessment_input(char))
    payload = AssessmentSubmitted(
        assessment_id=ID,
        period=Period(
            kind="quarterly", label=body.period, start=date(2026, 1, 1), end=date(2026, 3, 31)
        ),
        assessor_id=ID,
        **body.model_dump(exclude={"period"}),
        supersedes=ID,
    )
    size = len(new_event(payload, tenant=TENANT).to_checked_bytes())
    print(f"largest assessment.submitted with {char!r}: {size} bytes")
    assert size <= MAX_EVENT_BYTES


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("report", "achievements"), "€" * 2_000_000),
        (("report", "obstacles"), "x" * (REPORT_TEXT_MAX + 1)),
        (("special_expectations", "loyal"), "x" * (EXPECTATION_MAX + 1)),
        (("development_recommendation",), "x" * (RECOMMENDATION_MAX + 1)),
        (("period",), "x" * 101),
    ],
)
def test_an_over_long_assessment_text_is_refused_with_its_place(
    path: tuple[str, ...], value: str
) -> None:
    body = largest_assessment_input("x")
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as refused:
        AssessmentCreate.model_validate(body)
    error = refused.value.errors()[0]
    assert path[-1] in [str(p) for p in error["loc"]] and "at most" in error["msg"], error


def test_too_many_rhk_ratings_are_refused() -> None:
    body = largest_assessment_input("x")
    body["rhk_ratings"][ID] = "sesuai"
    with pytest.raises(ValidationError, match="at most 30 items"):
        AssessmentCreate.model_validate(body)


def test_an_event_payload_refuses_what_the_api_would_refuse() -> None:
    """Bounds hold on the event types too, so a service cannot publish what no API accepts."""
    rhk = Rhk.model_validate(largest_skp_input("x")["rhk"][0])
    with pytest.raises(ValidationError, match="at most 30 items"):
        TargetRevised(
            skp_id="s",
            employee_id="e",
            year=2026,
            version=2,
            approved_by="a",
            rhk=(rhk,) * (RHK_MAX + 1),
            previous_version=1,
        )


def oversized_event() -> Any:
    """An event over the limit, built without validation as a careless producer could."""
    body = AssessmentCreate.model_validate(largest_assessment_input("x"))
    report = body.report.model_copy(update={"achievements": "€" * 400_000})  # type: ignore[union-attr]
    payload = AssessmentSubmitted.model_construct(
        **{
            **AssessmentSubmitted(
                assessment_id="a1",
                period=Period(
                    kind="annual", label="2026", start=date(2026, 1, 1), end=date(2026, 12, 31)
                ),
                relation="self",
                assessor_id="e",
                assessee_id="e",
            ).__dict__,
            "report": report,
        }
    )
    from datetime import UTC, datetime

    return new_internal_event(payload, tenant="bantul", occurred_at=datetime.now(UTC))


async def test_add_event_refuses_an_event_over_the_limit_and_stages_nothing() -> None:
    event = oversized_event()
    assert len(event.to_bytes()) > MAX_EVENT_BYTES
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=[OutboxMessage.__table__])  # type: ignore[attr-defined]
    try:
        async with AsyncSession(engine) as session:
            with pytest.raises(
                EventTooLarge, match=r"assessment.submitted event .* over the limit"
            ):
                add_event(session, event)
            assert not session.new
            await session.commit()
            assert (await session.exec(select(OutboxMessage))).all() == []
    finally:
        await engine.dispose()


def test_every_event_payload_bounds_its_texts_and_lists() -> None:
    from services.common.events import PAYLOAD_TYPES

    for model in PAYLOAD_TYPES:
        assert unbounded(model) == [], model.TYPE


def unbounded(model: type[BaseModel]) -> list[str]:
    """Paths of the strings, lists and maps of ``model``'s JSON schema with no upper bound."""
    schema = model.model_json_schema()
    return unbounded_in(schema, schema.get("$defs", {}), "")
