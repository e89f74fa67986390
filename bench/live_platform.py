"""The real platform for a benchmark: every service as its own process through the
project's launcher (``deploy.run``), on a shared broker under a topic prefix of its own,
and a regency of its own seeded through the services' HTTP APIs (the demo loader's steps).

    with launched(kafka, port_offset=700, prefix="latency.x.") as platform:
        regency = seed(platform.ports, supervisors=20, per_supervisor=15)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from deploy.demo.accounts import DEMO_PASSWORD, PLATFORM_USERNAME, platform_password
from deploy.demo.client import Api, parallel
from deploy.demo.load import RegencyLoader
from deploy.demo.model import IndicatorPlan, PersonPlan, RegencyPlan, RhkPlan, UnitPlan
from deploy.demo.plan import make_nip
from deploy.ports import available_services
from deploy.progress import cpu_seconds
from services.common.events import Aggregation, Aspect, UnitKind
from services.common.kafka import KafkaClientConfig
from services.common.messaging.broker import delete_topics
from services.common.workdays import local_today

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 240.0  # seconds: six services importing and migrating on a busy 2-core box


@dataclass
class Platform:
    ports: dict[str, int]
    pids: dict[str, int] = field(default_factory=dict)  # service -> process id (ours only)
    data_dir: str = ""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(c) for c in path.read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def service_pids(launcher: int) -> dict[str, int]:
    """The launcher's service processes by name (from their ``-m services.<name>``)."""
    found: dict[str, int] = {}
    for child in _children(launcher):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            continue
        for arg in argv:
            if arg.startswith(b"services."):
                found[arg.decode().removeprefix("services.")] = child
    return found


def cpu_of(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds each process has used so far (those still running)."""
    spent = {name: cpu_seconds(pid) for name, pid in pids.items()}
    return {name: s for name, s in spent.items() if s is not None}


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def launched(
    kafka: str,
    *,
    port_offset: int,
    prefix: str,
    database_url: str | None = None,
    reuse: bool = False,
    env: dict[str, str] | None = None,
    data_dir: Path | None = None,
) -> Iterator[Platform]:
    """Start ``deploy.run`` (no demo) on a fresh data directory and stop it afterwards,
    deleting the prefix's topics and the directory; or on ``data_dir``, kept with its
    topics for a later run (a seeded platform is reused, not seeded again); or, with
    ``reuse``, use the platform already answering on the offset's ports (its processes
    are not ours to stop, and its peak memory is then not measured)."""
    ports = available_services(port_offset)
    if reuse:
        if not _answers(ports["gateway"]):
            raise RuntimeError(f"no platform answers on port {ports['gateway']}")
        yield Platform(ports)
        return
    keep = data_dir is not None
    directory = str(data_dir) if keep else tempfile.mkdtemp(prefix="kinerja-bench-")
    command = [
        sys.executable,
        "-m",
        "deploy.run",
        "--kafka",
        kafka,
        "--port-offset",
        str(port_offset),
        "--data-dir",
        directory,
    ]
    if database_url:
        command += ["--database-url", database_url]
    log_path = Path(directory) / "launcher.log"
    seen = log_path.stat().st_size if log_path.exists() else 0  # a kept directory's runs
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {}), "KINERJA_TOPIC_PREFIX": prefix},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while b"Running." not in log_path.read_bytes()[seen:]:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"deploy.run exited with {process.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the platform did not start in {START_TIMEOUT:.0f}s")
            time.sleep(0.5)
        yield Platform(ports, service_pids(process.pid), directory)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the launcher stops its services
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if not keep:
            asyncio.run(delete_topics(KafkaClientConfig.plain(kafka), prefix))
            shutil.rmtree(directory, ignore_errors=True)


# ---------------------------------------------------------------- the regency


INDICATOR = IndicatorPlan(
    "Persentase berkas selesai tepat waktu",
    Aspect.KUALITAS,
    100.0,
    "%",
    aggregation=Aggregation.LATEST,  # the last value logged is the realisation
)
SKP = (RhkPlan("Pelayanan berkas kependudukan", (INDICATOR,)),)


def regency_plan(slug: str, supervisors: int, per_supervisor: int) -> RegencyPlan:
    """One office; ``supervisors`` heads (no SKP of their own) with ``per_supervisor``
    staff each, every staff member with one approved SKP of one "latest" indicator."""
    people: list[PersonPlan] = []

    def nip(n: int) -> str:  # unique by birth date
        return make_nip(date(1975, 1, 1) + timedelta(days=n), (2005, 3), 1 + n % 2, 1)

    for s in range(supervisors):
        boss = f"sup{s}"
        people.append(
            PersonPlan(boss, nip(len(people)), f"Atasan {s}", "Kepala Seksi", "D", None, (), (), "")
        )
        for e in range(per_supervisor):
            people.append(
                PersonPlan(
                    f"emp{s}_{e}",
                    nip(len(people)),
                    f"Pegawai {s}-{e}",
                    "Pengadministrasi",
                    "D",
                    boss,
                    SKP,
                    (),
                    "",
                )
            )
    unit = UnitPlan("D", "Dinas Latensi", UnitKind.DINAS)
    return RegencyPlan(slug, f"Kabupaten {slug}", "Asia/Jakarta", (unit,), tuple(people), (), ())


@dataclass
class Person:
    key: str
    employee_id: str
    token: str
    skp_id: str = ""
    indicator_id: str = ""
    supervisor: str | None = None  # supervisor's key


@dataclass
class Seeded:
    plan: RegencyPlan
    people: dict[str, Person]
    today: date
    seconds: float

    def staff(self) -> list[Person]:
        return [p for p in self.people.values() if p.skp_id]

    def supervisors(self) -> list[Person]:
        return [p for p in self.people.values() if not p.skp_id]


def seed(ports: dict[str, int], slug: str, supervisors: int, per_supervisor: int) -> Seeded:
    """The regency, its people and their approved SKPs, through the services' APIs."""
    began = time.monotonic()
    plan = regency_plan(slug, supervisors, per_supervisor)
    api = Api(ports)
    try:
        platform = api.login(None, PLATFORM_USERNAME, platform_password())["access_token"]
        loader = RegencyLoader(api, platform, plan, lambda _line: None)
        loader.register()
        loader.import_org()
        loader.activate()
        loader.wait_org_chart()
        loader.skps(local_today(plan.time_zone).year)
        out = loader.out
    finally:
        api.close()
    people = {}
    for p in plan.people:
        person = Person(p.key, out.ids[p.key], out.tokens[p.key], supervisor=p.supervisor)
        skp = out.skps.get(p.key)
        if skp is not None:
            person.skp_id = skp["id"]
            person.indicator_id = skp["rhk"][0]["indicators"][0]["indicator_id"]
        people[p.key] = person
    return Seeded(plan, people, local_today(plan.time_zone), time.monotonic() - began)


def relogin(ports: dict[str, int], seeded: Seeded) -> None:
    """Fresh access tokens for everyone (they live 15 minutes; a long run outlives them)."""
    api = Api(ports)
    try:

        def login(person: Person) -> None:
            nip = seeded.plan.person(person.key).nip
            person.token = api.login(seeded.plan.slug, nip, DEMO_PASSWORD)["access_token"]

        parallel(login, list(seeded.people.values()))
    finally:
        api.close()
