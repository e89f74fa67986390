"""Two instances of one service on one PostgreSQL database: their two outbox relays send
each row once, and each key's rows in the order they were written.

Both instances take writes at the same time, so each relay is woken by its own commits
while the other's rows are unsent too; without the round lock both read the same unsent
rows and publish them twice (measured without it: 479 records for 300 rows).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlmodel import col, select

from services.common.events import ASSESSMENT_TOPIC
from services.common.kafka import split_servers
from services.common.messaging import OutboxMessage
from services.common.storage import LockFor, create_engine, exclusive
from tests.conftest import fresh_postgres_database
from tests.kernel.helpers import post_note, running
from tests.support import wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

NOTES_PER_INSTANCE = 150
EMPLOYEES = ("e1", "e2", "e3")


async def _assigned(consumer: AIOKafkaConsumer) -> list[TopicPartition]:
    return list(consumer.assignment())


async def read_all(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of the topic, up to its end offsets at the time of the call."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=split_servers(bootstrap),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        # Without a group the consumer takes every partition once it has the metadata.
        partitions = await wait_until(lambda: _assigned(consumer), timeout=30)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def test_two_relays_on_one_database_publish_each_row_once_in_order(
    postgres_base_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_prefix + ASSESSMENT_TOPIC
    async with fresh_postgres_database(postgres_base_url) as url:
        async with (
            running(url, kafka_bootstrap, topic_prefix, consume=False) as (first, one),
            running(url, kafka_bootstrap, topic_prefix, consume=False) as (_, two),
        ):

            async def write(client: object, tag: str) -> None:
                for i in range(NOTES_PER_INSTANCE):
                    await post_note(client, "bantul", EMPLOYEES[i % 3], f"{tag}-{i}")  # type: ignore[arg-type]

            await asyncio.gather(write(one, "a"), write(two, "b"))

            async def all_published() -> bool:
                async with first.sessions() as session:
                    waiting = await session.exec(
                        select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))
                    )
                    return not waiting.all()

            await wait_until(all_published, timeout=60)
            async with first.sessions() as session:
                rows = (await session.exec(select(OutboxMessage))).all()
        assert len(rows) == 2 * NOTES_PER_INSTANCE

    # Give a relay that would send twice the time to do it, then read what Kafka holds.
    await asyncio.sleep(1.0)
    records = await read_all(kafka_bootstrap, topic)
    assert len(records) == 2 * NOTES_PER_INSTANCE
    outbox_id = {row.event_id: row.id for row in rows}
    sent: dict[bytes | None, list[int | None]] = defaultdict(list)
    for record in records:
        sent[record.key].append(outbox_id[dict(record.headers)["event-id"].decode()])
    assert sum(len(ids) for ids in sent.values()) == len(outbox_id)
    for key, ids in sent.items():
        assert ids == sorted(ids), f"key {key!r} published out of order"  # type: ignore[type-var]


async def test_the_round_lock_is_held_by_one_session_at_a_time(postgres_base_url: str) -> None:
    async with fresh_postgres_database(postgres_base_url) as url:
        engine = create_engine(url)
        try:
            async with exclusive(engine, LockFor.OUTBOX_ROUND) as first:
                async with exclusive(engine, LockFor.OUTBOX_ROUND) as second:
                    assert (first, second) == (True, False)
                # Another purpose is another lock.
                async with exclusive(engine, LockFor.MIGRATION) as other:
                    assert other
            async with exclusive(engine, LockFor.OUTBOX_ROUND) as again:
                assert again  # released with the block's transaction
        finally:
            await engine.dispose()
