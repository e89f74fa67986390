"""Real Apache Kafka (KRaft, combined broker+controller) from Maven Central jars.

A single node (default 127.0.0.1:19092) for everyday tests and the dev runner; the
three-node cluster for replication and fault tests (``kafka_cluster``) is built from the
same pieces. Each node lives in its own ``home`` directory (properties, data, log, pid
file), so callers can ask for an isolated instance by passing another ``home``/port and
tear it down without touching the shared one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from deploy.local import (
    LOOPBACK,
    cache_root,
    file_lock,
    find_pids,
    port_open,
    process_alive,
    read_pid,
    reap,
    tail,
    terminate,
)

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LOG4J_CONFIG = HERE / "log4j2.properties"
# Tried in order: the newest 4.x we target, then the previous line if it cannot resolve.
KAFKA_VERSIONS = ("4.1.1", "4.0.1")
PROBE_TOPIC = "_kinerja_probe"

# Measured on the 2-core box: SerialGC keeps three JVMs from fighting over the cores. The
# heap is sized for a test suite that creates thousands of partitions (each test has its
# own topics): 384 MiB ran out at ~10,000 partitions. The C2 JIT stays on: a broker that
# lives for a whole suite (or a benchmark) gains more from it than the 1 s it costs at start.
JVM_FLAGS = (
    "-Xmx1g",
    "-Xms256m",
    "-XX:+UseSerialGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)
# Benchmarks may prefer peak throughput over start-up time (e.g. G1 and the C2 JIT):
# KINERJA_KAFKA_JVM_FLAGS, when set, replaces JVM_FLAGS (whitespace-separated).
JVM_FLAGS_ENV = "KINERJA_KAFKA_JVM_FLAGS"

T = TypeVar("T")

# Popen handles of brokers started by this process, kept so they are reaped (no zombies,
# no "subprocess still running" warnings) when we stop them.
_children: dict[int, subprocess.Popen[bytes]] = {}


# --------------------------------------------------------------------------- jars


def libs_dir() -> Path:
    return cache_root() / "kafka-libs"


def kafka_version() -> str | None:
    marker = libs_dir() / ".complete"
    return marker.read_text().strip() if marker.exists() else None


def ensure_libs() -> Path:
    """Download the broker jars once; the marker file is written only after a full copy,
    so an interrupted download is retried instead of half-used."""
    libs = libs_dir()
    with file_lock(cache_root() / "kafka-libs.lock"):
        if kafka_version() and any(libs.glob("kafka_2.13-*.jar")):
            return libs
        errors: list[str] = []
        for version in KAFKA_VERSIONS:
            error = _copy_dependencies(version, libs)
            if error is None:
                (libs / ".complete").write_text(version + "\n")
                return libs
            errors.append(f"{version}: {error}")
        raise RuntimeError("could not resolve Kafka jars with Maven:\n" + "\n".join(errors))


def _copy_dependencies(version: str, libs: Path) -> str | None:
    staging = libs.with_name(libs.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        "mvn",
        "-q",
        "-B",
        "-f",
        str(POM),
        f"-Dkafka.version={version}",
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return (result.stdout + result.stderr)[-2000:]
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    return None


# --------------------------------------------------------------------------- nodes


@dataclass(frozen=True)
class NodeSpec:
    """Everything needed to format, start, probe and stop one KRaft node."""

    node_id: int
    home: Path
    port: int
    controller_port: int
    # Static quorum ("1@host:port,...") for the cluster; None means a standalone node.
    voters: str | None = None
    replication: int = 1
    # An extra SASL_PLAINTEXT (mechanism PLAIN) listener on this port, with these
    # (user, password) accounts, to test clients' SASL settings; PLAINTEXT stays for the
    # readiness probe and the controller.
    sasl_port: int | None = None
    sasl_users: tuple[tuple[str, str], ...] = ()

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "kafka.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "kafka.pid"

    @property
    def marker(self) -> str:
        # Our properties path is unique per node, so it identifies our JVM in /proc.
        return str(self.properties)


def _server_properties(spec: NodeSpec) -> str:
    min_isr = 2 if spec.replication >= 3 else 1
    quorum = (
        f"controller.quorum.voters={spec.voters}"
        if spec.voters
        else f"controller.quorum.bootstrap.servers={LOOPBACK}:{spec.controller_port}"
    )
    listeners = f"PLAINTEXT://{LOOPBACK}:{spec.port},CONTROLLER://{LOOPBACK}:{spec.controller_port}"
    protocols = "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    sasl: list[str] = []
    if spec.sasl_port is not None:
        listeners += f",SASL_PLAINTEXT://{LOOPBACK}:{spec.sasl_port}"
        protocols += ",SASL_PLAINTEXT:SASL_PLAINTEXT"
        accounts = " ".join(f'user_{user}="{password}"' for user, password in spec.sasl_users)
        sasl = [
            "sasl.enabled.mechanisms=PLAIN",
            "listener.name.sasl_plaintext.plain.sasl.jaas.config="
            f"org.apache.kafka.common.security.plain.PlainLoginModule required {accounts};",
        ]
    lines = [
        "process.roles=broker,controller",
        f"node.id={spec.node_id}",
        quorum,
        f"listeners={listeners}",
        f"advertised.listeners={listeners}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        f"listener.security.protocol.map={protocols}",
        *sasl,
        f"log.dirs={spec.data_dir}",
        "num.partitions=3",
        "auto.create.topics.enable=true",
        f"default.replication.factor={spec.replication}",
        f"min.insync.replicas={min_isr}",
        f"offsets.topic.replication.factor={spec.replication}",
        # Fewer offsets partitions than the default 50: creating them is the slowest part
        # of the first consumer-group join on a 2-core machine, and tests need few groups.
        "offsets.topic.num.partitions=10",
        f"transaction.state.log.replication.factor={spec.replication}",
        f"transaction.state.log.min.isr={min_isr}",
        "transaction.state.log.num.partitions=10",
        f"share.coordinator.state.topic.replication.factor={spec.replication}",
        f"share.coordinator.state.topic.min.isr={min_isr}",
        # Tests start consumers one after another; don't wait 3 s for more members.
        "group.initial.rebalance.delay.ms=0",
        "num.network.threads=2",
        "num.io.threads=4",
        "num.recovery.threads.per.data.dir=1",
        "log.retention.hours=24",
        "log.segment.bytes=67108864",
        # A killed node must be noticed quickly by the others in fault tests.
        "broker.session.timeout.ms=6000",
        "broker.heartbeat.interval.ms=1000",
        "replica.lag.time.max.ms=10000",
    ]
    return "\n".join(lines) + "\n"


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java not found on PATH (Kafka 4.x needs Java 17+)")
    return java


def _classpath(libs: Path) -> str:
    return f"{libs}/*"


def _storage_tool(libs: Path, *args: str) -> str:
    command = [_java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", _classpath(libs)]
    command += [f"-Dlog4j2.configurationFile={LOG4J_CONFIG}", "kafka.tools.StorageTool", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"StorageTool {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def new_cluster_id(libs: Path) -> str:
    return _storage_tool(libs, "random-uuid").splitlines()[-1].strip()


def _is_formatted(spec: NodeSpec) -> bool:
    return (spec.data_dir / "meta.properties").exists()


def _format_command(spec: NodeSpec, cluster_id: str) -> list[str]:
    args = ["format", "-t", cluster_id, "-c", str(spec.properties), "--ignore-formatted"]
    if spec.voters is None:
        args.insert(1, "--standalone")
    return args


def write_config(spec: NodeSpec) -> None:
    spec.home.mkdir(parents=True, exist_ok=True)
    spec.properties.write_text(_server_properties(spec))


def format_nodes(libs: Path, specs: list[NodeSpec]) -> None:
    """Format the storage of every node not formatted yet (with one shared cluster id),
    in parallel because each StorageTool run is a JVM start."""
    pending = [spec for spec in specs if not _is_formatted(spec)]
    if not pending:
        return
    if len(pending) != len(specs):
        raise RuntimeError(
            "some cluster nodes are formatted and others are not; "
            f"remove {specs[0].home.parent} to start afresh"
        )
    cluster_id = new_cluster_id(libs)
    with concurrent.futures.ThreadPoolExecutor(len(pending)) as pool:
        jobs = [pool.submit(_storage_tool, libs, *_format_command(s, cluster_id)) for s in pending]
        for job in jobs:
            job.result()


def node_pid(spec: NodeSpec) -> int | None:
    """Pid of the running JVM for this node, cleaning up a stale pid file."""
    pid = read_pid(spec.pid_file)
    child = _children.get(pid) if pid is not None else None
    if child is not None and child.poll() is None:
        # Our own child that has not exec'd java yet (under load this takes a moment): its
        # command line is still ours, without the marker, but it is starting, not gone.
        return pid
    if pid is not None and process_alive(pid, spec.marker):
        return pid
    spec.pid_file.unlink(missing_ok=True)
    # The pid file may be gone while the JVM still runs (e.g. the home was half-cleaned).
    orphans = find_pids(spec.marker)
    if orphans:
        spec.pid_file.write_text(f"{orphans[0]}\n")
        return orphans[0]
    return None


def _rotate_log(spec: NodeSpec) -> None:
    if spec.log_file.exists():
        spec.log_file.replace(spec.log_file.with_suffix(".log.1"))


def _jvm_flags() -> list[str]:
    override = os.environ.get(JVM_FLAGS_ENV)
    return override.split() if override else list(JVM_FLAGS)


def launch(libs: Path, spec: NodeSpec) -> int:
    _rotate_log(spec)
    command = [_java(), *_jvm_flags(), "-cp", _classpath(libs)]
    command += [f"-Dlog4j2.configurationFile={LOG4J_CONFIG}", "kafka.Kafka", str(spec.properties)]
    with spec.log_file.open("ab") as log:
        # A new session detaches the JVM from our terminal and lets `down` kill its group.
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=spec.home,
            start_new_session=True,
        )
    _children[proc.pid] = proc
    spec.pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def stop_nodes(specs: list[NodeSpec], timeout: float = 20.0) -> None:
    pids: list[int] = []
    for spec in specs:
        pid = node_pid(spec)
        if pid is not None:
            pids.append(pid)
        pids.extend(p for p in find_pids(spec.marker) if p not in pids)
    terminate(pids, timeout)
    for pid in pids:
        proc = _children.pop(pid, None)
        if proc is not None:
            proc.wait(timeout=5)
        reap(pid)
    for spec in specs:
        spec.pid_file.unlink(missing_ok=True)


def _check_alive(specs: list[NodeSpec]) -> None:
    for spec in specs:
        if node_pid(spec) is None:
            raise RuntimeError(
                f"Kafka node {spec.node_id} exited during start-up; last log lines of "
                f"{spec.log_file}:\n{tail(spec.log_file)}"
            )


# --------------------------------------------------------------------------- readiness


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a private loop in a worker thread: callers may be sync code or
    an async pytest fixture that already owns the current thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _probe(bootstrap: str, timeout: float) -> None:
    """Produce one record with acks=all and read it back, committing an offset so the
    group coordinator (__consumer_offsets) is known to work too."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    from services.common.kafka import split_servers

    payload = uuid.uuid4().bytes
    servers = split_servers(bootstrap)  # every client gets a list, as the services do
    producer = AIOKafkaProducer(
        bootstrap_servers=servers, acks="all", request_timeout_ms=int(timeout * 1000)
    )
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers,
        group_id="_kinerja_probe",
        enable_auto_commit=False,
        request_timeout_ms=int(timeout * 1000),
    )
    try:
        await producer.start()
        meta = await producer.send_and_wait(PROBE_TOPIC, payload, partition=0)
        tp = TopicPartition(PROBE_TOPIC, 0)
        await consumer.start()
        consumer.assign([tp])
        consumer.seek(tp, meta.offset)
        record = await consumer.getone()
        if record.value != payload:
            raise RuntimeError("probe read back a different record")
        await consumer.commit({tp: meta.offset + 1})
    finally:
        await consumer.stop()
        await producer.stop()


def probe(bootstrap: str, timeout: float = 15.0) -> None:
    run_async(asyncio.wait_for(_probe(bootstrap, timeout), timeout))


def wait_ready(specs: list[NodeSpec], bootstrap: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "ports never opened"
    while time.monotonic() < deadline:
        _check_alive(specs)
        if all(port_open(spec.port) for spec in specs):
            try:
                probe(bootstrap, timeout=min(15.0, max(1.0, deadline - time.monotonic())))
                return
            except Exception as exc:  # any client error just means "not yet"
                last_error = f"{type(exc).__name__}: {exc}"
        time.sleep(0.3)
    logs = "\n".join(f"--- {s.log_file}\n{tail(s.log_file)}" for s in specs)
    raise TimeoutError(
        f"Kafka at {bootstrap} not ready after {timeout:.0f}s ({last_error})\n{logs}"
    )


# --------------------------------------------------------------------------- single node


def _single_spec(
    port: int, home: Path | str | None, sasl_users: dict[str, str] | None = None
) -> NodeSpec:
    root = Path(home) if home is not None else cache_root() / "kafka" / f"single-{port}"
    return NodeSpec(
        node_id=1,
        home=root.resolve(),
        port=port,
        controller_port=port + 1,
        sasl_port=port + 2 if sasl_users else None,
        sasl_users=tuple(sorted((sasl_users or {}).items())),
    )


def ensure_kafka(
    port: int = 19092,
    home: Path | str | None = None,
    timeout: float = 90.0,
    sasl_users: dict[str, str] | None = None,
) -> str:
    """Start (or reuse) a single KRaft node; returns its bootstrap address once a real
    client round trip works. ``sasl_users`` adds a SASL_PLAINTEXT (PLAIN) listener on
    ``port + 2`` with those accounts."""
    spec = _single_spec(port, home, sasl_users)
    libs = ensure_libs()
    with file_lock(spec.home.with_name(spec.home.name + ".lock")):
        if node_pid(spec) is not None and port_open(spec.port):
            return spec.bootstrap
        write_config(spec)
        format_nodes(libs, [spec])
        if node_pid(spec) is None:
            launch(libs, spec)
        wait_ready([spec], spec.bootstrap, timeout)
    return spec.bootstrap


def stop_kafka(port: int = 19092, home: Path | str | None = None) -> None:
    spec = _single_spec(port, home)
    with file_lock(spec.home.with_name(spec.home.name + ".lock")):
        stop_nodes([spec])


def kafka_status(port: int = 19092, home: Path | str | None = None) -> dict[str, Any]:
    return node_status(_single_spec(port, home))


def node_status(spec: NodeSpec) -> dict[str, Any]:
    pid = node_pid(spec)
    return {
        "node_id": spec.node_id,
        "running": pid is not None,
        "pid": pid,
        "port_open": port_open(spec.port),
        "bootstrap": spec.bootstrap,
        "home": str(spec.home),
        "version": kafka_version(),
    }
