"""Issue 11 through the assessment API (SQLite and PostgreSQL, real Kafka): a report of
2,000,000 characters was accepted and made a 2 MB event Kafka refuses; now every text is
bounded, the largest assessment's events reach Kafka, and an over-long text gets 422."""

from __future__ import annotations

import pytest
from sqlmodel import select

from services.assessment.models import Assessment
from services.common.events import (
    ASSESSMENT_TOPIC,
    EXPECTATION_MAX,
    MAX_EVENT_BYTES,
    RECOMMENDATION_MAX,
    REPORT_TEXT_MAX,
    decode_event,
)
from services.common.messaging import OutboxMessage
from tests.assessment.world import VALUES, YEAR, Service, count, supervisor_body
from tests.support import read_topic, wait_until

pytestmark = pytest.mark.kafka

EURO = "€"  # three bytes in UTF-8
FULL_REPORT = dict.fromkeys(("achievements", "obstacles", "solutions"), EURO * REPORT_TEXT_MAX)


async def test_the_largest_assessments_reach_kafka_under_the_limit(svc: Service) -> None:
    own = {"period": f"{YEAR}-12", "relation": "self", "assessee_id": "ana", "report": FULL_REPORT}
    created = await svc.post("ana", "/assessments", own)
    assert created.status_code == 201, created.text
    assert created.json()["report"] == FULL_REPORT
    supervisor = supervisor_body(
        special_expectations=dict.fromkeys(VALUES, EURO * EXPECTATION_MAX),
        development_recommendation=EURO * RECOMMENDATION_MAX,
    )
    created = await svc.post("sup", "/assessments", supervisor)
    assert created.status_code == 201, created.text

    async def published() -> bool:
        async with svc.runtime.sessions() as session:
            rows = (await session.exec(select(OutboxMessage))).all()
            return len(rows) == 2 and all(r.published_at for r in rows)

    await wait_until(published)
    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=2)
    sizes = {decode_event(r.value).payload.relation: len(r.value) for r in records}  # type: ignore[attr-defined]
    print(f"largest assessment events: {sizes} bytes")
    assert set(sizes) == {"self", "supervisor"}
    assert all(size <= MAX_EVENT_BYTES for size in sizes.values()), sizes


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("achievements", "x" * 2_000_000, 413),
        ("achievements", "x" * (REPORT_TEXT_MAX + 1), "at most 5000 characters"),
        ("solutions", EURO * (REPORT_TEXT_MAX + 1), "at most 5000 characters"),
    ],
)
async def test_an_over_long_report_is_refused_with_nothing_written(
    svc: Service, field: str, value: str, reason: str | int
) -> None:
    body = {
        "period": f"{YEAR}-12",
        "relation": "self",
        "assessee_id": "ana",
        "report": {**FULL_REPORT, field: value},
    }
    answer = await svc.post("ana", "/assessments", body)
    if isinstance(reason, int):  # over the body cap: refused before it is parsed
        assert answer.status_code == reason, answer.text
        assert "larger than 1048576 bytes" in answer.json()["detail"]
    else:
        assert answer.status_code == 422, answer.text
        (error,) = answer.json()["detail"]
        assert error["loc"] == ["body", "report", field] and reason in error["msg"], error
    assert await count(svc.runtime, Assessment) == 0
    assert await svc.outbox() == 0


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"special_expectations": {"loyal": "x" * (EXPECTATION_MAX + 1)}}, "loyal"),
        (
            {"development_recommendation": "x" * (RECOMMENDATION_MAX + 1)},
            "development_recommendation",
        ),
        ({"rhk_ratings": {f"rhk-{n}": "sesuai" for n in range(31)}}, "rhk_ratings"),
        ({"period": "2" * 101}, "period"),
    ],
)
async def test_an_over_long_supervisor_assessment_gets_422_with_its_place(
    svc: Service, changes: dict[str, object], where: str
) -> None:
    answer = await svc.post("sup", "/assessments", supervisor_body(**changes))
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    assert where in error["loc"] and "at most" in error["msg"], error
    assert await svc.outbox() == 0
