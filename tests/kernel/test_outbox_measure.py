"""The relay counts its backlog on its poll timer, not on every commit's wake: under load
every commit wakes it, and a count per commit was a third of its queries (bench/README.md,
alert_latency). No broker: publishing is replaced by a counter."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from services.common.events import FeedbackNoted, new_event
from services.common.kafka import KafkaClientConfig
from services.common.messaging import OutboxMessage, OutboxRelay, add_event
from services.common.observability import Metrics
from services.common.storage import create_engine, session_factory
from tests.support import wait_until

pytestmark = pytest.mark.unit  # SQLite and no broker: publishing is counted, not sent


class CountingRelay(OutboxRelay):
    measured = 0
    rounds = 0

    async def measure(self):  # type: ignore[no-untyped-def]
        self.measured += 1
        return await super().measure()

    async def publish_pending(self) -> int:
        self.rounds += 1
        return 0  # the rows stay: only how often the relay looks is of interest


async def _relay(tmp_path: Path, poll_seconds: float) -> CountingRelay:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/outbox.db")
    async with engine.begin() as connection:
        await connection.run_sync(
            SQLModel.metadata.create_all,
            tables=[OutboxMessage.__table__],  # type: ignore[attr-defined]
        )
    ready = asyncio.Event()
    ready.set()
    return CountingRelay(
        sessions=session_factory(engine),
        kafka=KafkaClientConfig(bootstrap_servers=("127.0.0.1:1",)),
        broker_ready=ready,
        metrics=Metrics("measure-test"),
        poll_seconds=poll_seconds,
    )


async def _commit_event(relay: OutboxRelay, number: int) -> None:
    payload = FeedbackNoted(
        note_id=f"n{number}", supervisor_id="s", employee_id="e", text="t", noted_on=date.today()
    )
    async with relay.sessions.begin() as session:
        add_event(session, new_event(payload, tenant="bantul"))


async def test_a_wake_runs_a_round_but_does_not_count_the_table(tmp_path: Path) -> None:
    relay = await _relay(tmp_path, poll_seconds=60)
    relay.start()
    try:
        await wait_until(lambda: _true(relay.rounds >= 1))
        for number in range(10):
            before = relay.rounds
            await _commit_event(relay, number)
            await wait_until(lambda: _true(relay.rounds > before))  # noqa: B023
        assert relay.rounds >= 11
        assert relay.measured == 1  # the first poll only: the next is 60 s away
    finally:
        await relay.stop(drain_seconds=0)
        await relay.sessions.kw["bind"].dispose()


async def test_the_backlog_is_still_counted_on_the_poll_timer(tmp_path: Path) -> None:
    relay = await _relay(tmp_path, poll_seconds=0.05)
    relay.start()
    try:
        for number in range(3):
            await _commit_event(relay, number)
        await wait_until(lambda: _true(relay.state.backlog == 3))
        measured = relay.measured
        await wait_until(lambda: _true(relay.measured >= measured + 3))
    finally:
        await relay.stop(drain_seconds=0)
        await relay.sessions.kw["bind"].dispose()


async def _true(value: bool) -> bool:
    return value
