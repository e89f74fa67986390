"""``score.updated`` (domain.md's catalogue): scoring publishes one, through its outbox
on ``scoring.events``, each time a batch moves an employee's published figures
(achievement, projected rating, projected predikat), and none for a batch that leaves
them as they were or for an event delivered twice. Read as a consumer reads it: from
Kafka."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import col, select

from services.common.events import SCORING_TOPIC, ScoreUpdated, decode_event
from services.common.messaging import OutboxMessage
from services.common.security import Role
from services.scoring.app import Settings
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
)
from tests.support import bearer, read_topic, wait_until

pytestmark = pytest.mark.kafka


async def all_published(app: FastAPI) -> int:
    """How many events scoring staged, once the relay has published every one."""

    async def check() -> bool:
        async with app.state.runtime.sessions() as session:
            unpublished = select(func.count()).where(col(OutboxMessage.published_at).is_(None))
            return int((await session.exec(unpublished)).one()) == 0

    await wait_until(check, timeout=30)
    async with app.state.runtime.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(OutboxMessage))).one())


async def test_score_updated_arrives_once_per_change_of_the_published_figures(
    settings: Settings, clock: Clock, kafka_bootstrap: str, topic_prefix: str
) -> None:
    day = date(2026, 6, 29)
    first = activity_event("sukoharjo", "e1", "a1", "ktp", 100, day)
    # A tenant no other test uses: scoring parses an SKP version once per process, keyed
    # by (tenant, SKP id, version), and other tests' SKPs of e1 have the same ids.
    phases = [
        # The SKP arrives: the projection exists (achievement 0): one event.
        [
            tenant_event("sukoharjo"),
            unit_event("sukoharjo", "u1", "s"),
            employee_event("sukoharjo", "s", "u1", None, 1),
            employee_event("sukoharjo", "e1", "u1", "s", 2),
            target_event("sukoharjo", "e1", [("r1", "utama", [indicator("ktp", 240)])]),
        ],
        [first],  # achievement moves: one event
        # The same event again (skipped by the inbox) and an entry of 0 documents (the row
        # is rewritten, its published figures stay): no event.
        [first, activity_event("sukoharjo", "e1", "a2", "ktp", 0, day)],
        [activity_event("sukoharjo", "e1", "a3", "ktp", 20, day)],  # one event
    ]
    seen: set[object] = set()
    async with running(settings, clock) as (app, client):
        for phase in phases:
            await publish(kafka_bootstrap, topic_prefix, phase)
            seen |= {e.event_id for e in phase}
            await applied(app, len(seen))  # one phase per batch: the expected events are known
        staged = await all_published(app)
        r = await client.get(
            "/api/v1/scores/employees/e1",
            headers=bearer(tenant="sukoharjo", roles=[Role.PEGAWAI], employee_id="e1"),
        )
        final = r.json()

    # Every staged event is on the topic, and nothing else: a duplicate would be read
    # in the second, longer-than-needed read.
    topic = topic_prefix + SCORING_TOPIC
    records = await read_topic(kafka_bootstrap, topic, expected=staged)
    assert len(records) == staged
    assert len(await read_topic(kafka_bootstrap, topic, expected=staged + 1, timeout=3)) == staged
    updates = [
        e for e in (decode_event(r.value) for r in records) if isinstance(e.payload, ScoreUpdated)
    ]
    assert [(e.tenant, e.key, e.payload.employee_id) for e in updates] == [
        ("sukoharjo", "sukoharjo:e1", "e1")
    ] * 3
    figures = [(e.payload.period_label, e.payload.achievement) for e in updates]
    assert figures == [
        ("2026", 0.0),
        ("2026", pytest.approx(100 / 240 * 100)),
        ("2026", pytest.approx(120 / 240 * 100)),
    ]
    last = updates[-1].payload
    assert last.achievement == pytest.approx(final["achievement"])
    assert last.projected_rating == final["projected_rating"]
    assert last.projected_predikat == final["projected_predikat"]
