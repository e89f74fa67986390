"""The whole platform as real processes (``deploy.run``), with the demo data loaded.

One platform per test module: its own topic prefix, data directory and ports (moved by
an offset whose ports are free, so a demo running on the default ports is not disturbed).
Everything it started is stopped at the end, and its topics are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from deploy.demo.accounts import DEMO_PASSWORD
from deploy.demo.cli import load_demo_data
from deploy.demo.model import RegencyPlan
from deploy.demo.plan import demo_plan
from deploy.demo.regencies import REGENCIES
from deploy.ports import available_services
from deploy.run import start_service, start_services, stop_services
from services.common.events import Envelope, EventPayload, decode_event
from services.common.kafka import split_servers
from tests.support import delete_topics

P = TypeVar("P", bound=EventPayload)


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_offset() -> int:
    """A port offset under which every service port is free."""
    for _ in range(50):
        offset = random.randrange(1000, 9000, 10)
        if all(_free(port) for port in available_services(offset).values()):
            return offset
    raise RuntimeError("no free range of ports for the platform")


@dataclass
class Platform:
    bootstrap: str
    prefix: str
    data_dir: Path
    ports: dict[str, int]
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    plans: dict[str, RegencyPlan] = field(default_factory=dict)
    demo_output: str = ""
    demo_seconds: float = 0.0

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}/api/v1"

    def client(self, service: str, **kwargs: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url(service), timeout=30, **kwargs)  # type: ignore[arg-type]

    def topic(self, name: str) -> str:
        return self.prefix + name

    def kill(self, service: str) -> None:
        """SIGKILL: no shutdown hook runs, as when a machine dies."""
        process = self.processes[service]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def restart(self, service: str) -> None:
        self.processes[service] = start_service(
            service, self.ports[service], self.env, self.data_dir
        )

    async def login(self, tenant: str | None, username: str, password: str = DEMO_PASSWORD) -> str:
        async with self.client("identity") as identity:
            answer = await identity.post(
                "/auth/login", json={"tenant": tenant, "username": username, "password": password}
            )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def payloads(events: list[Envelope], kind: type[P], tenant: str | None = None) -> list[P]:
    """The payloads of one type (of one tenant), in the order read."""
    return [
        e.payload
        for e in events
        if isinstance(e.payload, kind) and (tenant is None or e.tenant == tenant)
    ]


async def events_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[Envelope]], bool],
    *,
    timeout: float = 30.0,
) -> list[Envelope]:
    """The topic's events from the beginning, read until ``done`` holds for them."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=split_servers(bootstrap),
        auto_offset_reset="earliest",
        group_id=None,
    )
    await consumer.start()
    events: list[Envelope] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            events.extend(decode_event(r.value) for part in batch.values() for r in part if r.value)
            if done(events):
                return events
        raise AssertionError(f"{topic}: condition not met within {timeout}s ({len(events)} read)")
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
async def platform(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    prefix = f"e2e{uuid.uuid4().hex[:8]}."
    data_dir = tmp_path_factory.mktemp("platform")
    ports = available_services(free_offset())
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KINERJA_TOPIC_PREFIX": prefix,
        "KINERJA_DATA_DIR": str(data_dir),
        "KINERJA_ENVIRONMENT": "development",
    }
    plat = Platform(kafka_bootstrap, prefix, data_dir, ports, env)
    try:
        plat.processes = await asyncio.to_thread(start_services, env, data_dir, ports)
        plat.plans = {place.slug: demo_plan(place) for place in REGENCIES}
        started = time.monotonic()
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            await asyncio.to_thread(load_demo_data, ports)
        plat.demo_seconds = time.monotonic() - started
        plat.demo_output = output.getvalue()
        print(plat.demo_output)
        yield plat
    finally:
        await asyncio.to_thread(stop_services, plat.processes)
        left = [name for name, p in plat.processes.items() if p.poll() is None]
        await delete_topics(kafka_bootstrap, prefix)
        assert not left, f"still running after stop: {left}"
