"""The demo command as a newcomer runs it: ``python -m deploy.run --demo`` as a subprocess
on a fresh data directory, its own port offset and topic prefix on the shared Kafka.

Checked through the gateway, as the pages read it: each of the five regencies of the
source documents has its units, its people, last year's final predikat distribution,
this year's projections and at least one alert; a supervisor's alert stream receives an
alert that live mode caused; a second run reuses the data; SIGINT leaves no process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from deploy.demo.accounts import DEMO_PASSWORD
from deploy.demo.plan import demo_plan
from deploy.demo.regencies import REGENCIES, SEED_REGENCIES
from deploy.ports import available_services
from tests.e2e.conftest import free_offset
from tests.support import delete_topics

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
READY_WITHIN = 300.0  # seconds, on a busy 2-core machine
PLANS = {p.slug: demo_plan(p) for p in REGENCIES if p.slug in SEED_REGENCIES}


@dataclass
class Demo:
    process: subprocess.Popen[str]
    output: list[str]
    gateway: str
    env: dict[str, str]
    args: list[str]


def start(env: dict[str, str], args: list[str]) -> Demo:
    process = subprocess.Popen(
        [sys.executable, "-m", "deploy.run", "--demo", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the check for leftovers
    )
    output: list[str] = []
    deadline = time.monotonic() + READY_WITHIN
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError("the demo stopped before ready:\n" + "".join(output[-40:]))
        output.append(line)
        if line.strip() == "READY":
            port = available_services(int(args[args.index("--port-offset") + 1]))["gateway"]
            return Demo(process, output, f"http://127.0.0.1:{port}", env, args)
    process.kill()
    raise AssertionError("not ready in time:\n" + "".join(output[-40:]))


def interrupt(demo: Demo) -> None:
    """Ctrl-C, then: the command ends and nothing of its process group is left."""
    demo.process.send_signal(signal.SIGINT)
    assert demo.process.stdout is not None
    demo.output.extend(demo.process.stdout.readlines())
    assert demo.process.wait(timeout=60) == 0, "".join(demo.output[-20:])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(demo.process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise AssertionError("processes of the demo are still running after Ctrl-C")


@pytest.fixture(scope="module")
def demo(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    prefix = f"demo{uuid.uuid4().hex[:8]}."
    env = {**os.environ, "KINERJA_TOPIC_PREFIX": prefix, "KINERJA_ENVIRONMENT": "development"}
    args = [
        "--kafka", kafka_bootstrap,
        "--port-offset", str(free_offset()),
        "--data-dir", str(tmp_path_factory.mktemp("demo")),
        "--regencies", ",".join(SEED_REGENCIES),
        "--live-speed", "600",  # ten working hours a minute: the first complaint at once
    ]  # fmt: skip
    running = start(env, args)
    try:
        yield running
    finally:
        if running.process.poll() is None:  # a test failed before its Ctrl-C
            running.process.send_signal(signal.SIGINT)
            try:
                running.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(running.process.pid, signal.SIGKILL)  # the services too
        asyncio.run(delete_topics(kafka_bootstrap, prefix))


def login(gateway: str, tenant: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=gateway + "/api", timeout=30)
    body = {"tenant": tenant, "username": username, "password": DEMO_PASSWORD}
    answer = client.post("/identity/auth/login", json=body)
    assert answer.status_code == 200, answer.text
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return client


def until(check, timeout: float = 90.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(1)


@pytest.mark.parametrize("slug", SEED_REGENCIES)
def test_each_regency_has_units_people_last_year_and_this_year(demo: Demo, slug: str) -> None:
    plan = PLANS[slug]
    year = int(time.strftime("%Y"))
    with closing(login(demo.gateway, slug, plan.admin_username)) as admin:
        units = admin.get("/identity/units", params={"limit": 500}).json()
        assert {u["code"] for u in units["items"]} == {u.code for u in plan.units}
        people = admin.get("/identity/employees", params={"limit": 500}).json()
        assert people["total"] == len(plan.people)

        def last_year() -> dict[str, int]:
            body = admin.get("/scoring/scores/regency", params={"year": year - 1}).json()
            return body["predikat_distribution"]  # type: ignore[no-any-return]

        finals = until(lambda: sum(last_year().values()) >= len(plan.people) - 2 and last_year())
        assert finals, f"{slug}: no final predikat for {year - 1}"
        assert len(finals) >= 2  # a spread, not one predikat for everyone
        team = admin.get("/scoring/scores/team", params={"limit": 500}).json()["items"]
        assert any(m.get("projected_predikat") for m in team), team[:2]
    boss = plan.person("kabid_dafduk")
    with closing(login(demo.gateway, slug, boss.nip)) as supervisor:
        alerts = until(lambda: supervisor.get("/scoring/scores/alerts").json()["items"])
        assert alerts, f"{slug}: the Dafduk head has no alert"


def test_a_supervisor_stream_receives_a_live_alert(demo: Demo) -> None:
    plan = PLANS["bantul"]
    with closing(login(demo.gateway, "bantul", plan.person("kabid_dafduk").nip)) as supervisor:
        seen = supervisor.get("/gateway/alerts").json()
        last = max((a["seq"] for a in seen), default=0)
        headers = {"Last-Event-ID": str(last)}
        url = demo.gateway + "/events/alerts"
        with httpx.stream(
            "GET", url, headers={**supervisor.headers, **headers}, timeout=150
        ) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:") and '"complaint"' in line:
                    break
            else:
                raise AssertionError("the stream ended without a live alert")
    assert "Live mode" in "".join(demo.output)


def test_a_second_run_reuses_the_data_and_sigint_leaves_nothing(demo: Demo) -> None:
    interrupt(demo)
    again = start(demo.env, [*demo.args, "--no-live"])
    try:
        text = "".join(again.output)
        assert text.count("already there, reused") == len(SEED_REGENCIES), text[-2000:]
        with closing(login(again.gateway, "bantul", PLANS["bantul"].admin_username)) as admin:
            people = admin.get("/identity/employees", params={"limit": 500}).json()
            assert people["total"] == len(PLANS["bantul"].people)
    finally:
        interrupt(again)


def test_services_stop_when_the_launcher_dies_hard(kafka_bootstrap: str, tmp_path: Path) -> None:
    """SIGKILL leaves the launcher no chance to stop anything: the services stop because
    the kernel tells them their parent died (PR_SET_PDEATHSIG)."""
    prefix = f"hard{uuid.uuid4().hex[:8]}."
    env = {**os.environ, "KINERJA_TOPIC_PREFIX": prefix, "KINERJA_ENVIRONMENT": "development"}
    args = ["--kafka", kafka_bootstrap, "--port-offset", str(free_offset())]
    launcher = subprocess.Popen(
        [sys.executable, "-m", "deploy.run", *args, "--data-dir", str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert launcher.stdout is not None
        seen: list[str] = []
        for line in launcher.stdout:  # every service answers once the gateway's line is out
            seen.append(line)
            if "gateway " in line and "http://" in line:
                break
        else:
            raise AssertionError("the platform did not start:\n" + "".join(seen[-20:]))
        services = [p for p in _group(launcher.pid) if p != launcher.pid]
        assert len(services) == len(available_services()), services
        launcher.kill()
        launcher.wait(timeout=10)  # reaped: only the services can keep the group alive
        deadline = time.monotonic() + 30
        while _group(launcher.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _group(launcher.pid) == [], "services outlived their launcher"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(launcher.pid, signal.SIGKILL)
        asyncio.run(delete_topics(kafka_bootstrap, prefix))


def _group(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found
