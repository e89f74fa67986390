"""Kafka messaging: broker factory, transactional outbox, inbox consumer, dead letters."""

from services.common.messaging.broker import BrokerConnection, create_broker, ensure_topics
from services.common.messaging.consumer import (
    EventConsumer,
    EventHandler,
    PoisonEvent,
    ProcessedEvent,
)
from services.common.messaging.outbox import OutboxMessage, OutboxRelay, add_event

__all__ = [
    "BrokerConnection",
    "EventConsumer",
    "EventHandler",
    "OutboxMessage",
    "OutboxRelay",
    "PoisonEvent",
    "ProcessedEvent",
    "add_event",
    "create_broker",
    "ensure_topics",
]
