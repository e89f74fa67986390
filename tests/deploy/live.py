"""A running platform for the monitoring tests: every service as its own process
(``deploy.run``, as tests/e2e starts it, without the demo data), measuring often so that a
test sees its background figures within seconds, on free ports and its own topics."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx

from deploy.ports import available_services
from deploy.run import start_services, stop_services
from tests.e2e.conftest import Platform, free_offset
from tests.support import delete_topics

# Seconds between the services' background measurements in these tests (15-60 s deployed).
FAST = {"READINESS_CHECK_SECONDS": "1", "CONSUMER_LAG_CHECK_SECONDS": "1"}
FAST_DLQ = {"DEAD_LETTER_CHECK_SECONDS": "2"}


@asynccontextmanager
async def live_platform(kafka_bootstrap: str, data_dir: Path) -> AsyncIterator[Platform]:
    prefix = f"mon{uuid.uuid4().hex[:8]}."
    ports = available_services(free_offset())
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KINERJA_TOPIC_PREFIX": prefix,
        "KINERJA_DATA_DIR": str(data_dir),
        "KINERJA_ENVIRONMENT": "development",
    }
    for service in ports:
        for name, value in {**FAST, **FAST_DLQ}.items():
            env[f"{service.upper()}_{name}"] = value
    plat = Platform(kafka_bootstrap, prefix, data_dir, ports, env)
    try:
        plat.processes = await asyncio.to_thread(start_services, env, data_dir, ports)
        yield plat
    finally:
        await asyncio.to_thread(stop_services, plat.processes)
        await delete_topics(kafka_bootstrap, prefix)


async def scrape(platform: Platform, service: str) -> str:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(f"http://127.0.0.1:{platform.ports[service]}/metrics")
    answer.raise_for_status()
    return answer.text


@contextmanager
def database_locked(path: Path) -> Iterator[None]:
    """Hold SQLite's write lock on a service's database: its consumer can apply nothing
    (each batch fails with "database is locked" and is rewound) while the process, its
    /metrics and its reads go on: a consumer stopped, not a service down."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()
