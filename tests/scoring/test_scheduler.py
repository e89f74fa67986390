"""Time-based alerts (silent, assessment due) by the scheduler, in the tenant's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from services.common.events import Period, Rating
from services.scoring.app import Settings
from services.scoring.models import ScoreLock
from services.scoring.scheduler import Scheduler
from services.scoring.store import TURN_ROW, take_turn
from tests.scoring.helpers import (
    Clock,
    active,
    activity_event,
    applied,
    assessment_event,
    employee_event,
    indicator,
    publish,
    running,
    target_event,
    tenant_event,
    unit_event,
)

pytestmark = pytest.mark.kafka


async def test_silent_and_assessment_due(
    settings: Settings, kafka_bootstrap: str, topic_prefix: str
) -> None:
    # Monday 16 Nov 2026 in Jayapura (UTC+9): 23:30 UTC on the 15th is already the 16th there.
    clock = Clock(datetime(2026, 11, 15, 23, 30, tzinfo=UTC))
    t = "jayapura"
    setup = [
        tenant_event(t, "Asia/Jayapura"),
        unit_event(t, "u1", head="s"),
        employee_event(t, "s", "u1", None, 1),
        employee_event(t, "e1", "u1", "s", 2),
        target_event(t, "e1", [("r1", "utama", [indicator("ktp", 10)])]),
        activity_event(t, "e1", "a1", "ktp", 9, date(2026, 11, 16)),
    ]
    async with running(settings, clock) as (app, _):
        await publish(kafka_bootstrap, topic_prefix, setup)
        await applied(app, len(setup))
        scheduler = app.state.scheduler
        await scheduler.tick()
        assert await active(app) == set()

        clock.now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # Tuesday 24th in Jayapura
        await scheduler.tick()
        assert await active(app) == {("s", "silent", "e1"), ("s", "assessment_due", "e1")}

        november = Period(
            kind="monthly", label="2026-11", start=date(2026, 11, 1), end=date(2026, 11, 30)
        )
        later = [
            activity_event(t, "e1", "a2", "ktp", 1, date(2026, 11, 24)),
            assessment_event(t, "m11", "e1", Rating.SESUAI, period=november),
        ]
        await publish(kafka_bootstrap, topic_prefix, later)
        await applied(app, len(setup) + len(later))
        assert await active(app) == set()  # cleared by the events themselves
        await scheduler.tick()
        assert await active(app) == set()


async def test_one_instance_per_interval_takes_the_scheduler_turn(
    settings: Settings, clock: Clock
) -> None:
    async with running(settings, clock) as (app, _):
        first = app.state.scheduler
        first.interval = 600
        # A second instance on the same database (its own scheduler object).
        second = Scheduler(
            app.state.runtime,
            app.state.projector,
            first.ctx,
            interval_seconds=600,
            park_timeout_seconds=3600,
        )
        assert await first.take_turn() is True
        assert await second.take_turn() is False
        assert await first.take_turn() is False  # not twice in one interval either

        # The turn is held until the time the row says; from then on the next one takes it.
        sessions = app.state.runtime.sessions
        async with sessions() as session:
            until = (await session.exec(select(ScoreLock.n).where(ScoreLock.id == TURN_ROW))).one()
        async with sessions.begin() as session:
            assert await take_turn(session, until - 1, 540) is False
            assert await take_turn(session, until, 540) is True
            assert await take_turn(session, until, 540) is False
