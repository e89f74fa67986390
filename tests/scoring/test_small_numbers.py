"""Issue 11 item 8: a unit's aggregates over its members, read by a member (outside the
supervisor chain), follow domain.md's small-numbers rule; the head and admin see them all."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from services.common.events import Envelope
from services.common.security import Role
from services.scoring.app import Settings
from tests.scoring.helpers import (
    Clock,
    activity_event,
    employee_event,
    indicator,
    processed,
    publish,
    running,
    target_event,
    tenant_event,
    unit_event,
)
from tests.support import bearer, wait_until

pytestmark = pytest.mark.kafka

T = "kulon"  # default small-numbers minimum: 5


def _member(employee_id: str, unit_id: str, seq: int, done: float) -> list[Envelope]:
    return [
        employee_event(T, employee_id, unit_id, "h", seq),
        target_event(T, employee_id, [("r1", "utama", [indicator("ktp", 100)])]),
        activity_event(T, employee_id, f"{employee_id}-a", "ktp", done, date(2026, 6, 1)),
    ]


def _who(employee_id: str | None, *roles: Role) -> dict[str, str]:
    return bearer(tenant=T, roles=roles or [Role.PEGAWAI], employee_id=employee_id)


async def test_a_member_sees_unit_aggregates_only_from_k_colleagues(
    settings: Settings, clock: Clock, kafka_bootstrap: str, topic_prefix: str
) -> None:
    events = [
        tenant_event(T),
        unit_event(T, "u-top", head="h"),
        unit_event(T, "u-pair", head="h"),
        unit_event(T, "u-five", head="h"),
        employee_event(T, "h", "u-top", None, 1),
        *_member("a", "u-pair", 2, 50),
        *_member("b", "u-pair", 3, 80),
        *(e for i in range(5) for e in _member(f"f{i}", "u-five", 10 + i, 40 + 10 * i)),
    ]
    async with running(settings, clock) as (app, client):
        await publish(kafka_bootstrap, topic_prefix, events)

        async def applied(app: FastAPI = app) -> bool:
            return await processed(app) >= len(events)

        await wait_until(applied, timeout=60)

        # Two people: the mean would give a the colleague's figure (2 x mean - own).
        pair = (await client.get("/api/v1/scores/units/u-pair", headers=_who("a"))).json()
        assert pair["mean_achievement"] is None, pair
        assert pair["projected_predikat_distribution"] == {}
        assert pair["predikat_distribution"] == {}
        assert {"mean_achievement", "projected_predikat_distribution"} <= set(pair["suppressed"])
        # The head (the members' supervisor chain) and admin see the figures.
        for viewer in (_who("h", Role.ATASAN), _who(None, Role.ADMIN)):
            full = (await client.get("/api/v1/scores/units/u-pair", headers=viewer)).json()
            assert full["mean_achievement"] == pytest.approx(65.0)
            assert full["suppressed"] == []

        # Five colleagues: the mean and the projected distribution are shown to a member;
        # the final distribution only once every member has a final predikat (else it
        # would grow by one colleague's predikat at a time).
        five = (await client.get("/api/v1/scores/units/u-five", headers=_who("f0"))).json()
        assert five["mean_achievement"] == pytest.approx(60.0)
        assert sum(five["projected_predikat_distribution"].values()) == 5
        assert five["suppressed"] == ["predikat_distribution", "ikm"]
