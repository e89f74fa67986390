"""A full outage of a real 3-broker cluster: every outbox row gets published afterwards.

After all brokers were down and came back, an idempotent producer can be left failing
with ``OutOfOrderSequenceNumber`` for minutes; the relay must recover on its own (no
restart, no manual step) and the consumers must apply each event exactly once.

Uses the fixed cluster ports: run under ``flock /tmp/kinerja-kafka-fixed-ports.lock``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from deploy.local import kafka_cluster as lk
from services.common.messaging import OutboxMessage
from services.common.runtime import Runtime
from tests.kernel.helpers import post_note, running
from tests.kernel.sample_service import SampleNoteCount
from tests.support import wait_until

pytestmark = pytest.mark.cluster

BASE_PORT = 29092
TENANT = "bantul"


class Writer:
    """Posts one note per employee (emp-0, emp-1, ...) until stopped, outage or not."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.event_ids: list[str] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while not self._stop.is_set():
            n = len(self.event_ids)
            self.event_ids.append(await post_note(self.client, TENANT, f"emp-{n}", f"note {n}"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 0.05)

    async def written_at_least(self, count: int) -> None:
        await wait_until(lambda: _true(len(self.event_ids) >= count), timeout=60)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task


async def _true(value: bool) -> bool:
    return value


async def _unpublished(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(
            (
                await session.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(col(OutboxMessage.published_at).is_(None))
                )
            ).one()
        )


async def _applied_counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as session:
        rows = (await session.exec(select(SampleNoteCount))).all()
        return {row.employee_id: row.count for row in rows}


@pytest.mark.timeout(900)
async def test_relay_publishes_everything_after_all_brokers_restart(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/outage.db"
    home = tmp_path / "cluster"
    bootstrap = await asyncio.to_thread(lk.ensure_cluster, BASE_PORT, home)
    prefix = f"t{time.time_ns() % 10**10}."
    try:
        async with running(database_url, bootstrap, prefix, outbox_stall_seconds=600) as (
            runtime,
            client,
        ):
            writer = Writer(client)
            writer.start()
            await writer.written_at_least(10)
            await wait_until(lambda: _applied_counts(runtime), timeout=60)

            # Every broker down while writes keep arriving in the outbox.
            await asyncio.to_thread(lk.stop_cluster, BASE_PORT, home)
            during = len(writer.event_ids)
            await writer.written_at_least(during + 30)
            await asyncio.to_thread(lk.ensure_cluster, BASE_PORT, home)
            after = len(writer.event_ids)
            await writer.written_at_least(after + 10)
            await writer.stop()
            expected = writer.event_ids

            # Bounded wait, no manual step: the relay recovers by itself.
            async def drained() -> bool:
                return await _unpublished(runtime) == 0

            await wait_until(drained, timeout=300, interval=1.0)

            async def all_applied() -> dict[str, int] | None:
                counts = await _applied_counts(runtime)
                return counts if len(counts) == len(expected) else None

            counts = await wait_until(all_applied, timeout=300, interval=1.0)
            # Exactly once: each employee got exactly one note, however often it was sent.
            assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
            restarts = runtime.metrics.registry.get_sample_value(
                "kinerja_outbox_producer_restarts_total",
                {"service": runtime.settings.service_name},
            )
            print(f"rows={len(expected)} producer restarts={restarts}")

    finally:
        await asyncio.to_thread(lk.stop_cluster, BASE_PORT, home)
