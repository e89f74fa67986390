"""A fresh PostgreSQL database for a benchmark, dropped when it ends (its topics go with
``services.common.messaging.broker.delete_topics``, as the tests' do)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg


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
