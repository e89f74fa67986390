"""Consuming events: inbox (exactly-once in effect), bounded retries, dead-letter topic.

The subscriber reads batches with manual acknowledgement. For each batch it:

1. decodes every record into an :class:`Envelope`; a record that is not a valid event,
   or not where its contract puts it (its type's topic, its key as the Kafka key), is
   dead-lettered with the reason;
2. in ONE database transaction, claims the batch's ids in the inbox (one statement: the
   ids already there are the duplicates, skipped), applies the rest through the service's
   handler, and commits both together (a failure rolls back the claims with the effects);
3. commits the offsets only after that transaction committed.

With ``max_chunk_keys``, steps 1 and 2 go chunk by chunk (consecutive records naming at
most that many distinct keys) inside the batch's one transaction: a large batch's memory
is one chunk's, its commit and offsets stay one.

If the batch fails, each event is retried on its own (``max_attempts`` times, each in its
own transaction) and an event that still fails goes to ``<topic>.dlq`` with the error in
its headers, so the partition moves on. A database that is down is not the event's fault:
the batch is rewound and tried again later, nothing is dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any

import orjson
from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.errors import IllegalStateError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import (
    Envelope,
    EventDecodeError,
    check_placement,
    dead_letter_topic,
    decode_event,
)
from services.common.fastpaths.faststream_batch import batch_message, raw_values
from services.common.fastpaths.malloc_trim import release_free_memory
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
    processed_at: datetime = Field(default_factory=utcnow)


_type_of = attrgetter("type")
_tenant_of = attrgetter("tenant")

LAG_SAMPLE = 1000  # events per batch whose lag is observed (see _Tally)
# After a batch of at least this many records, the C heap's free pages go back to the
# system (fastpaths.malloc_trim): a backlog's batches free hundreds of MB each; a live
# stream's small batches are not worth the call.
TRIM_AFTER_RECORDS = 1000


class PoisonEvent(Exception):
    """Raised by a handler for an event that can never be applied (goes straight to DLQ)."""


TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, OSError)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError | InterfaceError):
        return False  # integrity or data errors come from the event, not the infrastructure
    return isinstance(exc, TRANSIENT_ERRORS)


async def _claim(session: AsyncSession, events: Sequence[Envelope]) -> list[Envelope]:
    """Record the events' ids in the inbox; return the events that were not there yet,
    first occurrence only.

    Claimed in the transaction that applies them, before the handler runs: if applying
    fails, the claims roll back with the effects. One statement per batch, through the
    driver (SQLite adds a SELECT when some ids were claimed before): SQLAlchemy's per-row
    parameter processing of a 10,000-event batch (SELECT ... IN, then INSERT) cost more
    than the statements themselves.
    """
    batch: dict[str, Envelope] = {}
    for event in events:
        batch.setdefault(str(event.event_id), event)
    if not batch:
        return []
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        seen = await _claim_sqlite(connection, batch)
    else:
        seen = await _claim_postgresql(connection, batch)
    if not seen:
        return list(batch.values())
    return [event for event_id, event in batch.items() if event_id not in seen]


# The ids already in the inbox come back (usually none), not the ~10,000 fresh ones: the
# INSERT's RETURNING tells which ids it claimed, and the rest of the batch was there before.
# A concurrent claimant of the same id (a rebalance mid-batch) makes ON CONFLICT wait for its
# transaction: claimed by it if it commits, by us if it rolls back.
_POSTGRESQL_CLAIM = text(
    """
    WITH batch AS (
        SELECT * FROM unnest(CAST(:ids AS VARCHAR[]), CAST(:types AS VARCHAR[]))
            AS b(event_id, type)
    ), claimed AS (
        INSERT INTO processed_event (event_id, type, processed_at)
        SELECT event_id, type, CAST(:now AS TIMESTAMPTZ) FROM batch
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id
    )
    SELECT event_id FROM batch EXCEPT SELECT event_id FROM claimed
    """
)


async def _claim_postgresql(connection: AsyncConnection, batch: Mapping[str, Envelope]) -> set[str]:
    result = await connection.execute(
        _POSTGRESQL_CLAIM,
        {"ids": list(batch), "types": [e.type for e in batch.values()], "now": utcnow()},
    )
    return set(result.scalars())


# One statement per event type in the batch (a handful), its ids as one JSON array that
# SQLite unpacks itself: binding 50,000 rows one by one through executemany cost ~1.5 us of
# CPU per event more (bench.scoring_drain, the kernel alone).
_SQLITE_CLAIM = (
    "INSERT OR IGNORE INTO processed_event (event_id, type, processed_at) "
    "SELECT value, ?, ? FROM json_each(?)"
)
_SQLITE_SEEN = (
    "SELECT event_id FROM processed_event "
    "WHERE processed_at <> ? AND event_id IN (SELECT value FROM json_each(?))"
)
_last_stamp = datetime.min.replace(tzinfo=UTC)


async def _claim_sqlite(connection: AsyncConnection, batch: Mapping[str, Envelope]) -> set[str]:
    # An INSERT ... SELECT counts the rows it inserted (an ignored duplicate counts 0), so
    # a batch with nothing already claimed costs these statements alone.
    stamp = _processed_at(connection, _unique_now())
    by_type: dict[str, list[str]] = {}
    for event_id, event in batch.items():
        by_type.setdefault(event.type, []).append(event_id)
    inserted = 0
    for event_type, ids in by_type.items():
        result = await connection.exec_driver_sql(
            _SQLITE_CLAIM, (event_type, stamp, orjson.dumps(ids).decode())
        )
        inserted += result.rowcount
    if inserted == len(batch):
        return set()
    if inserted == 0:  # a whole batch delivered again (its offsets were not committed)
        return set(batch)
    # Some ids were claimed before: this batch's rows carry this transaction's own stamp
    # and the older rows an earlier one.
    rows = await connection.exec_driver_sql(
        _SQLITE_SEEN, (stamp, orjson.dumps(list(batch)).decode())
    )
    return {row[0] for row in rows}


def _unique_now() -> datetime:
    """Now, but later than any earlier call in this process even if the clock steps back,
    so no older inbox row carries the stamp of the batch being claimed (another process
    would have to have claimed the same id in the same microsecond)."""
    global _last_stamp
    now = utcnow()
    if now <= _last_stamp:
        now = _last_stamp + timedelta(microseconds=1)
    _last_stamp = now
    return now


def _processed_at(connection: AsyncConnection, value: datetime) -> Any:
    """``value`` as SQLAlchemy stores it in ``processed_at`` on this database (the raw
    driver's statements write and compare exactly what the ORM writes and reads)."""
    column = ProcessedEvent.__table__.c.processed_at  # type: ignore[attr-defined]
    process = column.type.bind_processor(connection.dialect)
    return process(value) if process else value


class _Tally:
    """What a batch's chunks applied, counted into the metrics once the batch committed."""

    def __init__(self) -> None:
        self.duplicates = 0
        self.types: Counter[str] = Counter()
        self.tenants: Counter[str] = Counter()
        self.occurred: list[datetime] = []

    def add(self, events: Sequence[Envelope], fresh: Sequence[Envelope]) -> None:
        self.duplicates += len(events) - len(fresh)
        # One labelled child per type and one for the lag: ``labels()`` per event cost more
        # than applying a small event.
        self.types.update(map(_type_of, fresh))
        self.tenants.update(map(_tenant_of, fresh))
        # An even sample of a large batch: the lag's distribution is what the alert reads,
        # and observing 50,000 events one by one cost 3% of a scoring drain.
        step = max(len(fresh) // LAG_SAMPLE, 1)
        self.occurred.extend(event.occurred_at for event in fresh[::step])

    def report(self, metrics: Metrics) -> None:
        service = metrics.service
        if self.duplicates:
            metrics.duplicates_skipped.labels(service).inc(self.duplicates)
        for event_type, count in self.types.items():
            metrics.events_applied.labels(service, event_type).inc(count)
        for tenant, count in self.tenants.items():
            metrics.tenant_events_applied.labels(service, tenant).inc(count)
        lag = metrics.event_lag_seconds.labels(service)
        now = utcnow()
        for occurred_at in self.occurred:
            lag.observe(max((now - occurred_at).total_seconds(), 0.0))


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
        max_chunk_keys: int | None = None,
        partition_fetch_bytes: int = 1 << 20,
        batch_timeout_ms: int = 100,
        retry_delay: float = 0.2,
        listener: ConsumerRebalanceListener | None = None,
        partition_assignment_strategy: Sequence[type[AbstractPartitionAssignor]] | None = None,
    ) -> None:
        """``listener`` hears partitions being revoked and assigned (a service that keeps
        state in memory per partition clears it there); ``partition_assignment_strategy``
        e.g. ``(RangePartitionAssignor,)`` gives one instance the same partition number of
        every topic (co-partitioning: all events of one key land on one instance).
        ``max_chunk_keys`` bounds the distinct keys of the events handed to the handler at
        once: a larger batch is applied in consecutive chunks, all in its one transaction."""
        if (handlers is None) == (batch_handler is None):
            raise ValueError("give exactly one of handlers or batch_handler")
        self.broker = broker
        self.sessions = sessions
        self.metrics = metrics
        self.group_id = group_id
        self.handlers = dict(handlers or {})
        self.batch_handler = batch_handler or self._dispatch
        self.accepts = accepts or (lambda e: handlers is None or e.type in self.handlers)
        self.topic_prefix = topic_prefix
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.max_chunk_keys = max_chunk_keys
        self.topics = [topic_prefix + t for t in topics]
        options: dict[str, Any] = {}
        if partition_assignment_strategy is not None:
            options["partition_assignment_strategy"] = tuple(partition_assignment_strategy)
        broker.subscriber(
            *self.topics,
            group_id=group_id,
            batch=True,
            max_records=max_records,
            max_partition_fetch_bytes=partition_fetch_bytes,
            batch_timeout_ms=batch_timeout_ms,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            listener=listener,
            parser=batch_message,
            decoder=raw_values,
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
        dead: set[int] = set()  # the invalid records dead-lettered (their id())
        try:
            await self._apply_in_chunks(records, dead)
        except Exception as exc:
            if _is_transient(exc):
                raise
            if len(records) > 1:
                log.info("batch failed (%s); applying its events one by one", exc)
            for record, event in await self._decode(records, dead):
                await self._apply_one_with_retries(record, event)
        if len(records) >= TRIM_AFTER_RECORDS:
            release_free_memory()
        self.metrics.apply_seconds.labels(self.metrics.service).observe(
            time.perf_counter() - started
        )

    async def _decode(
        self, records: Sequence[ConsumerRecord[Any, Any]], dead: set[int]
    ) -> list[tuple[ConsumerRecord[Any, Any], Envelope]]:
        """The records' events this consumer accepts; the invalid ones are dead-lettered
        (once: ``dead`` holds those already sent)."""
        events: list[tuple[ConsumerRecord[Any, Any], Envelope]] = []
        prefix = self.topic_prefix
        for record in records:
            try:
                event = decode_event(record.value)
                check_placement(event, topic=record.topic.removeprefix(prefix), key=record.key)
            except EventDecodeError as exc:
                if id(record) not in dead:
                    dead.add(id(record))
                    await self.dead_letter(record, f"invalid event: {exc}", attempts=0)
                continue
            if self.accepts(event):
                events.append((record, event))
        return events

    def _chunks(
        self, records: Sequence[ConsumerRecord[Any, Any]]
    ) -> Iterator[Sequence[ConsumerRecord[Any, Any]]]:
        """Consecutive slices of the batch naming at most ``max_chunk_keys`` distinct Kafka
        keys (the entities the events are about) each; the whole batch when unbounded."""
        bound = self.max_chunk_keys
        if bound is None or len(records) <= bound:
            yield records
            return
        keys: set[Any] = set()
        start = 0
        for i, record in enumerate(records):
            key = record.key if record.key is not None else i  # no key: an entity of its own
            if key not in keys:
                if len(keys) == bound:
                    yield records[start:i]
                    keys.clear()
                    start = i
                keys.add(key)
        yield records[start:]

    async def _apply_in_chunks(
        self, records: Sequence[ConsumerRecord[Any, Any]], dead: set[int]
    ) -> None:
        """The batch in ONE transaction, decoded and handed to the handler chunk by chunk
        (``max_chunk_keys``): only one chunk's events and the state they touch are in
        memory at a time, while the batch keeps its one commit and its offsets."""
        tally = _Tally()
        async with contextlib.AsyncExitStack() as stack:
            session: AsyncSession | None = None
            for chunk in self._chunks(records):
                events = [event for _, event in await self._decode(chunk, dead)]
                if not events:
                    continue
                if session is None:  # a batch with no event to apply opens no transaction
                    session = await stack.enter_async_context(self.sessions.begin())
                await self._claim_and_handle(session, events, tally)
                del events  # before the next chunk is decoded
        tally.report(self.metrics)

    async def _claim_and_handle(
        self, session: AsyncSession, events: Sequence[Envelope], tally: _Tally
    ) -> None:
        """Claim the events in the inbox and hand the fresh ones to the handler."""
        fresh = await _claim(session, events)
        if fresh:
            await self.batch_handler(session, fresh)
        tally.add(events, fresh)

    async def _apply_in_one_transaction(self, events: Sequence[Envelope]) -> None:
        tally = _Tally()
        async with self.sessions.begin() as session:
            await self._claim_and_handle(session, events, tally)
        tally.report(self.metrics)

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
        # The last offset of each partition (a TopicPartition per record cost ~1% of a drain).
        last = {(record.topic, record.partition): record.offset for record in records}
        for (topic, partition), offset in last.items():
            tp = TopicPartition(topic, partition)
            try:
                high = highwater(tp)
            except IllegalStateError:
                # Revoked by a rebalance while the batch was applied: its new owner reports it.
                continue
            if high is not None:
                self.metrics.consumer_lag.labels(self.metrics.service, tp.topic, tp.partition).set(
                    max(high - offset - 1, 0)
                )
