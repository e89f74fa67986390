"""A period's projection does not depend on which topic's event came first: a supervisor's
assessment of a past month can reach scoring before the employee's SKP (another topic, so
no order between them), and the month's row must end as it ends when the SKP came first.
Seen in the scale-out and replay benchmarks as one row differing from a single run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bench.scoring_projector import standalone
from services.common.events import Envelope, Rating
from services.scoring.models import ScoreEmployee
from tests.scoring.helpers import (
    activity_event,
    assessment_event,
    employee_event,
    indicator,
    month,
    target_event,
    tenant_event,
    unit_event,
)

pytestmark = pytest.mark.unit
T = "kab-bulanan"
NOW = datetime(2026, 7, 15, 3, 0, tzinfo=UTC)


def events() -> tuple[list[Envelope], Envelope, Envelope]:
    org = [
        tenant_event(T, evaluation_cadence="monthly"),
        unit_event(T, "u1", head="s"),
        employee_event(T, "s", "u1", None, 1),
        employee_event(T, "e1", "u1", "s", 2),
        # In May: June has no entry of its own that would bring its row back later.
        activity_event(T, "e1", "a1", "ktp", 30, date(2026, 5, 11)),
    ]
    target = target_event(T, "e1", [("r1", "utama", [indicator("ktp", 250)])])
    assessed = assessment_event(T, "m06", "e1", Rating.DI_ATAS, period=month("2026-06"))
    return org, target, assessed


async def june_after(batches: Sequence[Sequence[Envelope]]) -> dict[str, object]:
    async with standalone(lambda: NOW) as (projector, sessions):
        for batch in batches:
            async with sessions.begin() as session:
                await projector.apply_batch(session, list(batch))
        async with sessions() as session:
            row = (
                await session.exec(
                    select(ScoreEmployee).where(
                        ScoreEmployee.employee_id == "e1", ScoreEmployee.period == "2026-06"
                    )
                )
            ).one()
    return row.model_dump(include={"achievement", "projected_achievement", "figures"})


async def test_a_months_row_is_the_same_whether_its_assessment_or_the_skp_came_first() -> None:
    org, target, assessed = events()
    skp_first = await june_after([[*org, target], [assessed]])
    assessment_first = await june_after([[*org, assessed], [target]])
    assert skp_first["achievement"] is not None  # the month has figures at all
    assert assessment_first == skp_first
