"""What a benchmark creates on the shared servers and removes when it ends: its topics
(every one under the run's own prefix) and a fresh PostgreSQL database."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from services.common.kafka import KafkaClientConfig


async def delete_topics(kafka: KafkaClientConfig | str, prefix: str) -> None:
    """Every topic whose name starts with ``prefix``: the run's fill, their dead-letter
    topics and whatever the services created under it."""
    config = kafka if isinstance(kafka, KafkaClientConfig) else KafkaClientConfig.plain(kafka)
    admin = AIOKafkaAdminClient(**config.client_options(), request_timeout_ms=15_000)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def fresh_database(server: str, prefix: str = "bench") -> AsyncIterator[str]:
    """A new database on ``server`` (``postgresql://user:pw@host:port``) named
    ``<prefix>_<random>``, as an asyncpg URL; dropped afterwards (with its connections)."""
    server = server.replace("postgresql+asyncpg://", "postgresql://").rstrip("/")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
