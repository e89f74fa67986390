"""Issue 11 through the targets API (SQLite and PostgreSQL, real Kafka): the largest SKP
the API accepts is approved and revised into events Kafka takes; one RHK more is refused
with a reason; an event over the kernel's limit is refused with 413 and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from services.common import events
from services.common.events import (
    INDICATOR_NAME_MAX,
    INDICATORS_PER_RHK_MAX,
    MAX_EVENT_BYTES,
    RHK_MAX,
    RHK_TITLE_MAX,
)
from services.targets.models import SkpTransition
from tests.targets.harness import Targets, indicator, rhk

pytestmark = pytest.mark.kafka

KAFKA_MAX = 1 << 20
EURO = "€"  # three bytes in UTF-8


def largest_content() -> list[dict[str, Any]]:
    return [
        rhk(
            title=f"{n:02} " + EURO * (RHK_TITLE_MAX - 3),
            indicators=[
                indicator(name=f"{n:02}{i}" + EURO * (INDICATOR_NAME_MAX - 3), target=1e300)
                for i in range(INDICATORS_PER_RHK_MAX)
            ],
        )
        for n in range(RHK_MAX)
    ]


async def test_the_largest_skp_becomes_events_kafka_accepts(targets: Targets) -> None:
    skp = await targets.approved_skp(content=largest_content())
    await targets.call("POST", f"/skp/{skp['id']}/revise", "pegawai")
    await targets.call("POST", f"/skp/{skp['id']}/submit", "pegawai")
    await targets.call("POST", f"/skp/{skp['id']}/approve", "atasan")

    records = await targets.kafka(expected=2)
    assert [e.type for e in records] == ["target.set", "target.revised"]
    sizes = [len(e.to_bytes()) for e in records]
    print(f"largest SKP events: {sizes} bytes")
    assert all(300_000 < size <= MAX_EVENT_BYTES < KAFKA_MAX for size in sizes), sizes
    assert len(records[1].payload.rhk) == RHK_MAX  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ([rhk()] * (RHK_MAX + 1), "at most 30 items"),
        ([rhk(indicators=[indicator()] * (INDICATORS_PER_RHK_MAX + 1))], "at most 10 items"),
        ([rhk(title=EURO * (RHK_TITLE_MAX + 1))], "at most 500 characters"),
        ([rhk(indicators=[indicator(name="x" * 100_000)])], "at most 300 characters"),
        ([rhk(indicators=[indicator(unit="x" * 41)])], "at most 40 characters"),
    ],
)
async def test_an_skp_over_a_bound_is_refused_with_422_and_its_reason(
    targets: Targets, content: list[dict[str, Any]], reason: str
) -> None:
    before = await targets.written()
    answer = await targets.call(
        "POST", "/skp", "pegawai", json={"year": 2026, "rhk": content}, expect=422
    )
    assert reason in str(answer["detail"]), answer
    assert await targets.written() == before


async def test_an_event_over_the_kernel_limit_is_refused_with_413_and_nothing_written(
    targets: Targets, monkeypatch: pytest.MonkeyPatch
) -> None:
    skp = await targets.new_skp()
    await targets.call("POST", f"/skp/{skp['id']}/submit", "pegawai")
    before = {**await targets.written(), "transitions": await targets.count(SkpTransition)}
    # The bounds keep every valid SKP under the limit; lower the limit to reach the guard.
    monkeypatch.setattr(events, "MAX_EVENT_BYTES", 500)
    answer = await targets.call("POST", f"/skp/{skp['id']}/approve", "atasan", expect=413)
    assert "target.set event" in answer["detail"] and "over the limit of 500" in answer["detail"]
    assert {**await targets.written(), "transitions": await targets.count(SkpTransition)} == before
    still = await targets.call("GET", f"/skp/{skp['id']}", "pegawai")
    assert still["status"] == "submitted"
