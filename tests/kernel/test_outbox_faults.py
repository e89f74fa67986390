"""The outbox relay neither stalls nor hides: parked rows, a fatal producer, an honest health.

Against a real broker (or none at all) and both databases, through the kernel's sample
service.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import OutOfOrderSequenceNumber
from sqlmodel import col, select, update

from services.common.events import ASSESSMENT_TOPIC, FeedbackNoted, new_event
from services.common.messaging import OutboxMessage, add_event
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from tests.kernel.helpers import post_note, running
from tests.kernel.sample_service import create_app
from tests.support import read_topic, wait_until


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sample(runtime: Runtime, name: str) -> float | None:
    value = runtime.metrics.registry.get_sample_value(
        name, {"service": runtime.settings.service_name}
    )
    return None if value is None else float(value)


async def _stage(runtime: Runtime, tenant: str, employee: str, text: str) -> str:
    event = new_event(
        FeedbackNoted(
            note_id=uuid.uuid4().hex,
            supervisor_id="sup-1",
            employee_id=employee,
            text=text,
            noted_on=date.today(),
        ),
        tenant=tenant,
    )
    async with runtime.sessions.begin() as session:
        add_event(session, event)
    return str(event.event_id)


async def _stage_oversized(runtime: Runtime, key: str) -> str:
    """A 2 MB row: twice what Kafka accepts by default (1 MiB)."""
    row = OutboxMessage(
        event_id=str(uuid.uuid4()),
        topic=ASSESSMENT_TOPIC,
        key=key,
        type=FeedbackNoted.TYPE,
        body=b"x" * 2_000_000,
    )
    async with runtime.sessions.begin() as session:
        session.add(row)
    return row.event_id


async def _published(runtime: Runtime, event_id: str) -> bool:
    async with runtime.sessions() as session:
        row = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.event_id == event_id))
        ).one()
        return row.published_at is not None


async def test_kafka_unreachable_backlog_and_age_are_measured_and_readyz_reports_the_stall(
    database_url: str,
) -> None:
    settings = ServiceSettings(
        service_name=f"sample-{uuid.uuid4().hex[:6]}",
        database_url=database_url,
        kafka_bootstrap_servers=f"127.0.0.1:{_closed_port()}",
        outbox_poll_seconds=0.2,
        outbox_stall_seconds=1.0,
    )
    runtime, app = create_app(settings, consume=False)
    async with app.router.lifespan_context(app):  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for i in range(2):
                await post_note(client, "bantul", f"emp-{i}", "accepted while Kafka is down")

            async def measured() -> bool:
                return (
                    _sample(runtime, "kinerja_outbox_backlog") == 2
                    and (_sample(runtime, "kinerja_outbox_oldest_age_seconds") or 0) > 0
                )

            await wait_until(measured, timeout=30)
            metrics = (await client.get("/metrics")).text
            assert "kinerja_outbox_backlog{" in metrics
            assert "kinerja_outbox_oldest_age_seconds{" in metrics

            async def stalled() -> dict[str, Any] | None:
                response = await client.get("/readyz")
                body: dict[str, Any] = response.json()
                return body if body["checks"]["outbox"] == "down: stalled" else None

            body = await wait_until(stalled, timeout=30)
            assert body["ready"] is False
            assert body["checks"]["kafka"] == "down: not_connected"
            assert body["details"]["outbox"]["backlog"] == 2
            assert body["details"]["outbox"]["parked"] == 0
            # Reason codes only: no address, no exception text.
            text = str(body)
            assert "127.0.0.1" not in text and "Error" not in text


@pytest.mark.kafka
async def test_an_oversized_row_is_parked_and_holds_only_its_own_key(
    database_url: str, kafka_bootstrap: str, topic_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="services.common.messaging.outbox")
    async with running(database_url, kafka_bootstrap, topic_prefix, consume=False) as (
        runtime,
        client,
    ):
        before = await _stage(runtime, "bantul", "e1", "before the big one")
        big = await _stage_oversized(runtime, "bantul:e1")
        held = await _stage(runtime, "bantul", "e1", "same officer, after the big one")
        other = await _stage(runtime, "sleman", "e2", "another tenant")
        await wait_until(lambda: _published(runtime, other), timeout=30)
        # One more round after the parking: the held row (an older id than this one) was
        # passed over, not merely not reached yet.
        marker = await _stage(runtime, "sleman", "e3", "a later round")
        await wait_until(lambda: _published(runtime, marker), timeout=30)
        assert await _published(runtime, before)
        assert not await _published(runtime, held)
        assert not await _published(runtime, big)

        async def parked_measured() -> bool:
            return _sample(runtime, "kinerja_outbox_parked") == 1

        await wait_until(parked_measured, timeout=30)
        readyz = await client.get("/readyz")
        assert readyz.status_code == 200, readyz.text  # held rows are not a stall
        assert readyz.json()["details"]["outbox"]["parked"] == 1
        assert any(big in r.getMessage() and "too_large" in r.getMessage() for r in caplog.records)
        async with runtime.sessions() as session:
            row = (
                await session.exec(select(OutboxMessage).where(OutboxMessage.event_id == big))
            ).one()
            assert row.park_reason == "too_large" and row.parked_at is not None

        # The operator drops the parked row: the row held behind it follows, in order.
        async with runtime.sessions.begin() as session:
            await session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.event_id) == big)
                .values(published_at=row.parked_at)
            )
        await wait_until(lambda: _published(runtime, held), timeout=30)

    records = await read_topic(kafka_bootstrap, topic_prefix + ASSESSMENT_TOPIC, expected=4)
    ids = [dict(r.headers)["event-id"].decode() for r in records]
    assert sorted(ids) == sorted([before, other, marker, held])
    same_key = [i for i, r in zip(ids, records, strict=True) if r.key == b"bantul:e1"]
    assert same_key == [before, held]


@pytest.mark.kafka
async def test_a_producer_left_fatal_is_replaced_by_a_new_one(
    database_url: str,
    kafka_bootstrap: str,
    topic_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first producer fails every send the way one does after a full cluster outage."""
    real_send = AIOKafkaProducer.send
    producers: list[int] = []

    async def send(self: AIOKafkaProducer, *args: Any, **kwargs: Any) -> Any:
        if not producers:
            producers.append(id(self))
        if id(self) == producers[0]:
            failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            failed.set_exception(OutOfOrderSequenceNumber())
            return failed
        producers.append(id(self))
        return await real_send(self, *args, **kwargs)

    async with running(database_url, kafka_bootstrap, topic_prefix, consume=False) as (
        runtime,
        _client,
    ):
        monkeypatch.setattr(AIOKafkaProducer, "send", send)
        event_id = await _stage(runtime, "kulonprogo", "e1", "after the outage")
        await wait_until(lambda: _published(runtime, event_id), timeout=60)
        assert producers[-1] != producers[0]  # published by a new producer
        assert _sample(runtime, "kinerja_outbox_producer_restarts_total") == 1
    records = await read_topic(kafka_bootstrap, topic_prefix + ASSESSMENT_TOPIC, expected=1)
    assert [dict(r.headers)["event-id"].decode() for r in records] == [event_id]


@pytest.mark.kafka
async def test_what_is_staged_when_the_service_stops_is_sent_before_it_exits(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    # A poll so long that only the drain at stop can send the row: a row written without
    # waking the relay (as a crash between commit and wake would leave it).
    async with running(
        database_url, kafka_bootstrap, topic_prefix, consume=False, outbox_poll_seconds=3600
    ) as (runtime, _client):
        await asyncio.sleep(0.5)  # the relay's first round (nothing to send) is over
        event = new_event(
            FeedbackNoted(
                note_id=uuid.uuid4().hex,
                supervisor_id="sup-1",
                employee_id="emp-stop",
                text="staged just before a deploy",
                noted_on=date.today(),
            ),
            tenant="bantul",
        )
        async with runtime.sessions.begin() as session:
            session.add(
                OutboxMessage(
                    event_id=str(event.event_id),
                    topic=event.topic,
                    key=event.key,
                    type=event.type,
                    body=event.to_checked_bytes(),
                )
            )
        await asyncio.sleep(0.5)
        assert not await _published(runtime, str(event.event_id))
    records = await read_topic(kafka_bootstrap, topic_prefix + ASSESSMENT_TOPIC, expected=1)
    assert [r.key for r in records] == [event.key.encode()]
