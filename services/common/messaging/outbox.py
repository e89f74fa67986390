"""Transactional outbox: events are rows written in the same transaction as the state.

A write accepted over HTTP commits its rows and its events together, so it is never
lost when Kafka is down. The relay publishes unsent rows in id order, waits for every
acknowledgement (acks=all), then marks them published. A crash between the two
republishes a batch: delivery is at-least-once and the consumers' inbox makes it
exactly-once in effect.

Nothing stalls and nothing hides:

- A row Kafka will never accept (larger than ``max_request_size``, an invalid topic) is
  *parked* (``parked_at``, ``park_reason``), logged at ERROR and counted in
  ``kinerja_outbox_parked``; rows of other keys keep flowing. Later rows of the same
  topic and key stay held behind it, so one entity's events are never published out of
  order. An operator clears ``parked_at`` to retry the row (after raising a limit) or sets
  ``published_at`` to drop it, which releases the rows held behind it.
- The relay owns its producer. An idempotent producer can be left unusable after a full
  outage (``OutOfOrderSequenceNumber``, ``UnknownProducerId``); the relay closes it and
  starts a new one. The rows keep their event ids, so a resent row is a duplicate the
  consumers' inbox skips.
- Backlog, the oldest waiting row's age and parked rows are measured from the table once
  per poll interval (not on every commit's wake), whether or not Kafka answers;
  :meth:`OutboxRelay.check` says "stalled" when rows wait and the relay has published
  none of them for ``stall_seconds``.

One relay runs per service instance. Several instances on one PostgreSQL database take
turns: a publishing round (read a batch, send it, mark it) holds the database's outbox
advisory lock, and a relay that finds it taken skips the round, so each row is sent once
and in id order whichever instance wrote it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from sqlalchemy import case, exists, func, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, aliased
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import Envelope
from services.common.kafka import KafkaClientConfig
from services.common.messaging.broker import create_producer
from services.common.messaging.producer_errors import park_reason, producer_is_dead
from services.common.observability import Metrics, NotReady
from services.common.storage import LockFor, SessionFactory, exclusive

log = logging.getLogger(__name__)


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
    parked_at: datetime | None = Field(default=None, index=True)
    park_reason: str | None = Field(default=None, max_length=40)


OUTBOX_DIRTY = "kinerja_outbox_dirty"
# At stop, how long the relay keeps sending what is already staged (within the runtime's
# bound on each shutdown step).
DRAIN_ON_STOP_SECONDS = 5.0


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


ACK_TIMEOUT_SECONDS = 30
BUSY_RETRY_SECONDS = 0.1
# At stop, how long a round in flight may take to end before it is cancelled.
ROUND_FINISH_SECONDS = 5.0
PRODUCER_STOP_SECONDS = 10


@dataclass
class OutboxState:
    """What the last measurement of the table found."""

    backlog: int = 0
    parked: int = 0
    oldest: datetime | None = None

    def oldest_age(self) -> float:
        return max(0.0, (utcnow() - self.oldest).total_seconds()) if self.oldest else 0.0


@dataclass
class _Round:
    """The outcome of one batch: what to mark published, what to park, the first failure."""

    published: list[int]
    parked: list[tuple[OutboxMessage, str]]
    failure: BaseException | None = None


class OutboxRelay:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        kafka: KafkaClientConfig,
        broker_ready: asyncio.Event,
        metrics: Metrics,
        topic_prefix: str = "",
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        stall_seconds: float = 60.0,
        max_record_bytes: int = 1 << 20,
    ) -> None:
        self.sessions = sessions
        self.kafka = kafka
        # Set once the service's topics exist: the relay never creates them by publishing.
        self.broker_ready = broker_ready
        self.metrics = metrics
        self.topic_prefix = topic_prefix
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.stall_seconds = stall_seconds
        self.max_record_bytes = max_record_bytes
        self.state = OutboxState()
        self._producer: AIOKafkaProducer | None = None
        # Last moment the relay was not behind: it published, or nothing was publishable.
        self._healthy_at = time.monotonic()
        self._wake = asyncio.Event()
        # Seen broker_ready once: the topics exist, so a drain at stop may publish (the
        # broker connection, stopped first, clears broker_ready).
        self._topics_exist = False
        self._task: asyncio.Task[None] | None = None
        # The last round found another instance's relay publishing from this database.
        self.round_busy = False
        self._stopping = False
        service = metrics.service
        metrics.outbox_backlog.labels(service).set_function(lambda: self.state.backlog)
        metrics.outbox_parked.labels(service).set_function(lambda: self.state.parked)
        # Read at scrape time: the age keeps growing between two polls, as it does.
        metrics.outbox_oldest_age.labels(service).set_function(self.state_oldest_age)
        sync_class = sessions.kw["sync_session_class"]
        sa_event.listen(sync_class, "after_commit", self._after_commit)

    def state_oldest_age(self) -> float:
        return self.state.oldest_age()

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(OUTBOX_DIRTY, False):
            self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._healthy_at = time.monotonic()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, drain_seconds: float = DRAIN_ON_STOP_SECONDS) -> None:
        """Stop relaying. What the last requests and events staged is sent first, for at
        most ``drain_seconds``: a row left behind is not lost (the next start sends it),
        but a deploy should not hold events back for the length of a restart."""
        if self._task is not None:
            # Let a round in flight end rather than cancel it mid-query: a connection
            # cancelled inside an operation (the round's lock, a batch read) is left busy,
            # and disposing the engine then waits for it.
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), ROUND_FINISH_SECONDS)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._topics_exist and drain_seconds > 0:
            try:
                await asyncio.wait_for(self._drain(), drain_seconds)
            except Exception as exc:  # Kafka or the database gone: the next start sends them
                log.warning("outbox not drained at stop (%s)", type(exc).__name__)
        await self._close_producer()
        sa_event.remove(self.sessions.kw["sync_session_class"], "after_commit", self._after_commit)

    # ------------------------------------------------------------------ health

    def stalled(self) -> bool:
        return (
            self.state.backlog > 0
            and time.monotonic() - self._healthy_at > self.stall_seconds
            and self.state.oldest_age() > self.stall_seconds
        )

    async def check(self) -> None:
        """Readiness: not ready while rows wait and none was published for too long."""
        if self.stalled():
            raise NotReady("stalled")

    def details(self) -> dict[str, Any]:
        return {
            "backlog": self.state.backlog,
            "oldest_age_seconds": round(self.state.oldest_age(), 1),
            "parked": self.state.parked,
        }

    async def measure(self) -> OutboxState:
        """Count waiting and parked rows and find the oldest waiting one, from the table."""
        waiting = col(OutboxMessage.parked_at).is_(None)
        async with self.sessions() as session:
            backlog, parked, oldest = (
                await session.exec(
                    select(
                        func.count(case((waiting, 1))),
                        func.count(col(OutboxMessage.parked_at)),
                        func.min(case((waiting, col(OutboxMessage.created_at)))),
                    ).where(col(OutboxMessage.published_at).is_(None))
                )
            ).one()
        if isinstance(oldest, str):  # SQLite hands an aggregate back as text
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        self.state = OutboxState(backlog=backlog or 0, parked=parked or 0, oldest=oldest)
        if not self.state.backlog:
            self._healthy_at = time.monotonic()
        return self.state

    # ------------------------------------------------------------------ loop

    async def _run(self) -> None:
        delay = 0.5
        measure_at = 0.0
        while not self._stopping:
            # Measured first and whatever Kafka does: the metrics must not depend on it.
            # Once per poll interval, not on every wake: under load every commit wakes
            # the relay, and a count of the table per commit was a third of its rounds'
            # queries (bench/README.md, alert_latency).
            if time.monotonic() >= measure_at:
                measure_at = time.monotonic() + self.poll_seconds
                try:
                    await self.measure()
                except Exception as exc:  # database unavailable: the next poll tries again
                    log.warning("outbox relay cannot read the outbox (%s)", type(exc).__name__)
            if not self.broker_ready.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.broker_ready.wait(), self.poll_seconds)
                continue
            self._topics_exist = True
            try:
                sent = await self.publish_pending()
                delay = 0.5
            except Exception as exc:  # Kafka or DB unavailable: rows stay, try again later
                log.warning(
                    "outbox relay failed (%s: %s); retrying in %.1fs",
                    type(exc).__name__,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            if sent == self.batch_size:
                continue  # more waiting: no pause
            if self.round_busy:
                # Another instance is mid-round: its rows may not include ours, so look
                # again soon rather than after a whole poll interval.
                await asyncio.sleep(min(self.poll_seconds, BUSY_RETRY_SECONDS))
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def _drain(self) -> None:
        while await self.publish_pending():
            pass

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = create_producer(
                self.kafka,
                client_id=f"{self.metrics.service}-outbox",
                max_request_size=self.max_record_bytes,
            )
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(producer.stop(), PRODUCER_STOP_SECONDS)
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), PRODUCER_STOP_SECONDS)

    async def _next_batch(self) -> list[OutboxMessage]:
        """Unsent rows in id order, except those held behind a parked row of their key."""
        parked = aliased(OutboxMessage)
        held = exists().where(
            col(parked.parked_at).is_not(None),
            col(parked.published_at).is_(None),
            col(parked.topic) == col(OutboxMessage.topic),
            col(parked.key) == col(OutboxMessage.key),
            col(parked.id) < col(OutboxMessage.id),
        )
        async with self.sessions() as session:
            rows = await session.exec(
                select(OutboxMessage)
                .where(
                    col(OutboxMessage.published_at).is_(None),
                    col(OutboxMessage.parked_at).is_(None),
                    ~held,
                )
                .order_by(col(OutboxMessage.id))
                .limit(self.batch_size)
            )
            return list(rows.all())

    def _too_large(self, row: OutboxMessage) -> bool:
        """The producer's own size estimate, checked before asking the broker anything."""
        size = DefaultRecordBatchBuilder.estimate_size_in_bytes(
            row.key.encode(), row.body, self._headers(row)
        )
        return bool(size > self.max_record_bytes)

    @staticmethod
    def _headers(row: OutboxMessage) -> list[tuple[str, bytes]]:
        return [("event-type", row.type.encode()), ("event-id", row.event_id.encode())]

    async def _send(self, producer: AIOKafkaProducer, row: OutboxMessage) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await producer.send(
            self.topic_prefix + row.topic,
            value=row.body,
            key=row.key.encode(),
            headers=self._headers(row),
        )
        return future

    async def publish_pending(self) -> int:
        """Publish one batch of unsent events in order; return how many were sent (0, with
        ``round_busy`` set, when another instance's relay holds the round)."""
        producer = await self._ensure_producer()
        async with exclusive(self.sessions.kw["bind"], LockFor.OUTBOX_ROUND) as mine:
            self.round_busy = not mine
            return await self._round(producer) if mine else 0

    async def _round(self, producer: AIOKafkaProducer) -> int:
        rows = await self._next_batch()
        if not rows:
            self._healthy_at = time.monotonic()  # all waiting rows are held: not a stall
            return 0
        outcome = await self._publish(producer, rows)
        await self._record(outcome)
        if outcome.published or not outcome.failure:
            self._healthy_at = time.monotonic()
        if outcome.failure is not None:
            if producer_is_dead(producer, outcome.failure):
                log.warning(
                    "outbox producer unusable (%s); starting a new one",
                    type(outcome.failure).__name__,
                )
                self.metrics.outbox_producer_restarts.labels(self.metrics.service).inc()
                await self._close_producer()
            raise outcome.failure
        return len(outcome.published)

    async def _publish(self, producer: AIOKafkaProducer, rows: list[OutboxMessage]) -> _Round:
        outcome = _Round(published=[], parked=[])
        # A key whose earlier row was parked or not sent: its later rows wait (order).
        stopped: set[tuple[str, str]] = set()
        sent: list[tuple[OutboxMessage, asyncio.Future[Any]]] = []
        for row in rows:
            entity = (row.topic, row.key)
            if entity in stopped:
                continue
            if self._too_large(row):
                outcome.parked.append((row, "too_large"))
                stopped.add(entity)
                continue
            try:
                # Sent without awaiting each acknowledgement (the producer keeps order per
                # partition with idempotence on); all are awaited below.
                sent.append((row, await self._send(producer, row)))
            except Exception as exc:
                reason = park_reason(exc)
                if reason is None:
                    outcome.failure = exc  # Kafka unavailable: stop, keep what was sent
                    break
                outcome.parked.append((row, reason))
                stopped.add(entity)
        # return_exceptions: every acknowledgement is collected, none left unretrieved.
        results = await asyncio.wait_for(
            asyncio.gather(*(f for _, f in sent), return_exceptions=True), ACK_TIMEOUT_SECONDS
        )
        rejected: list[OutboxMessage] = []
        for (row, _), result in zip(sent, results, strict=True):
            if not isinstance(result, BaseException):
                outcome.published.append(row.id)  # type: ignore[arg-type]
            elif park_reason(result) is not None:
                rejected.append(row)
            elif outcome.failure is None:
                outcome.failure = result
        if rejected and outcome.failure is None:
            await self._confirm_rejected(producer, rejected, outcome)
        return outcome

    async def _confirm_rejected(
        self, producer: AIOKafkaProducer, rows: list[OutboxMessage], outcome: _Round
    ) -> None:
        """The broker refused a record batch: send each of its rows alone, so only the row
        at fault is parked, not its neighbours in that batch."""
        for row in rows:
            try:
                await (await self._send(producer, row))
                outcome.published.append(row.id)  # type: ignore[arg-type]
            except Exception as exc:
                reason = park_reason(exc)
                if reason is None:
                    outcome.failure = exc
                    return
                outcome.parked.append((row, reason))

    async def _record(self, outcome: _Round) -> None:
        if not outcome.published and not outcome.parked:
            return
        now = utcnow()
        async with self.sessions.begin() as session:
            if outcome.published:
                await session.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(outcome.published))
                    .values(published_at=now)
                )
            for row, reason in outcome.parked:
                await session.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id) == row.id)
                    .values(parked_at=now, park_reason=reason)
                )
        for row, reason in outcome.parked:
            log.error(
                "outbox row parked (%s): event %s type %s topic %s key %s, %d bytes; later "
                "events of this key wait until an operator releases it",
                reason,
                row.event_id,
                row.type,
                row.topic,
                row.key,
                len(row.body),
            )
        self.metrics.outbox_published.labels(self.metrics.service).inc(len(outcome.published))
        if outcome.parked:
            self.state.parked += len(outcome.parked)
