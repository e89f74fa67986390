"""What Kafka says about a service's consumption, measured from outside its consumer loop:
the dead-letter topics' backlog and the consumer groups' lag from committed offsets.

A consumer reports its lag after each batch it applies; a consumer that stopped applying
(its database locked or down, a handler stuck) applies no batch and would report nothing
new, so the lag is also measured here from the group's committed offsets, and it grows
while the consumer stands still.

A dead-letter topic is drained by an operator with the ``dlq-drain`` consumer group (the
runbook's "Drain and replay the DLQ"): what waits is the DLQ's high watermark minus that
group's committed offset, per partition (from the log start when the group never
committed). Each service measures the DLQs it dead-letters into, i.e. ``<topic>.dlq`` of
every topic it consumes; a topic consumed by several services has one DLQ, so they all
report the same figure for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.common.events import dead_letter_topic
from services.common.kafka import KafkaClientConfig
from services.common.observability import Metrics

log = logging.getLogger(__name__)

DRAIN_GROUP = "dlq-drain"


async def group_lag(
    kafka: KafkaClientConfig, group: str, topics: Sequence[str]
) -> dict[TopicPartition, int]:
    """Records between ``group``'s committed offset and the high watermark, per partition
    of ``topics`` (from the log start where the group never committed)."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=None, request_timeout_ms=15_000)
    admin = AIOKafkaAdminClient(**kafka.client_options(), request_timeout_ms=15_000)
    await consumer.start()
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        present = [topic for topic in topics if topic in existing]
        described = await admin.describe_topics(present) if present else []
        partitions = [
            TopicPartition(topic["topic"], part["partition"])
            for topic in described
            for part in topic["partitions"]
        ]
        if not partitions:
            return {}
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        lag = {}
        for tp in partitions:
            done = committed.get(tp)
            position = done.offset if done is not None and done.offset >= 0 else starts[tp]
            lag[tp] = max(ends[tp] - max(position, starts[tp]), 0)
        return lag
    finally:
        await consumer.stop()
        await admin.close()


async def waiting_messages(
    kafka: KafkaClientConfig, topics: Sequence[str], *, drain_group: str = DRAIN_GROUP
) -> dict[str, int]:
    """Per consumed topic, the messages in its DLQ that ``drain_group`` has not committed
    (a DLQ that does not exist yet holds none)."""
    by_dlq = {dead_letter_topic(topic): topic for topic in topics}
    waiting = dict.fromkeys(topics, 0)
    for tp, lag in (await group_lag(kafka, drain_group, list(by_dlq))).items():
        waiting[by_dlq[tp.topic]] += lag
    return waiting


async def watch_kafka(
    metrics: Metrics,
    kafka: KafkaClientConfig,
    groups: Mapping[str, Sequence[str]],
    *,
    ready: asyncio.Event,
    lag_every_seconds: float,
    dead_letter_every_seconds: float,
) -> None:
    """Measure the consumer groups' lag (``groups``: group id -> its topics) and the DLQs of
    their topics, each at its own interval, once Kafka is connected (until cancelled). A
    failed measurement keeps the last figures (Kafka's own alert says it is down)."""
    topics = sorted({topic for ts in groups.values() for topic in ts})
    if not topics:
        return
    await ready.wait()
    loop = asyncio.get_running_loop()
    next_dlq = loop.time()
    while True:
        try:
            for group, its_topics in groups.items():
                for tp, lag in (await group_lag(kafka, group, its_topics)).items():
                    metrics.consumer_lag.labels(metrics.service, tp.topic, tp.partition).set(lag)
            if loop.time() >= next_dlq:
                next_dlq = loop.time() + dead_letter_every_seconds
                for topic, count in (await waiting_messages(kafka, topics)).items():
                    metrics.dead_letter_messages.labels(metrics.service, topic).set(count)
        except Exception as exc:
            log.warning("could not measure consumer lag or dead-letter topics: %r", exc)
        honour_cancellation()
        await asyncio.sleep(min(lag_every_seconds, dead_letter_every_seconds))


def honour_cancellation() -> None:
    """Raise the cancellation a library swallowed. aiokafka's clients catch
    ``CancelledError`` around their own inner tasks when they close (aio-libs/aiokafka#983):
    a stop that cancels this loop inside a measurement then found it sleeping again, and
    the shutdown waited for it forever (seen as a hung test teardown)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def cancel(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Cancel background tasks and wait for them to end."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
