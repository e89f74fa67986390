"""FastStream's batch message for a batch of Kafka records, without FastStream's work per
record.

FastStream's own batch parser (``AioKafkaBatchParser.parse_batch``) decodes every
record's headers into a dict, and its decoder builds a message per record and
``json.loads`` its body: 2-3 s per 100,000 events, and the kernel reads none of it (it
decodes ``record.value`` itself). So the consumer gives the subscriber :func:`batch_message`
as its ``parser``: FastStream's parser builds the message from the FIRST record alone, and
the message is then given the whole batch.

Relies on FastStream 0.7's ``KafkaAckableMessage`` (what a subscriber with
``AckPolicy.MANUAL`` gets) being a plain object whose ``raw_message`` is the tuple of the
batch's records, read at ``ack`` (commit the consumer) and ``nack`` (rewind every
partition of ``raw_message`` to its earliest record); and on ``body`` and ``message_id``
being what FastStream's batch parser would set (a list of the raw values; ``first-last-
timestamp``), which its Prometheus middleware measures. ``batch_headers`` keeps the first
record's headers only: nothing here reads them.

Contract: ``tests/unit/test_faststream_contract.py`` compares this message with FastStream's
own for the same batch, and checks that ``nack`` rewinds every partition it names.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import ConsumerRecord
from faststream.kafka.annotations import KafkaMessage

Records = tuple[ConsumerRecord[Any, Any], ...]


async def batch_message(
    records: Records, faststream_parse_batch: Callable[[Records], Awaitable[Any]]
) -> KafkaMessage:
    """The subscriber's ``parser``: FastStream's message of ``records[:1]``, given the
    whole batch."""
    message: KafkaMessage = await faststream_parse_batch(records[:1])
    message.raw_message = records
    message.body = [record.value or b"" for record in records]
    first, last = records[0], records[-1]
    message.message_id = f"{first.offset}-{last.offset}-{first.timestamp}"  # as FastStream's
    return message


async def raw_values(message: KafkaMessage) -> Any:
    """The subscriber's ``decoder``: the handler's ``body`` is the records' raw values."""
    return message.body
