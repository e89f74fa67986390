"""Helpers shared by tests: polling for a condition and reading a topic with a raw client."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from services.common.kafka import KafkaClientConfig, split_servers
from services.common.messaging import broker
from services.common.security import Role, issue_token
from services.common.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings

# A test's Kafka address: the fixture's "host:port,..." string or a settings' list. Every
# client below gets a list (FastStream takes a string as one host; keep all clients alike).
Servers = str | Sequence[str]


S = TypeVar("S", bound=ServiceSettings)


def service_settings(
    settings_type: type[S], database_url: str, bootstrap: Servers, prefix: str, **overrides: Any
) -> S:
    """A service's settings for a test: the test's database, broker and topics, and an
    outbox polled often enough that a test never waits a whole default second."""
    return settings_type(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        outbox_poll_seconds=0.2,
        **overrides,
    )


async def wait_until(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 30.0, interval: float = 0.1
) -> Any:
    """Poll ``check`` until it returns a truthy value; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


async def read_topic(
    bootstrap: Servers, topic: str, *, expected: int, timeout: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning until ``expected`` records arrived (or time out)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=split_servers(bootstrap),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


async def produce_raw(
    bootstrap: Servers, topic: str, values: list[tuple[bytes, bytes | None]]
) -> None:
    """Publish raw (key, value) pairs, as a misbehaving or hand-driven producer would."""
    producer = AIOKafkaProducer(
        bootstrap_servers=split_servers(bootstrap), acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        for key, value in values:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def serve(app: Any, *, ready_timeout: float = 60.0) -> AsyncIterator[httpx.AsyncClient]:
    """Run a service app (its lifespan included) and give an HTTP client for it.

    Waits until ``/readyz`` says the database and Kafka are reachable.
    """
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def ready() -> bool:
                return (await client.get("/readyz")).status_code == 200

            await wait_until(ready, timeout=ready_timeout)
            yield client


def bearer(
    *,
    tenant: str | None,
    roles: Iterable[Role],
    employee_id: str | None = None,
    user_id: str = "test-user",
    secret: str = DEVELOPMENT_JWT_SECRET,
    must_change_password: bool = False,
) -> dict[str, str]:
    """An Authorization header as identity would issue it."""
    token = issue_token(
        secret=secret,
        user_id=user_id,
        tenant=tenant,
        roles=roles,
        employee_id=employee_id,
        # Longer than the whole suite: some tests build their headers at import time, and
        # the tests of expiry issue their own tokens.
        lifetime=timedelta(hours=4),
        must_change_password=must_change_password,
    )
    return {"Authorization": f"Bearer {token}"}


async def delete_topics(bootstrap: Servers, prefix: str) -> None:
    """Delete every topic whose name starts with ``prefix`` (a test's own topics)."""
    await broker.delete_topics(KafkaClientConfig.plain(bootstrap), prefix)
