"""Scoring instances as separate OS processes, for the benchmarks that need a deployment's
shape (several instances in one consumer group, a replay run): their own process groups,
a fresh PostgreSQL database, CPU seconds from /proc, and a digest of the projections.

Not a benchmark itself: ``bench.scoring_scaleout`` and ``bench.scoring_replay`` use it,
both on a ``Backlog``: fresh topics filled with ``bench.scoring_drain``'s events.
Everything it starts is killed (the whole process group) when the block that started it
ends, also on Ctrl-C; a killed benchmark takes its instances with it (``die_with_parent``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.report import machine, peak_rss_mib
from bench.scoring_drain import fill, generate
from deploy.progress import cpu_seconds
from deploy.run import die_with_parent
from services.common.events import dead_letter_topic
from services.common.kafka import KafkaClientConfig
from services.common.messaging.broker import delete_topics
from services.common.storage import LOCK_NAMESPACE, LockFor
from services.scoring.app import CONSUMED_TOPICS
from services.scoring.models import BATCH_DEPENDENT_COLUMNS, REBUILT_TABLES

ROOT = Path(__file__).resolve().parent.parent


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """SIGTERM (``timeout``, a CI's stop) unwinds like Ctrl-C: the ``finally`` blocks kill
    the instances and drop the databases and topics."""
    signal.signal(signal.SIGTERM, _interrupt)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Instance:
    """One ``python -m services.scoring [args]`` process."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    started: float = field(default_factory=time.perf_counter)
    # Sampled while it runs: /proc forgets a process once it is reaped.
    cpu: float = 0.0
    peak_rss_mib: float | None = None

    def sample(self) -> None:
        cpu = cpu_seconds(self.process.pid)
        if cpu is not None:
            self.cpu = cpu
        rss = peak_rss_mib(self.process.pid)
        if rss is not None:
            self.peak_rss_mib = rss

    async def applied(self, client: httpx.AsyncClient) -> float:
        """``kinerja_events_applied_total`` summed over types; 0 until it answers."""
        try:
            text = (await client.get(f"http://127.0.0.1:{self.port}/metrics")).text
        except httpx.HTTPError:
            return 0.0
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("kinerja_events_applied_total{")
        )

    def alive(self) -> bool:
        return self.process.poll() is None


def instance_env(
    *, database_url: str, kafka: KafkaClientConfig, prefix: str, group: str, data_dir: str
) -> dict[str, str]:
    """The environment a deployment gives a scoring instance (see ``deploy.run``)."""
    return {
        **os.environ,
        "KINERJA_ENVIRONMENT": "development",  # a local measurement: the development secret
        "KINERJA_DATA_DIR": data_dir,
        "KINERJA_TOPIC_PREFIX": prefix,
        "KAFKA_BOOTSTRAP_SERVERS": ",".join(kafka.bootstrap_servers),
        "SCORING_DATABASE_URL": database_url,
        "SCORING_GROUP_ID": group,
        "SCORING_SCHEDULER_SECONDS": "0",
    }


@contextlib.contextmanager
def instances() -> Iterator[Callable[..., Instance]]:
    """Yields ``spawn(env, *args, log=path)``; every process spawned is killed with its
    process group when the block ends, however it ends."""
    started: list[Instance] = []

    def spawn(env: dict[str, str], *args: str, log: Path) -> Instance:
        port = free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "services.scoring", *args],
                cwd=ROOT,
                env={**env, "SCORING_PORT": str(port)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as one
                preexec_fn=functools.partial(die_with_parent, os.getpid()),
            )
        instance = Instance(process=process, port=port, log=log)
        started.append(instance)
        return instance

    try:
        yield spawn
    finally:
        for instance in started:
            if instance.alive():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(instance.process.pid, signal.SIGTERM)
        for instance in started:
            try:
                instance.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(instance.process.pid, signal.SIGKILL)
                instance.process.wait()


# ------------------------------------------------------------------ the backlog


@dataclass(frozen=True)
class Backlog:
    """What one run drains: ``total`` events on the topics under ``prefix``, into fresh
    databases on ``postgres``; logs under ``workdir``; each phase bounded by ``timeout``."""

    kafka: KafkaClientConfig
    prefix: str
    total: int
    postgres: str
    workdir: Path
    timeout: float


def backlog_arguments(
    doc: str | None, *, partitions: int, timeout: float
) -> argparse.ArgumentParser:
    """The options every cluster benchmark takes; the caller adds its own."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--partitions", type=int, default=partitions)
    parser.add_argument(
        "--bootstrap", type=KafkaClientConfig.plain, default="127.0.0.1:19092", help="host:port,..."
    )
    parser.add_argument("--postgres", default="postgresql://kinerja:kinerja@127.0.0.1:15432")
    parser.add_argument("--timeout", type=float, default=timeout, help="seconds per phase")
    parser.add_argument("--json", default=None, help="write the JSON here instead of stdout")
    return parser


@contextlib.asynccontextmanager
async def backlog(args: argparse.Namespace) -> AsyncIterator[Backlog]:
    """Fresh topics filled with ``args.events`` events of ``args.employees`` employees;
    deleted afterwards, however the run ends (SIGTERM included)."""
    stop_on_sigterm()
    kafka: KafkaClientConfig = args.bootstrap
    prefix = f"scale.{uuid.uuid4().hex[:8]}."
    print(f"machine: {machine()}  prefix {prefix}", flush=True)
    try:
        await create_topics(kafka, prefix, args.partitions)
        events = generate(args.events, args.employees)
        total = len(events)
        started = time.perf_counter()
        await fill(kafka, prefix, events)
        del events  # the drains' peak RSS is theirs, not the generator's
        print(f"filled {total} events in {time.perf_counter() - started:.1f}s", flush=True)
        with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
            yield Backlog(kafka, prefix, total, args.postgres, Path(tmp), args.timeout)
    finally:
        await delete_topics(kafka, prefix)


# ------------------------------------------------------------------ Kafka


async def create_topics(kafka: KafkaClientConfig, prefix: str, partitions: int) -> list[str]:
    """The consumed topics (and their dead-letter topics) with ``partitions`` partitions,
    before anything else creates them with the default."""
    names = [prefix + t for t in CONSUMED_TOPICS]
    names += [dead_letter_topic(n) for n in names]
    admin = AIOKafkaAdminClient(**kafka.client_options(), request_timeout_ms=15_000)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in names]
        )
    finally:
        await admin.close()
    return names


async def stable_members(kafka: KafkaClientConfig, group: str) -> int:
    """Members of ``group`` once it is Stable (0 while it rebalances)."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        response = await admin.describe_consumer_groups([group])
        return sum(len(g[5]) for r in response for g in r.groups if g[2] == "Stable")
    finally:
        await admin.close()


# ------------------------------------------------------------------ PostgreSQL


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving one database, sampled from /proc
    (the server runs on this machine) while they live: pooled connections stay up for a
    whole drain, and a closed one keeps its last sample."""

    def __init__(self, database_url: str) -> None:
        self.url = _plain(database_url)
        self.name = self.url.rsplit("/", 1)[1]
        self.seen: dict[int, float] = {}

    async def run(self, interval: float = 0.5) -> None:
        server = self.url.rsplit("/", 1)[0]
        connection = await asyncpg.connect(f"{server}/postgres")
        try:
            while True:
                rows = await connection.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = $1", self.name
                )
                for row in rows:
                    cpu = cpu_seconds(row["pid"])
                    if cpu is not None:
                        self.seen[row["pid"]] = cpu
                await asyncio.sleep(interval)
        finally:
            await connection.close()

    @property
    def total(self) -> float:
        return sum(self.seen.values())


async def digest(database_url: str) -> dict[str, str]:
    """Per projection table: its row count and an md5 of its sorted rows (as JSON, without
    the volatile columns). Two databases built from the same events have the same."""
    connection = await asyncpg.connect(_plain(database_url))
    out: dict[str, str] = {}
    try:
        for table in REBUILT_TABLES:
            drop = "".join(f" - '{c}'" for c in BATCH_DEPENDENT_COLUMNS.get(table, ()))
            where = " WHERE kind <> 'predikat_drop'" if table == "score_alert" else ""
            row = await connection.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(j, '|' ORDER BY j), '')) AS h "
                f'FROM (SELECT (to_jsonb(t){drop})::text AS j FROM "{table}" t{where}) s'
            )
            assert row is not None
            out[table] = f"{row['n']}:{row['h'][:12]}"
    finally:
        await connection.close()
    return out


def same(a: dict[str, str], b: dict[str, str]) -> list[str]:
    """The tables whose digests differ."""
    return sorted(t for t in a.keys() | b.keys() if a.get(t) != b.get(t))


class StartGate:
    """Lets N instances start at one moment, as a rollout of N replicas does: holds the
    migration lock (``services.common.storage``) of the database, which every instance
    takes before it connects to Kafka, until all N wait for it, then releases it. Without
    it the first instance to finish importing drains the backlog alone for seconds."""

    def __init__(self, database_url: str) -> None:
        self.url = _plain(database_url)
        self.connection: asyncpg.Connection | None = None

    async def close(self) -> None:
        self.connection = await asyncpg.connect(self.url)
        await self.connection.execute(
            "SELECT pg_advisory_lock($1, $2)", LOCK_NAMESPACE, int(LockFor.MIGRATION)
        )

    async def open_when(self, waiting: int, alive: Callable[[], bool], timeout: float) -> None:
        assert self.connection is not None
        deadline = time.perf_counter() + timeout
        while (
            await self.connection.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                "WHERE l.locktype = 'advisory' AND NOT l.granted "
                "AND d.datname = current_database()"
            )
            < waiting
        ):
            if not alive() or time.perf_counter() > deadline:
                raise RuntimeError("the instances did not all reach the start gate")
            await asyncio.sleep(0.1)
        await self.connection.close()  # releases the lock
        self.connection = None
