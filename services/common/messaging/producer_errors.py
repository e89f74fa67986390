"""What a Kafka producer's error means for the outbox relay: a record Kafka will never
accept (park it, keep the others flowing), or a producer that no longer works (replace it).
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    InvalidTopicError,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumber,
    ProducerClosed,
    ProducerFenced,
    RecordListTooLargeError,
    RecordTooLargeError,
    UnknownProducerId,
)

# Errors that say this one record can never be written: retrying it changes nothing.
PERMANENT_ERRORS: dict[type[Exception], str] = {
    MessageSizeTooLargeError: "too_large",
    RecordListTooLargeError: "too_large",
    RecordTooLargeError: "too_large",
    InvalidTopicError: "invalid_topic",
}
# Errors that leave the producer itself unusable: every later send fails the same way
# (measured after a full cluster outage: OutOfOrderSequenceNumber on every retry, for
# minutes), while a new producer publishes at once.
FATAL_PRODUCER_ERRORS = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    ProducerFenced,
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    ProducerClosed,
)


def park_reason(exc: BaseException) -> str | None:
    for kind, reason in PERMANENT_ERRORS.items():
        if isinstance(exc, kind):
            return reason
    return None


def producer_is_dead(producer: AIOKafkaProducer, exc: BaseException | None) -> bool:
    """A fatal error, or a producer whose sender task has ended (aiokafka ends it on a
    fatal error and fails every later batch)."""
    if isinstance(exc, FATAL_PRODUCER_ERRORS):
        return True
    sender = getattr(producer, "_sender", None)
    task = getattr(sender, "sender_task", None)
    return task is not None and task.done()
