"""Consuming events: inbox (exactly-once in effect), bounded retries, dead-letter topic.

The subscriber reads batches with manual acknowledgement. For each batch it:

1. decodes every record into an :class:`Envelope`; a record that is not a valid event
   is dead-lettered with the reason;
2. in ONE database transaction, drops the events whose ids are already in the inbox,
   applies the rest through the service's handler and records their ids in the inbox;
3. commits the offsets only after that transaction committed.

If the batch fails, each event is retried on its own (``max_attempts`` times, each in its
own transaction) and an event that still fails goes to ``<topic>.dlq`` with the error in
its headers, so the partition moves on. A database that is down is not the event's fault:
the batch is rewound and tried again later, nothing is dead-lettered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import Envelope, EventDecodeError, dead_letter_topic, decode_event
from services.common.observability import Metrics
from services.common.storage import SessionFactory

log = logging.getLogger(__name__)

EventHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]


class ProcessedEvent(SQLModel, table=True):
    """The inbox: ids of events whose effects are committed in this database."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True, max_length=36)
    type: str = Field(max_length=100)
    processed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class PoisonEvent(Exception):
    """Raised by a handler for an event that can never be applied (goes straight to DLQ)."""


TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, OSError)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError | InterfaceError):
        return False  # integrity or data errors come from the event, not the infrastructure
    return isinstance(exc, TRANSIENT_ERRORS)


async def _new_events(session: AsyncSession, events: Sequence[Envelope]) -> list[Envelope]:
    """The events of the batch not yet applied, first occurrence only."""
    ids = [str(e.event_id) for e in events]
    seen = set(
        (
            await session.exec(
                select(ProcessedEvent.event_id).where(col(ProcessedEvent.event_id).in_(ids))
            )
        ).all()
    )
    fresh = []
    for event in events:
        event_id = str(event.event_id)
        if event_id not in seen:
            seen.add(event_id)
            fresh.append(event)
    return fresh


async def _record(session: AsyncSession, events: Iterable[Envelope]) -> None:
    # One Core executemany: building an ORM object per event costs ~0.2 ms (scoring's
    # batches of thousands of events spent most of their time here).
    now = datetime.now(UTC)
    rows = [{"event_id": str(e.event_id), "type": e.type, "processed_at": now} for e in events]
    if rows:
        connection = await session.connection()
        await connection.execute(ProcessedEvent.__table__.insert(), rows)  # type: ignore[attr-defined]


class EventConsumer:
    """Subscribes a service to topics with the inbox, retry and dead-letter rules above.

    Give either ``handlers`` (one coroutine per event type; other types are skipped) or a
    ``batch_handler`` that applies a list of events at once (scoring does, for speed).
    """

    def __init__(
        self,
        *,
        broker: KafkaBroker,
        sessions: SessionFactory,
        metrics: Metrics,
        topics: Sequence[str],
        group_id: str,
        handlers: Mapping[str, EventHandler] | None = None,
        batch_handler: BatchHandler | None = None,
        accepts: Callable[[Envelope], bool] | None = None,
        topic_prefix: str = "",
        max_attempts: int = 3,
        max_records: int = 500,
        retry_delay: float = 0.2,
        listener: ConsumerRebalanceListener | None = None,
        partition_assignment_strategy: Sequence[type[AbstractPartitionAssignor]] | None = None,
    ) -> None:
        """``listener`` hears partitions being revoked and assigned (a service that keeps
        state in memory per partition clears it there); ``partition_assignment_strategy``
        e.g. ``(RangePartitionAssignor,)`` gives one instance the same partition number of
        every topic (co-partitioning: all events of one key land on one instance)."""
        if (handlers is None) == (batch_handler is None):
            raise ValueError("give exactly one of handlers or batch_handler")
        self.broker = broker
        self.sessions = sessions
        self.metrics = metrics
        self.handlers = dict(handlers or {})
        self.batch_handler = batch_handler or self._dispatch
        self.accepts = accepts or (lambda e: handlers is None or e.type in self.handlers)
        self.topic_prefix = topic_prefix
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.topics = [topic_prefix + t for t in topics]
        options: dict[str, Any] = {}
        if partition_assignment_strategy is not None:
            options["partition_assignment_strategy"] = tuple(partition_assignment_strategy)
        broker.subscriber(
            *self.topics,
            group_id=group_id,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=100,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            listener=listener,
            **options,
        )(self._on_batch)

    async def _dispatch(self, session: AsyncSession, events: Sequence[Envelope]) -> None:
        for event in events:
            await self.handlers[event.type](session, event)

    async def _on_batch(self, body: Any, message: KafkaMessage) -> None:
        raw = message.raw_message
        records = tuple(raw) if isinstance(raw, tuple | list) else (raw,)
        try:
            await self.process(records)
        except Exception:
            # Infrastructure down: rewind so nothing in this batch is skipped.
            log.exception("batch not applied; rewinding and retrying later")
            await message.nack()
            await asyncio.sleep(1.0)
            return
        await message.ack()
        self._report_lag(message, records)

    async def process(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        """Apply a batch of raw records (public so tests and tools can drive it directly)."""
        started = time.perf_counter()
        self.metrics.batch_size.labels(self.metrics.service).observe(len(records))
        events: list[tuple[ConsumerRecord[Any, Any], Envelope]] = []
        for record in records:
            try:
                event = decode_event(record.value)
            except EventDecodeError as exc:
                await self.dead_letter(record, f"invalid event: {exc}", attempts=0)
                continue
            if self.accepts(event):
                events.append((record, event))
        if events:
            await self._apply(events)
        self.metrics.apply_seconds.labels(self.metrics.service).observe(
            time.perf_counter() - started
        )

    async def _apply(self, events: list[tuple[ConsumerRecord[Any, Any], Envelope]]) -> None:
        try:
            await self._apply_in_one_transaction([e for _, e in events])
            return
        except Exception as exc:
            if _is_transient(exc):
                raise
            if len(events) > 1:
                log.info("batch failed (%s); applying its events one by one", exc)
        for record, event in events:
            await self._apply_one_with_retries(record, event)

    async def _apply_in_one_transaction(self, events: Sequence[Envelope]) -> None:
        async with self.sessions.begin() as session:
            fresh = await _new_events(session, events)
            if fresh:
                await self.batch_handler(session, fresh)
                await _record(session, fresh)
        self._count(events, fresh)

    async def _apply_one_with_retries(
        self, record: ConsumerRecord[Any, Any], event: Envelope
    ) -> None:
        error: BaseException | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._apply_in_one_transaction([event])
                return
            except PoisonEvent as exc:
                error = exc
                break
            except Exception as exc:
                if _is_transient(exc):
                    raise
                error = exc
                log.warning("event %s failed (attempt %d): %s", event.event_id, attempt, exc)
                await asyncio.sleep(self.retry_delay * attempt)
        await self.dead_letter(
            record, f"{type(error).__name__}: {error}", attempts=self.max_attempts
        )

    def _count(self, events: Sequence[Envelope], fresh: Sequence[Envelope]) -> None:
        service = self.metrics.service
        if len(fresh) < len(events):
            self.metrics.duplicates_skipped.labels(service).inc(len(events) - len(fresh))
        # One labelled child per type and one for the lag: ``labels()`` per event cost more
        # than applying a small event.
        for event_type, count in Counter(e.type for e in fresh).items():
            self.metrics.events_applied.labels(service, event_type).inc(count)
        lag = self.metrics.event_lag_seconds.labels(service)
        now = datetime.now(UTC)
        for event in fresh:
            lag.observe(max((now - event.occurred_at).total_seconds(), 0.0))

    async def dead_letter(
        self, record: ConsumerRecord[Any, Any], reason: str, *, attempts: int
    ) -> None:
        topic = dead_letter_topic(record.topic)
        log.error(
            "dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason
        )
        await self.broker.publish(
            record.value or b"",
            topic=topic,
            key=record.key,
            headers={
                "dlq-reason": reason[:1000],
                "dlq-original-topic": record.topic,
                "dlq-original-partition": str(record.partition),
                "dlq-original-offset": str(record.offset),
                "dlq-service": self.metrics.service,
                "dlq-attempts": str(attempts),
            },
        )
        kind = "invalid" if attempts == 0 else "handler_failed"
        self.metrics.dead_lettered.labels(self.metrics.service, record.topic, kind).inc()

    def _report_lag(self, message: Any, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        consumer = getattr(message, "consumer", None)
        highwater = getattr(consumer, "highwater", None)
        if highwater is None:
            return
        last: dict[TopicPartition, int] = {}
        for record in records:
            last[TopicPartition(record.topic, record.partition)] = record.offset
        for tp, offset in last.items():
            high = highwater(tp)
            if high is not None:
                self.metrics.consumer_lag.labels(self.metrics.service, tp.topic, tp.partition).set(
                    max(high - offset - 1, 0)
                )
