"""Test resources: one fixture per real resource, hiding where it comes from.

An address given in the environment wins (``KAFKA_BOOTSTRAP_SERVERS``,
``KINERJA_TEST_PG_URL``); else testcontainers when a Docker engine answers; else the
project's own launcher (``deploy.local``) starts Kafka or PostgreSQL on this machine.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.support import delete_topics

pytest_plugins = ["tests.hang_dump"]

# The long tier: whole platforms as processes, real browsers, generated fuzz traffic and a
# 3-broker cluster take most of the suite's time. `bash scripts/test.sh` leaves them out so a
# newcomer's run stays short; `bash scripts/test.sh --all` (what CI runs) includes them.
SLOW_TIER = frozenset({"browser", "e2e", "fuzz", "cluster"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_TIER):
            item.add_marker(pytest.mark.slow)


# The services default to production, which refuses the public development JWT secret
# that the tests sign their tokens with: the suite is a development environment, said
# explicitly (a test of the default deletes the variable).
os.environ["KINERJA_ENVIRONMENT"] = "development"


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:  # no engine, no socket, no permission: all mean "no Docker"
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
    elif _docker_answers():
        from testcontainers.community.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as kafka:
            yield kafka.get_bootstrap_server()
    else:
        from deploy.local.kafka import ensure_kafka

        yield ensure_kafka()


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    """A server DSN without a database name: ``postgresql+asyncpg://user:pw@host:port``."""
    given = os.environ.get("KINERJA_TEST_PG_URL")
    if given:
        yield given.rstrip("/")
    elif _docker_answers():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver="asyncpg") as pg:
            url = make_url(pg.get_connection_url())
            yield url.set(database=None).render_as_string(hide_password=False)
    else:
        from deploy.local.postgres import ensure_postgres

        yield ensure_postgres()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def fresh_postgres_database(base_url: str) -> AsyncIterator[str]:
    """A new empty database on the test server, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(f"{base_url}/postgres"), command_timeout=60)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{base_url}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close(timeout=10)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    """Each test that takes this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
    else:
        base = request.getfixturevalue("postgres_base_url")
        async with fresh_postgres_database(base) as url:
            yield url


@pytest.fixture
async def topic_prefix(kafka_bootstrap: str) -> AsyncIterator[str]:
    """Fresh topic names for one test, so tests sharing a broker never see each other.

    The topics are deleted afterwards: a suite leaves thousands of partitions behind
    otherwise, and a small broker runs out of heap reloading them.
    """
    prefix = f"t{uuid.uuid4().hex[:10]}."
    yield prefix
    await delete_topics(kafka_bootstrap, prefix)


class IsolatedKafka:
    """A broker of its own that a test may stop and start (the shared one must stay up)."""

    def __init__(self, port: int, home: str) -> None:
        self.port, self.home = port, home
        self.bootstrap = f"127.0.0.1:{port}"

    def start(self) -> None:
        from deploy.local.kafka import ensure_kafka

        ensure_kafka(port=self.port, home=self.home)

    def stop(self) -> None:
        from deploy.local.kafka import stop_kafka

        stop_kafka(port=self.port, home=self.home)


@pytest.fixture
def isolated_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IsolatedKafka]:
    kafka = IsolatedKafka(port=19292, home=str(tmp_path_factory.mktemp("kafka-isolated")))
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()
