"""The inbox claims a batch's ids in one statement: what it must still guarantee.

Driven through ``EventConsumer.process`` (no broker needed), on SQLite and PostgreSQL; the
last test runs the real broker to prove that offsets are committed after the batch and
rewound when the database fails.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import ASSESSMENT_TOPIC, Envelope, FeedbackNoted, new_event
from services.common.messaging import EventConsumer, ProcessedEvent
from services.common.observability import Metrics
from services.common.settings import ServiceSettings
from services.common.storage import (
    SessionFactory,
    create_engine,
    create_tables,
    session_factory,
)
from tests.kernel.sample_service import count_note, create_app, note_count
from tests.support import produce_raw, serve, wait_until


def note(text: str, employee: str = "e-1") -> Envelope:
    payload = FeedbackNoted(
        note_id="n", supervisor_id="s", employee_id=employee, text=text, noted_on=date.today()
    )
    return new_event(payload, tenant="bantul")


def records(events: Sequence[Envelope | bytes]) -> list[ConsumerRecord[bytes, bytes]]:
    out = []
    for offset, event in enumerate(events):
        value = event if isinstance(event, bytes) else event.to_bytes()
        out.append(
            ConsumerRecord(
                topic=ASSESSMENT_TOPIC,
                partition=0,
                offset=offset,
                timestamp=0,
                timestamp_type=0,
                key=b"bantul:e-1" if isinstance(event, bytes) else event.key.encode(),
                value=value,
                checksum=None,
                serialized_key_size=10,
                serialized_value_size=len(value),
                headers=[],
            )
        )
    return out


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(database_url)
    await create_tables(engine, SQLModel.metadata, [ProcessedEvent.__table__])
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


class Recorder:
    """A batch handler that remembers what it applied and fails on the text ``explode``."""

    def __init__(self) -> None:
        self.applied: list[Envelope] = []
        self.calls: list[tuple[AsyncSession, list[str]]] = []  # (its session, its texts)

    async def __call__(self, session: AsyncSession, events: Sequence[Envelope]) -> None:
        self.calls.append((session, texts(events)))
        for event in events:
            assert isinstance(event.payload, FeedbackNoted)
            if event.payload.text == "explode":
                raise RuntimeError("explode")
        self.applied.extend(events)


def consumer_for(sessions: SessionFactory, handler: Recorder) -> tuple[EventConsumer, list[str]]:
    consumer = EventConsumer(
        broker=KafkaBroker("127.0.0.1:1"),  # never started: nothing here publishes
        sessions=sessions,
        metrics=Metrics(service="inbox-test"),
        topics=[ASSESSMENT_TOPIC],
        group_id="inbox-test",
        batch_handler=handler,
        max_attempts=2,
        retry_delay=0,
    )
    dead: list[str] = []

    async def dead_letter(record: ConsumerRecord[Any, Any], reason: str, *, attempts: int) -> None:
        dead.append(reason)

    consumer.dead_letter = dead_letter  # type: ignore[method-assign]
    return consumer, dead


async def inbox(sessions: SessionFactory) -> dict[str, tuple[str, datetime]]:
    """The inbox rows: event id -> (type, processed_at)."""
    async with sessions() as session:
        rows = (await session.exec(select(ProcessedEvent))).all()
        return {row.event_id: (row.type, row.processed_at) for row in rows}


def texts(events: Sequence[Envelope]) -> list[str]:
    return [e.payload.text for e in events if isinstance(e.payload, FeedbackNoted)]


async def test_a_batch_applies_each_new_event_once(sessions: SessionFactory) -> None:
    handler = Recorder()
    consumer, dead = consumer_for(sessions, handler)
    old = note("applied in an earlier batch")
    await consumer.process(records([old]))
    before = await inbox(sessions)

    first, second = note("first"), note("second")
    # The same id twice in one batch: the first occurrence is the one applied.
    again = first.model_copy(update={"payload": first.payload.model_copy(update={"text": "2nd"})})
    await consumer.process(records([first, old, second, again, old]))

    assert texts(handler.applied) == ["applied in an earlier batch", "first", "second"]
    rows = await inbox(sessions)
    assert set(rows) == {str(old.event_id), str(first.event_id), str(second.event_id)}
    assert rows[str(old.event_id)] == before[str(old.event_id)]  # not claimed a second time
    assert {rows[str(e.event_id)][0] for e in (first, second)} == {FeedbackNoted.TYPE}
    skipped = consumer.metrics.registry.get_sample_value(
        "kinerja_duplicate_events_total", {"service": "inbox-test"}
    )
    assert skipped == 3  # old twice, first once
    assert dead == []

    # A batch that was applied entirely (a redelivery after a lost commit) changes nothing.
    await consumer.process(records([first, second, old]))
    assert len(handler.applied) == 3
    assert await inbox(sessions) == rows


async def test_claims_roll_back_with_a_failed_batch(sessions: SessionFactory) -> None:
    handler = Recorder()
    consumer, dead = consumer_for(sessions, handler)
    good, bad, later = note("good"), note("explode"), note("later")
    await consumer.process(records([good, bad, b"{not an event", later]))

    # The batch failed as a whole, rolling back its claims; then each event was applied on
    # its own and the one that always fails was dead-lettered, unclaimed.
    assert [e.event_id for e in handler.applied] == [good.event_id, later.event_id]
    assert set(await inbox(sessions)) == {str(good.event_id), str(later.event_id)}
    assert len(dead) == 2
    assert dead[0].startswith("invalid event")
    assert dead[1] == "RuntimeError: explode"

    # Redelivered: the dead-lettered event is tried again (it was never claimed), the
    # applied ones are skipped.
    await consumer.process(records([good, bad, later]))
    assert len(handler.applied) == 2
    assert len(dead) == 3


async def test_a_batch_goes_to_the_handler_in_chunks_of_keys_in_one_transaction(
    sessions: SessionFactory,
) -> None:
    handler = Recorder()
    consumer, dead = consumer_for(sessions, handler)
    consumer.max_chunk_keys = 2
    batch = [note("a"), note("b"), note("c", "e-2"), note("d", "e-3"), note("e", "e-3")]
    await consumer.process(records(batch))

    # Consecutive, in order, at most two distinct keys each, all in one transaction.
    assert [t for _, t in handler.calls] == [["a", "b", "c"], ["d", "e"]]
    assert handler.calls[0][0] is handler.calls[1][0]
    assert set(await inbox(sessions)) == {str(e.event_id) for e in batch}

    # A chunk that fails rolls back the chunks before it: their events are applied again,
    # one by one, and so is every event of the failed chunk but the one that fails.
    handler.calls.clear()
    again = [note("f"), note("g", "e-2"), note("h", "e-3"), note("explode", "e-3")]
    await consumer.process(records(again))
    one_by_one = [["f"], ["g"], ["h"], ["explode"], ["explode"]]  # max_attempts 2
    assert [t for _, t in handler.calls] == [["f", "g"], ["h", "explode"], *one_by_one]
    assert set(await inbox(sessions)) == {str(e.event_id) for e in [*batch, *again[:3]]}
    assert dead == ["RuntimeError: explode"]


@pytest.mark.kafka
async def test_offsets_commit_after_the_batch_and_rewind_when_the_database_fails(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = ServiceSettings(
        service_name=f"inbox-{uuid.uuid4().hex[:6]}",
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
    )
    runtime, app = create_app(settings, consume=False)
    calls = 0

    async def database_down_once(session: AsyncSession, event: Envelope) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("INSERT", {}, ConnectionError("database went away"))
        await count_note(session, event)

    runtime.consume([ASSESSMENT_TOPIC], handlers={FeedbackNoted.TYPE: database_down_once})
    topic = topic_prefix + ASSESSMENT_TOPIC
    events = [note(f"note {i}") for i in range(5)]
    async with serve(app):
        await produce_raw(kafka_bootstrap, topic, [(e.key.encode(), e.to_bytes()) for e in events])

        async def all_applied() -> bool:
            return await note_count(runtime, "bantul", "e-1") >= len(events)

        await wait_until(all_applied, timeout=60)

        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:

            async def committed() -> dict[TopicPartition, int]:
                group = settings.topic_prefix + settings.service_name  # the default group
                offsets = await admin.list_consumer_group_offsets(group)
                return {tp: meta.offset for tp, meta in offsets.items() if meta.offset > 0}

            async def all_committed() -> dict[TopicPartition, int] | None:
                offsets = await committed()
                return offsets if sum(offsets.values()) >= len(events) else None

            # One key, so one partition: committed up to its last record, not beyond.
            offsets = await wait_until(all_committed, timeout=30)
            assert list(offsets.values()) == [len(events)]
            assert next(iter(offsets)).topic == topic
        finally:
            await admin.close()
    # The first attempt failed: the batch was rewound and applied again, exactly once.
    assert calls > len(events)
    assert await note_count(runtime, "bantul", "e-1") == len(events)
    # FastStream's Prometheus middleware still sees every record and its bytes (the kernel
    # gives FastStream's batch parser one record and then the whole batch).
    received = sampled(runtime, "faststream_received_messages_total")
    size = sampled(runtime, "faststream_received_messages_size_bytes_sum")
    assert received >= len(events) + 1  # the rewound batch was received twice
    assert size >= sum(len(e.to_bytes()) for e in events)


def sampled(runtime: Any, name: str) -> float:
    """The sum of a metric's samples over all their labels."""
    return sum(
        sample.value
        for metric in runtime.metrics.registry.collect()
        for sample in metric.samples
        if sample.name == name
    )
