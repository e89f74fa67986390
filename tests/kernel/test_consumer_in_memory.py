"""The consumer's rules on FastStream's in-memory broker: fast, no Kafka, no DB server.

The same behaviours run against the real broker in ``test_messaging.py``; this copy keeps
the feedback loop short while changing the kernel.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.common.events import ASSESSMENT_TOPIC, FeedbackNoted, dead_letter_topic, new_event
from services.common.settings import ServiceSettings
from tests.kernel.sample_service import create_app, note_count

pytestmark = pytest.mark.unit


def note(employee: str, text: str = "noted") -> bytes:
    payload = FeedbackNoted(
        note_id="n", supervisor_id="s", employee_id=employee, text=text, noted_on=date.today()
    )
    return new_event(payload, tenant="bantul").to_bytes()


async def test_duplicates_apply_once_and_poison_goes_to_the_dlq(tmp_path: Path) -> None:
    settings = ServiceSettings(
        service_name="inmem",
        database_url=f"sqlite+aiosqlite:///{tmp_path}/inmem.db",
        topic_prefix="m.",
        max_delivery_attempts=2,
    )
    runtime, _app = create_app(settings)
    topic = "m." + ASSESSMENT_TOPIC
    dead: list[bytes] = []

    @runtime.broker.subscriber(dead_letter_topic(topic))
    async def collect(body: Any, message: KafkaMessage) -> None:
        dead.append(message.body)  # the raw bytes, as dead-lettered

    await runtime.prepare_database()
    try:
        async with TestKafkaBroker(runtime.broker) as broker:
            twice = note("e-1")
            await broker.publish(twice, topic=topic, key=b"bantul:e-1")
            await broker.publish(twice, topic=topic, key=b"bantul:e-1")
            await broker.publish(b"{broken", topic=topic)
            await broker.publish(note("e-2", "explode"), topic=topic, key=b"bantul:e-2")
            await broker.publish(note("e-2"), topic=topic, key=b"bantul:e-2")
            assert await note_count(runtime, "bantul", "e-1") == 1
            assert await note_count(runtime, "bantul", "e-2") == 1
            assert len(dead) == 2
            assert dead[0] == b"{broken"
            assert b'"explode"' in dead[1]  # failed max_delivery_attempts times
    finally:
        await runtime.engine.dispose()


async def test_lag_of_a_partition_revoked_mid_batch_is_left_to_its_new_owner(
    tmp_path: Path,
) -> None:
    """A rebalance can take a partition away while its batch is applied; the lag of the
    partitions still held is reported and the revoked one does not raise after the ack."""
    settings = ServiceSettings(
        service_name="lag", database_url=f"sqlite+aiosqlite:///{tmp_path}/lag.db"
    )
    runtime, _app = create_app(settings)
    [consumer] = runtime.consumers
    topic = settings.topic_prefix + ASSESSMENT_TOPIC

    def highwater(tp: TopicPartition) -> int:
        if tp.partition == 1:
            raise IllegalStateError(f"No current assignment for partition {tp}")
        return 10

    message = SimpleNamespace(consumer=SimpleNamespace(highwater=highwater))
    records = [SimpleNamespace(topic=topic, partition=p, offset=4) for p in (0, 1)]
    consumer._report_lag(message, records)  # type: ignore[arg-type]
    lag = runtime.metrics.registry.get_sample_value(
        "kinerja_consumer_lag", {"service": "lag", "topic": topic, "partition": "0"}
    )
    assert lag == 5
