"""Rebuild every projection from offset 0 into an empty database.

    python -m services.scoring replay [--group-id ID]

Reads the consumed topics with a fresh consumer group from the beginning up to the end
offsets seen at the start, through the same inbox and batch projector as the live
service, committing offsets after each batch. Nothing is dead-lettered again (the live
service did that) and the alerts the replay stages are marked published: they were sent
when they happened. Then start the service with ``SCORING_GROUP_ID=<printed id>``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import func, select, update

from services.common.clock import Clock
from services.common.messaging import EventConsumer, OutboxMessage
from services.common.storage import migrate
from services.scoring.app import CONSUMED_TOPICS, MIGRATIONS, Settings, build
from services.scoring.models import ScoreEmployee
from services.scoring.store import execute, table_of


@dataclass
class ReplayResult:
    group_id: str
    records: int
    dead: int


class DatabaseNotEmpty(RuntimeError):
    pass


async def replay(
    settings: Settings, *, clock: Clock | None = None, group_id: str | None = None
) -> ReplayResult:
    group = group_id or f"{settings.service_name}-replay-{uuid.uuid4().hex[:8]}"
    runtime, projector, _ = build(settings, clock)
    await migrate(MIGRATIONS, settings.database_url)
    async with runtime.sessions() as session:
        if (
            await execute(session, select(func.count()).select_from(table_of(ScoreEmployee)))
        ).one()[0]:
            await runtime.engine.dispose()
            raise DatabaseNotEmpty("replay needs an empty database")
    consumer = EventConsumer(
        broker=runtime.broker,
        sessions=runtime.sessions,
        metrics=runtime.metrics,
        topics=CONSUMED_TOPICS,
        group_id=group,
        batch_handler=projector.apply_batch,
        topic_prefix=settings.topic_prefix,
        max_attempts=settings.max_delivery_attempts,
    )
    dead = 0

    async def count_only(record: ConsumerRecord[Any, Any], reason: str, *, attempts: int) -> None:
        nonlocal dead
        dead += 1

    consumer.dead_letter = count_only  # type: ignore[method-assign]
    kafka = AIOKafkaConsumer(
        *consumer.topics,
        **settings.kafka.client_options(),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=settings.consumer_partition_fetch_bytes,
    )

    await kafka.start()
    records = 0
    end: dict[TopicPartition, int] | None = None
    try:
        while True:
            batch = await kafka.getmany(timeout_ms=500, max_records=settings.consumer_max_records)
            if end is None and kafka.assignment():
                end = await kafka.end_offsets(list(kafka.assignment()))
            chunk = [r for part in batch.values() for r in part]
            if chunk:
                await consumer.process(chunk)
                await kafka.commit()
                records += len(chunk)
            if end is not None:
                positions = {tp: await kafka.position(tp) for tp in end}
                if all(positions[tp] >= offset for tp, offset in end.items()):
                    break
    finally:
        await kafka.stop()
    async with runtime.sessions.begin() as session:
        await session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.published_at.is_(None))  # type: ignore[union-attr]
            .values(published_at=func.now())
        )
    await runtime.engine.dispose()
    return ReplayResult(group_id=group, records=records, dead=dead)
