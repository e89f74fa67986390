"""An org fact that re-evaluates a complaint alert (the unit's head changes) reads the
officer and unit the complaint names, even when no other event of the batch names them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from services.common.events import ComplaintFiled
from services.scoring.app import Settings
from services.scoring.models import ScoreAlert
from tests.scoring.helpers import (
    Clock,
    applied,
    employee_event,
    ev,
    publish,
    running,
    tenant_event,
    unit_event,
)

pytestmark = pytest.mark.kafka


async def test_a_unit_change_keeps_the_complaint_alert_about_its_officer(
    settings: Settings, clock: Clock, kafka_bootstrap: str, topic_prefix: str
) -> None:
    t = "gunungkidul"
    org = [
        tenant_event(t),
        unit_event(t, "u1", head="s"),
        employee_event(t, "s", "u1", None, 1),
        employee_event(t, "e2", "u1", "s", 2),
    ]
    complaint = [
        ev(t, ComplaintFiled(complaint_id="c2", unit_id="u1", officer_id="e2", category="x"))
    ]
    new_head = [unit_event(t, "u1", head="k")]  # the unit's head changes; e2's supervisor not

    async def alerts() -> set[tuple[str, str, str]]:
        async with app.state.runtime.sessions() as session:
            rows = (await session.exec(select(ScoreAlert))).all()
        return {(a.recipient_id, a.subject_id, a.message) for a in rows}

    async with running(settings, clock) as (app, _):
        expected = {("s", "c2", "A complaint (received) names Employee e2.")}
        done = 0
        for phase in (org, complaint, new_head):  # one after the other: separate batches
            await publish(kafka_bootstrap, topic_prefix, phase)
            done += len(phase)
            await applied(app, done)
            if phase is not org:
                assert await alerts() == expected
