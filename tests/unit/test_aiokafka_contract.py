"""The outbox relay reads one private attribute of aiokafka's producer: the sender task,
which aiokafka ends on a fatal error while the producer object still looks alive
(``services.common.messaging.producer_errors.producer_is_dead``). If an upgrade renames it, the
relay's ``getattr`` would quietly find nothing and never replace a dead producer; this
test fails instead."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from services.common.messaging.producer_errors import producer_is_dead

pytestmark = pytest.mark.unit


async def test_the_producer_keeps_its_sender_task_where_the_relay_looks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=["127.0.0.1:1"])
    sender = producer._sender
    assert hasattr(sender, "sender_task"), "aiokafka moved the sender task"
    # A finished sender task is what the relay reads as a dead producer.
    done = asyncio.get_running_loop().create_future()
    done.set_result(None)
    monkeypatch.setattr(type(sender), "sender_task", property(lambda _: done))
    assert producer_is_dead(producer, None)
    monkeypatch.undo()
    assert not producer_is_dead(producer, None)  # never started: no task, not dead
