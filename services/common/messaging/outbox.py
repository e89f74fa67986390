"""Transactional outbox: events are rows written in the same transaction as the state.

A write accepted over HTTP commits its rows and its events together, so it is never
lost when Kafka is down. The relay publishes unsent rows in id order, waits for every
acknowledgement (acks=all), then marks them published. A crash between the two
republishes a batch: delivery is at-least-once and the consumers' inbox makes it
exactly-once in effect.

One relay runs per service instance. Two relays of the same service would both publish
(duplicates are harmless) but could interleave the order; run one writer instance per
service database, or one relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from sqlalchemy import event as sa_event
from sqlalchemy import func, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import Envelope
from services.common.observability import Metrics
from services.common.storage import SessionFactory

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True, max_length=36)
    topic: str = Field(max_length=200)
    key: str = Field(max_length=200)
    type: str = Field(max_length=100)
    body: bytes
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = Field(default=None, index=True)


OUTBOX_DIRTY = "kinerja_outbox_dirty"


def add_event(session: AsyncSession, event: Envelope) -> None:
    """Stage an event in the caller's transaction; it is published after the commit.

    An event over ``MAX_EVENT_BYTES`` raises :class:`EventTooLarge` before anything is
    staged: Kafka would refuse it on every retry and block the outbox behind it."""
    body = event.to_checked_bytes()
    session.add(
        OutboxMessage(
            event_id=str(event.event_id),
            topic=event.topic,
            key=event.key,
            type=event.type,
            body=body,
        )
    )
    session.sync_session.info[OUTBOX_DIRTY] = True


class OutboxRelay:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        broker: KafkaBroker,
        broker_ready: asyncio.Event,
        metrics: Metrics,
        topic_prefix: str = "",
        batch_size: int = 500,
        poll_seconds: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.broker = broker
        self.broker_ready = broker_ready
        self.metrics = metrics
        self.topic_prefix = topic_prefix
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        sync_class = sessions.kw["sync_session_class"]
        sa_event.listen(sync_class, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(OUTBOX_DIRTY, False):
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        sa_event.remove(self.sessions.kw["sync_session_class"], "after_commit", self._after_commit)

    async def _run(self) -> None:
        delay = 0.5
        while True:
            await self.broker_ready.wait()
            try:
                sent = await self.publish_pending()
                delay = 0.5
            except Exception as exc:  # Kafka or DB unavailable: rows stay, try again later
                log.warning("outbox relay failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            if sent == self.batch_size:
                continue  # more waiting: no pause
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def publish_pending(self) -> int:
        """Publish one batch of unsent events in order; return how many were sent."""
        async with self.sessions() as session:
            rows = (
                await session.exec(
                    select(OutboxMessage)
                    .where(col(OutboxMessage.published_at).is_(None))
                    .order_by(col(OutboxMessage.id))
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            self.metrics.outbox_backlog.labels(self.metrics.service).set(0)
            return 0
        # Send without awaiting each acknowledgement (the producer keeps order per
        # partition with idempotence on), then wait for all of them before marking.
        futures = [
            await self.broker.publish(
                row.body,
                topic=self.topic_prefix + row.topic,
                key=row.key.encode(),
                headers={"event-type": row.type, "event-id": row.event_id},
                no_confirm=True,
            )
            for row in rows
        ]
        # return_exceptions: every acknowledgement is collected, none left unretrieved.
        results = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), 30)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise failed[0]
        ids = [row.id for row in rows]
        async with self.sessions.begin() as session:
            await session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(ids))
                .values(published_at=utcnow())
            )
            backlog = (
                await session.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(col(OutboxMessage.published_at).is_(None))
                )
            ).one()
        self.metrics.outbox_published.labels(self.metrics.service).inc(len(rows))
        self.metrics.outbox_backlog.labels(self.metrics.service).set(backlog)
        return len(rows)
