"""A three-node KRaft cluster on loopback (combined broker+controller, RF 3, min ISR 2) for
replication and fault tests, built from the single-node pieces in ``kafka``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from deploy.local import LOOPBACK, cache_root, file_lock, port_open
from deploy.local.kafka import (
    NodeSpec,
    ensure_libs,
    format_nodes,
    kafka_version,
    launch,
    node_pid,
    node_status,
    run_async,
    stop_nodes,
    wait_ready,
    write_config,
)

CLUSTER_SIZE = 3
# Port stride between cluster nodes: node n uses base + (n-1)*100 and that + 1.
CLUSTER_PORT_STRIDE = 100
# Seconds a stopping cluster node gets to exit on SIGTERM before SIGKILL.
CLUSTER_STOP_GRACE = 6.0


def _cluster_home(base_port: int, home: Path | str | None) -> Path:
    root = Path(home) if home is not None else cache_root() / "kafka" / f"cluster-{base_port}"
    return root.resolve()


def cluster_specs(base_port: int = 29092, home: Path | str | None = None) -> list[NodeSpec]:
    root = _cluster_home(base_port, home)
    ports = {n: base_port + (n - 1) * CLUSTER_PORT_STRIDE for n in range(1, CLUSTER_SIZE + 1)}
    voters = ",".join(f"{n}@{LOOPBACK}:{p + 1}" for n, p in ports.items())
    return [
        NodeSpec(
            node_id=n,
            home=root / f"node-{n}",
            port=p,
            controller_port=p + 1,
            voters=voters,
            replication=CLUSTER_SIZE,
        )
        for n, p in ports.items()
    ]


def _bootstrap(specs: list[NodeSpec]) -> str:
    return ",".join(spec.bootstrap for spec in specs)


def _cluster_lock(base_port: int, home: Path | str | None) -> Path:
    root = _cluster_home(base_port, home)
    return root.with_name(root.name + ".lock")


def ensure_cluster(
    base_port: int = 29092, home: Path | str | None = None, timeout: float = 120.0
) -> str:
    """Start (or reuse) three combined KRaft nodes with RF 3 and min ISR 2."""
    specs = cluster_specs(base_port, home)
    libs = ensure_libs()
    with file_lock(_cluster_lock(base_port, home)):
        if all(node_pid(s) is not None and port_open(s.port) for s in specs):
            return _bootstrap(specs)
        for spec in specs:
            write_config(spec)
        format_nodes(libs, specs)
        # All nodes must start together: none can finish starting without a quorum.
        for spec in specs:
            if node_pid(spec) is None:
                launch(libs, spec)
        wait_ready(specs, _bootstrap(specs), timeout)
    return _bootstrap(specs)


def _cluster_node(node_id: int, base_port: int, home: Path | str | None) -> NodeSpec:
    specs = cluster_specs(base_port, home)
    if not 1 <= node_id <= len(specs):
        raise ValueError(f"node_id must be 1..{len(specs)}, got {node_id}")
    return specs[node_id - 1]


def stop_cluster_node(
    node_id: int, base_port: int = 29092, home: Path | str | None = None, graceful: bool = True
) -> None:
    """Stop one node. ``graceful=False`` SIGKILLs it, like a crashed machine."""
    spec = _cluster_node(node_id, base_port, home)
    stop_nodes([spec], timeout=20.0 if graceful else 0.0)


def start_cluster_node(
    node_id: int, base_port: int = 29092, home: Path | str | None = None, timeout: float = 90.0
) -> None:
    """Start one stopped node and wait until it serves clients and has caught up (is back
    in the ISR of every partition it replicates), so a later fault test can stop another
    node without falling below min.insync.replicas."""
    spec = _cluster_node(node_id, base_port, home)
    if node_pid(spec) is None:
        launch(ensure_libs(), spec)
    wait_ready([spec], spec.bootstrap, timeout)
    all_specs = cluster_specs(base_port, home)
    _wait_in_sync(_bootstrap(all_specs), node_id, timeout)


async def _out_of_sync(bootstrap: str, node_id: int) -> list[str]:
    from aiokafka.admin import AIOKafkaAdminClient

    from services.common.kafka import split_servers

    admin = AIOKafkaAdminClient(bootstrap_servers=split_servers(bootstrap))
    await admin.start()
    try:
        topics = await admin.describe_topics()
    finally:
        await admin.close()
    lagging = []
    for topic in topics:
        for part in topic["partitions"]:
            if node_id in part["replicas"] and node_id not in part["isr"]:
                lagging.append(f"{topic['topic']}-{part['partition']}")
    return lagging


def _wait_in_sync(bootstrap: str, node_id: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    lagging: list[str] = []
    while time.monotonic() < deadline:
        lagging = run_async(_out_of_sync(bootstrap, node_id))
        if not lagging:
            return
        time.sleep(0.5)
    raise TimeoutError(f"node {node_id} not back in ISR after {timeout:.0f}s: {lagging[:10]}")


def stop_cluster(base_port: int = 29092, home: Path | str | None = None) -> None:
    specs = cluster_specs(base_port, home)
    with file_lock(_cluster_lock(base_port, home)):
        # Stopped together, with a short grace period: once two of three combined nodes
        # are gone the quorum is lost and the remaining JVMs' shutdown hangs in the Raft
        # layer (measured: never finishes), so SIGKILL after they flushed their logs.
        stop_nodes(specs, timeout=CLUSTER_STOP_GRACE)


def cluster_status(base_port: int = 29092, home: Path | str | None = None) -> dict[str, Any]:
    specs = cluster_specs(base_port, home)
    return {
        "bootstrap": _bootstrap(specs),
        "nodes": [node_status(spec) for spec in specs],
        "version": kafka_version(),
    }
