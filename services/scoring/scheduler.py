"""Time-based work: pace figures move with the calendar, and two alerts (silent, assessment
due) depend on the date alone. A tick refreshes every employee with an SKP this year (or
an open employee alert), in chunks, and dead-letters events parked for too long."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

from sqlalchemy import select

from services.common.events import dead_letter_topic, decode_event
from services.common.orgchart import OrgTenant
from services.common.runtime import Runtime
from services.common.workdays import local_today
from services.scoring.domain import EMPLOYEE_KINDS
from services.scoring.models import ParkedEvent, ScoreAlert, ScoreSkp
from services.scoring.shared import Context, Refresher, utc_now
from services.scoring.store import delete_keys, execute, table_of, take_turn

log = logging.getLogger(__name__)
CHUNK = 500
TURN_EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z


class Scheduler:
    def __init__(
        self,
        runtime: Runtime,
        projector: Refresher,
        ctx: Context,
        *,
        interval_seconds: float,
        park_timeout_seconds: float,
    ) -> None:
        self.runtime = runtime
        self.projector = projector
        self.ctx = ctx
        self.interval = interval_seconds
        self.park_timeout = park_timeout_seconds
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> None:
        await self.expire_parked()
        async with self.runtime.sessions() as session:
            tenants = {r[0] for r in await execute(session, select(table_of(OrgTenant).c.slug))} | {
                r[0] for r in await execute(session, select(table_of(ScoreSkp).c.tenant).distinct())
            }
        for tenant in sorted(tenants):
            await self.refresh_tenant(tenant)

    async def refresh_tenant(self, tenant: str) -> None:
        async with self.runtime.sessions() as session:
            row = await session.get(OrgTenant, tenant)
            year = local_today(row.time_zone if row else "Asia/Jakarta", self.ctx.clock()).year
            skp, alert = table_of(ScoreSkp), table_of(ScoreAlert)
            ids = {
                r[0]
                for r in await execute(
                    session,
                    select(skp.c.employee_id).where(skp.c.tenant == tenant, skp.c.year == year),
                )
            } | {
                r[0]
                for r in await execute(
                    session,
                    select(alert.c.subject_id).where(
                        alert.c.tenant == tenant, alert.c.kind.in_(EMPLOYEE_KINDS)
                    ),
                )
            }
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            async with self.runtime.sessions.begin() as session:
                await self.projector.refresh(session, tenant, ordered[start : start + CHUNK])

    async def expire_parked(self) -> int:
        """Dead-letter events parked longer than the bounded wait (a metric counts them)."""
        connection = self.runtime.connection
        if connection is None or not connection.ready.is_set():
            return 0
        limit = utc_now(self.ctx.clock) - timedelta(seconds=self.park_timeout)
        table = table_of(ParkedEvent)
        prefix = self.runtime.settings.topic_prefix
        m = self.ctx.metrics
        async with self.runtime.sessions.begin() as session:
            rows = (await execute(session, select(table).where(table.c.parked_at < limit))).all()
            for r in rows:
                event = decode_event(r.body)
                await self.runtime.broker.publish(
                    r.body.encode(),
                    topic=dead_letter_topic(prefix + event.topic),
                    key=event.key.encode(),
                    headers={
                        "dlq-reason": f"parked since {r.parked_at.isoformat()}: the fact it "
                        f"needs ({r.release_key}) never arrived",
                        "dlq-service": m.service,
                        "dlq-attempts": "0",
                    },
                )
                m.parked.labels(m.service, r.type, "expired").inc()
            await delete_keys(session, ParkedEvent, [(r.seq,) for r in rows])
        if rows:
            log.warning("dead-lettered %d parked events after %ss", len(rows), self.park_timeout)
        return len(rows)

    async def take_turn(self) -> bool:
        """Whether this instance runs this interval's tick: with several instances on one
        database, the first to take the turn does, the others skip it (its writes are
        locked per employee anyway; this saves doing them twice). Wall-clock time, not the
        domain clock: the turn is an operational lease."""
        # Seconds since 2020 (score_lock.n is a 32-bit integer on PostgreSQL), held a little
        # less than the interval so the next tick (of any instance) finds the turn free.
        now = int(time.time()) - TURN_EPOCH
        async with self.runtime.sessions.begin() as session:
            return await take_turn(session, now, max(int(self.interval * 0.9), 1))

    async def _run(self) -> None:
        while True:
            try:
                if await self.take_turn():
                    await self.tick()
                else:
                    log.debug("another scoring instance has this scheduler turn")
            except Exception:  # a failed tick is retried at the next one
                log.exception("scoring scheduler tick failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self.interval > 0:
            self._task = asyncio.create_task(self._run(), name="scoring-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
