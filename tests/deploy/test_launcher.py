"""The local launcher (deploy.local) against real Kafka and PostgreSQL processes.

Tests that stop servers use their own ports and homes, so the shared default instances
(Kafka 19092, PostgreSQL 15432) that other tests use are never touched except to be
started.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from deploy.local import find_pids, port_open, process_alive
from deploy.local import kafka as lk
from deploy.local import kafka_cluster as lkc
from deploy.local import postgres as lp
from tests.deploy.helpers import REPO, free_base


@pytest.fixture
def kafka_home(tmp_path: Path) -> Path:
    return tmp_path / "kafka"


@pytest.fixture
def pg_home() -> Iterator[Path]:
    # Not tmp_path: /tmp/pytest-of-root is mode 700 and the server runs as 'postgres'.
    base = Path(tempfile.mkdtemp(prefix="kinerja-test-pg-", dir="/var/tmp"))
    base.chmod(0o755)
    yield base / "pg"
    shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- unit


@pytest.mark.unit
def test_cluster_properties_replicate_three_ways(tmp_path: Path) -> None:
    specs = lkc.cluster_specs(base_port=29092, home=tmp_path)
    assert [s.bootstrap for s in specs] == [
        "127.0.0.1:29092",
        "127.0.0.1:29192",
        "127.0.0.1:29292",
    ]
    text = lk._server_properties(specs[1])
    assert "node.id=2" in text
    assert "controller.quorum.voters=1@127.0.0.1:29093,2@127.0.0.1:29193,3@127.0.0.1:29293" in text
    assert "default.replication.factor=3" in text
    assert "min.insync.replicas=2" in text


@pytest.mark.unit
def test_env_prints_shell_sourceable_lines() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "deploy.local", "env"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == [
        "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092",
        "KINERJA_PG_URL=postgresql+asyncpg://kinerja:kinerja@127.0.0.1:15432",
    ]


# --------------------------------------------------------------------------- kafka


@pytest.mark.kafka
def test_shared_kafka_up_twice_is_harmless() -> None:
    first = lk.ensure_kafka()
    pid = lk.kafka_status()["pid"]
    started = time.monotonic()
    assert lk.ensure_kafka() == first == "127.0.0.1:19092"
    assert time.monotonic() - started < 2
    assert lk.kafka_status()["pid"] == pid


@pytest.mark.kafka
def test_isolated_kafka_up_twice_then_down_leaves_nothing(kafka_home: Path) -> None:
    port = free_base(range(30092, 30400, 10), (0, 1))
    assert lk.ensure_kafka(port=port, home=kafka_home) == f"127.0.0.1:{port}"
    status = lk.kafka_status(port=port, home=kafka_home)
    assert status["running"] and status["version"] in lk.KAFKA_VERSIONS

    started = time.monotonic()
    assert lk.ensure_kafka(port=port, home=kafka_home) == f"127.0.0.1:{port}"
    assert time.monotonic() - started < 2
    assert lk.kafka_status(port=port, home=kafka_home)["pid"] == status["pid"]

    lk.stop_kafka(port=port, home=kafka_home)
    assert not process_alive(status["pid"])
    assert find_pids(str(kafka_home / "server.properties")) == []
    assert not port_open(port)
    assert not (kafka_home / "kafka.pid").exists()
    lk.stop_kafka(port=port, home=kafka_home)  # stopping twice is harmless


@pytest.mark.kafka
def test_stale_pid_file_is_ignored(kafka_home: Path) -> None:
    spec = lk._single_spec(39990, kafka_home)
    spec.home.mkdir(parents=True)
    # Our own pid: alive, but not a Kafka JVM for this home, so it must not be trusted
    # (and must never be signalled).
    spec.pid_file.write_text(f"{os.getpid()}\n")
    assert lk.kafka_status(port=39990, home=kafka_home)["running"] is False
    assert not spec.pid_file.exists()
    lk.stop_kafka(port=39990, home=kafka_home)


async def _round_trip(bootstrap: str, topic: str) -> None:
    """Produce with acks=all and idempotence, then read the records back."""
    values = [f"{uuid.uuid4()}".encode() for _ in range(20)]
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        batch = [await producer.send(topic, value) for value in values]
        await asyncio.gather(*batch)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: set[bytes] = set()
    try:
        async with asyncio.timeout(60):
            while not set(values) <= seen:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    seen.update(r.value for r in records if r.value is not None)
        await consumer.commit()
    finally:
        await consumer.stop()


@pytest.mark.cluster
async def test_cluster_survives_one_node_down(tmp_path: Path) -> None:
    home = tmp_path / "cluster"
    base = free_base(range(30400, 30900, 10), (0, 1, 100, 101, 200, 201))
    bootstrap = await asyncio.to_thread(lkc.ensure_cluster, base, home)
    assert bootstrap.count(",") == 2
    try:
        await _round_trip(bootstrap, "replicated")

        pid = lkc.cluster_status(base, home)["nodes"][1]["pid"]
        # SIGKILL, like a crashed machine: no controlled shutdown, no leader hand-off.
        await asyncio.to_thread(lkc.stop_cluster_node, 2, base, home, False)
        assert not process_alive(pid)
        await _round_trip(bootstrap, "replicated")
        await _round_trip(bootstrap, "created-while-degraded-2")

        await asyncio.to_thread(lkc.start_cluster_node, 2, base, home)
        assert lkc.cluster_status(base, home)["nodes"][1]["running"]
        await _round_trip(bootstrap, "replicated")
    finally:
        await asyncio.to_thread(lkc.stop_cluster, base, home)
    assert not any(find_pids(str(s.properties)) for s in lkc.cluster_specs(base, home))


# --------------------------------------------------------------------------- postgres


async def _select_one(dsn: str) -> int:
    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(await conn.fetchval("SELECT 1"))
    finally:
        await conn.close()


@pytest.mark.postgres
async def test_shared_postgres_up_twice_is_harmless() -> None:
    dsn = await asyncio.to_thread(lp.ensure_postgres)
    assert dsn == "postgresql+asyncpg://kinerja:kinerja@127.0.0.1:15432"
    pid = lp.postgres_status()["pid"]
    started = time.monotonic()
    assert await asyncio.to_thread(lp.ensure_postgres) == dsn
    assert time.monotonic() - started < 2
    assert lp.postgres_status()["pid"] == pid
    await asyncio.to_thread(lp.create_databases, list(lp.SERVICE_DATABASES))
    assert set(lp.SERVICE_DATABASES) <= lp.list_databases()
    assert await _select_one(f"{dsn}/identity") == 1


@pytest.mark.postgres
async def test_isolated_postgres_down_leaves_nothing(pg_home: Path) -> None:
    port = free_base(range(31432, 31532), (0,))
    dsn = await asyncio.to_thread(lp.ensure_postgres, port, pg_home)
    assert dsn == f"postgresql+asyncpg://kinerja:kinerja@127.0.0.1:{port}"
    await asyncio.to_thread(lp.create_databases, ["alpha", "beta"], port, pg_home)
    await asyncio.to_thread(lp.create_databases, ["alpha"], port, pg_home)  # idempotent
    assert await _select_one(f"{dsn}/beta") == 1
    pid = lp.postgres_status(port, pg_home)["pid"]
    assert pid is not None

    await asyncio.to_thread(lp.stop_postgres, port, pg_home)
    assert not process_alive(pid)
    assert find_pids(str(pg_home / "data")) == []
    assert not port_open(port)
    assert not lp.postgres_status(port, pg_home)["running"]
    await asyncio.to_thread(lp.stop_postgres, port, pg_home)  # stopping twice is harmless
