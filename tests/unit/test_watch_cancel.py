"""The Kafka watcher ends when cancelled even if the library it calls swallows the
cancellation (aiokafka does around its inner tasks): the fault CI hit as a hung teardown."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from services.common.kafka import KafkaClientConfig
from services.common.messaging import watch
from services.common.observability import Metrics

pytestmark = pytest.mark.unit


async def test_a_cancellation_swallowed_inside_a_measurement_still_ends_the_watcher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measuring = asyncio.Event()

    async def swallowing_lag(*_: Any) -> dict[Any, int]:
        measuring.set()
        with contextlib.suppress(asyncio.CancelledError):  # as aiokafka's close paths do
            await asyncio.sleep(3600)
        return {}

    async def no_dead_letters(*_: Any) -> dict[str, int]:
        return {}

    monkeypatch.setattr(watch, "group_lag", swallowing_lag)
    monkeypatch.setattr(watch, "waiting_messages", no_dead_letters)
    ready = asyncio.Event()
    ready.set()
    task = asyncio.create_task(
        watch.watch_kafka(
            Metrics("watch-test"),
            KafkaClientConfig(bootstrap_servers=("127.0.0.1:1",)),
            {"g": ["t"]},
            ready=ready,
            lag_every_seconds=3600,
            dead_letter_every_seconds=3600,
        )
    )
    await measuring.wait()
    task.cancel()
    # Bounded only so a regression fails instead of hanging: the watcher ends at once.
    done, _ = await asyncio.wait({task}, timeout=10)
    assert done == {task} and task.cancelled()
