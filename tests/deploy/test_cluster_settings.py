"""A service configured from what ``deploy.local env --cluster`` prints works on the cluster.

FastStream 0.7.8 took the comma-separated bootstrap string as ONE host, so the launcher's
own output never connected. Run under the fixed-ports lock:
``flock /tmp/kinerja-kafka-fixed-ports.lock pytest tests/deploy/test_cluster_settings.py``.
"""

from __future__ import annotations

import asyncio
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from deploy.local import kafka_cluster as lk
from services.common.events import ASSESSMENT_TOPIC, dead_letter_topic
from services.common.settings import ServiceSettings
from tests.deploy.helpers import REPO, free_base
from tests.kernel.helpers import post_note
from tests.kernel.sample_service import create_app, note_count
from tests.support import read_topic, serve, wait_until

pytestmark = pytest.mark.cluster


def cluster_env_line(base: int) -> str:
    """The ``KAFKA_BOOTSTRAP_SERVERS=...`` line of ``python -m deploy.local env --cluster``."""
    command = ["deploy.local", "--cluster-base-port", str(base), "env", "--cluster"]
    out = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return next(line for line in out if line.startswith("KAFKA_BOOTSTRAP_SERVERS="))


async def test_a_service_runs_on_the_cluster_env_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default ports (29092/29192/29292) unless something holds them.
    base = free_base(range(29092, 29600, 10), (0, 1, 100, 101, 200, 201))
    line = cluster_env_line(base)
    name, value = shlex.split(line)[0].split("=", 1)
    assert value.count(",") == 2  # three brokers, one string, as an operator sets it
    monkeypatch.setenv(name, value)
    home = tmp_path / "cluster"
    await asyncio.to_thread(lk.ensure_cluster, base, home)
    try:
        settings = ServiceSettings(  # the Kafka address comes from the environment alone
            service_name=f"sample-{uuid.uuid4().hex[:6]}",
            database_url=f"sqlite+aiosqlite:///{tmp_path}/sample.db",
            topic_prefix=f"t{uuid.uuid4().hex[:10]}.",
            outbox_poll_seconds=0.2,
        )
        assert settings.kafka_bootstrap_servers == value.split(",")
        runtime, app = create_app(settings)
        # serve() waits for /readyz: topics created (admin client) and the broker connected.
        async with serve(app) as client:
            await post_note(client, "bantul", "emp-1", "published and consumed on 3 brokers")
            await wait_until(lambda: note_count(runtime, "bantul", "emp-1"), timeout=60)
        topic = settings.topic_prefix + ASSESSMENT_TOPIC
        records = await read_topic(settings.kafka.bootstrap_servers, topic, expected=1)
        assert len(records) == 1
        # Created with the cluster's replication, dead-letter topic included.
        assert await _replicas(value, [topic, dead_letter_topic(topic)]) == {3}
    finally:
        await asyncio.to_thread(lk.stop_cluster, base, home)


async def _replicas(bootstrap: str, topics: list[str]) -> set[int]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap.split(","))
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {len(p["replicas"]) for t in described for p in t["partitions"]}
