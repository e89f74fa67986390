"""The kernel's consumer gives FastStream a batch message built from the first record
and then handed the whole batch (``services.common.fastpaths.faststream_batch``). That
relies on FastStream 0.7's ackable Kafka message reading ``raw_message`` at ack and nack
time, and on what its batch parser sets. If an upgrade changes either, a nack could rewind
only the first record's partition (skipping the rest of a failed batch) or the metrics
could measure one record; these tests fail instead."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka.message import KafkaAckableMessage
from faststream.kafka.parser import AioKafkaBatchParser

from services.common.fastpaths.faststream_batch import batch_message, raw_values

pytestmark = pytest.mark.unit


class _Consumer:
    """Records what the message asks of aiokafka's consumer."""

    def __init__(self) -> None:
        self.commits = 0
        self.seeks: dict[TopicPartition, int] = {}

    async def commit(self) -> None:
        self.commits += 1

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks[partition] = offset


def _record(partition: int, offset: int) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        topic="t.events",
        partition=partition,
        offset=offset,
        timestamp=1_700_000_000_000 + offset,
        timestamp_type=0,
        key=b"k",
        value=f"v{partition}-{offset}".encode(),
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=5,
        headers=[("h", b"x")],
    )


BATCH = (_record(0, 10), _record(1, 3), _record(0, 11), _record(1, 4), _record(2, 7))


def _parser(consumer: _Consumer) -> AioKafkaBatchParser:
    parser = AioKafkaBatchParser(msg_class=KafkaAckableMessage, regex=None)
    parser._setup(consumer)  # what FastStream's subscriber does when it starts
    return parser


async def test_faststream_batch_message_built_from_one_record_matches_faststreams_own() -> None:
    parser = _parser(_Consumer())
    ours = await batch_message(BATCH, parser.parse_batch)
    theirs = await parser.parse_batch(BATCH)
    assert type(ours) is type(theirs) is KafkaAckableMessage
    assert ours.raw_message == theirs.raw_message == BATCH
    assert ours.body == theirs.body
    assert ours.message_id == theirs.message_id
    assert ours.path == theirs.path
    assert ours.consumer is theirs.consumer
    assert await raw_values(ours) == [r.value for r in BATCH]


async def test_faststream_nack_rewinds_every_partition_of_raw_message() -> None:
    consumer = _Consumer()
    message = await batch_message(BATCH, _parser(consumer).parse_batch)
    await message.nack()
    assert consumer.seeks == {
        TopicPartition("t.events", 0): 10,
        TopicPartition("t.events", 1): 3,
        TopicPartition("t.events", 2): 7,
    }
    assert consumer.commits == 0


async def test_faststream_manual_ack_commits_the_consumer_once() -> None:
    consumer = _Consumer()
    message = await batch_message(BATCH, _parser(consumer).parse_batch)
    await message.ack()
    await message.ack()
    assert consumer.commits == 1 and not consumer.seeks
