"""A tenant's new rules (rating thresholds) reach every projection: those computed before
them (refreshed), those of the batch that brings them (computed after all its events), and
those of later batches (no cached rows or rules from before)."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.events import Rating
from services.scoring import domain as d
from services.scoring.app import Settings
from services.scoring.projector import batch
from tests.scoring.helpers import (
    Clock,
    activity_event,
    applied,
    employee_event,
    indicator,
    publish,
    running,
    target_event,
    tenant_event,
    unit_event,
    who,
)

pytestmark = pytest.mark.kafka
D = date(2026, 6, 30)
SHARE = d.period_share(d.annual_period(2026), date(2026, 7, 1))
EMPLOYEES = ("e1", "e2", "e3")


@pytest.mark.parametrize("refresh_chunk", [5_000, 1])
async def test_new_rating_thresholds_reach_every_projection(
    settings: Settings,
    clock: Clock,
    kafka_bootstrap: str,
    topic_prefix: str,
    refresh_chunk: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 1: the employees computed before the rules are refreshed one per chunk.
    monkeypatch.setattr(batch, "REFRESH_CHUNK", refresh_chunk)
    t = "kulonprogo"
    on_pace = round(100 * SHARE, 3)  # projected to 100 % of a target of 100 by December
    first = [
        tenant_event(t),  # defaults: sesuai from 90 %
        unit_event(t, "u1", head="s"),
        employee_event(t, "s", "u1", None, 1),
        *(employee_event(t, e, "u1", "s", n) for n, e in enumerate(EMPLOYEES, start=2)),
        *(target_event(t, e, [("r1", "utama", [indicator("ktp", 100)])]) for e in EMPLOYEES),
        activity_event(t, "e1", "a1", "ktp", on_pace, D),
        activity_event(t, "e2", "a2", "ktp", on_pace, D),
        activity_event(t, "e3", "a5", "ktp", on_pace, D),  # refreshed with e1
    ]
    # sesuai only from 150 % now: 100 % (even the cap, 120 %) is di bawah
    stricter = [
        tenant_event(t, rating_meets_threshold=150, rating_above_threshold=200),
        activity_event(t, "e2", "a3", "ktp", 0, D),
    ]
    later = [activity_event(t, "e1", "a4", "ktp", 0, D)]

    async def ratings(client: object) -> dict[str, str | None]:
        out = {}
        for e in EMPLOYEES:
            r = await client.get(  # type: ignore[attr-defined]
                f"/api/v1/scores/employees/{e}", headers=who(t, e)
            )
            assert r.status_code == 200, r.text
            out[e] = r.json()["projected_rating"]
        return out

    async with running(settings, clock) as (app, client):
        await publish(kafka_bootstrap, topic_prefix, first)
        await applied(app, len(first))
        assert await ratings(client) == dict.fromkeys(EMPLOYEES, Rating.SESUAI.value)

        await publish(kafka_bootstrap, topic_prefix, stricter)
        await applied(app, len(first) + len(stricter))
        below = dict.fromkeys(EMPLOYEES, Rating.DI_BAWAH.value)
        assert await ratings(client) == below

        await publish(kafka_bootstrap, topic_prefix, later)
        await applied(app, len(first) + len(stricter) + len(later))
        assert await ratings(client) == below
