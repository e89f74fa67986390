"""Open-loop HTTP load for ``bench.http_scale``: requests sent at their scheduled times
whatever the answers, each latency counted from the scheduled time (a sender that falls
behind shows as latency, not as a lower rate hidden in the figures)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bench.openloop import due_times
from bench.rawhttp import FAILED, Pool
from bench.report import latency_summary

FLOOR_RATE = 20  # /s of the gateway's /healthz in every phase
TIMEOUT = 10.0
# Connections the load may hold open at once: enough that the open-loop schedule, not the
# client, decides when a request goes out (the wait for one counts in the latency).
CONNECTIONS = 500  # under the usual limit of 1,024 open files
PAGES = {"atasan": "/atasan", "pegawai": "/pegawai", "admin": "/admin"}


@dataclass(frozen=True)
class Target:
    """A logged-in person the load acts as."""

    role: str  # atasan, pegawai, admin
    tenant: str
    token: str
    year: int
    employee: str = ""
    skp: str = ""
    indicator: str = ""


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str
    method: str
    path: str  # with {year} and {employee}


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.statuses: dict[str, dict[int, int]] = {}

    def add(self, name: str, ms: float, status: int) -> None:
        self.latencies.setdefault(name, []).append(ms)
        self.errors.setdefault(name, 0)
        if not 200 <= status < 300:
            self.errors[name] += 1
            counts = self.statuses.setdefault(name, {})
            counts[status] = counts.get(status, 0) + 1

    def report(self) -> dict[str, Any]:
        return {
            name: {
                **latency_summary(samples, (50, 99)),
                "errors": self.errors[name],
                **({"error_statuses": self.statuses[name]} if name in self.statuses else {}),
            }
            for name, samples in sorted(self.latencies.items())
        }


async def run_phase(
    gateway: str,
    endpoints: list[Endpoint],
    reads: list[Target],
    writes: list[Target],
    read_rate: float,
    write_rate: float,
    seconds: float,
) -> dict[str, Any]:
    """One phase: ``read_rate``/s spread evenly over ``endpoints``, ``write_rate``/s of
    activity POSTs, ``FLOOR_RATE``/s of the floor, for ``seconds``."""
    recorder = Recorder()
    by_role = {role: itertools.cycle([t for t in reads if t.role == role]) for role in PAGES}
    writers = itertools.cycle(writes)
    plan: list[tuple[float, str, str, str, dict[str, str], Any]] = []
    per = read_rate / max(1, len(endpoints))
    for k, endpoint in enumerate(endpoints):
        for at in due_times(per, seconds, k / (len(endpoints) + 2)):
            who = next(by_role[endpoint.role])
            path = endpoint.path.format(year=who.year, employee=who.employee)
            plan.append((at, endpoint.name, endpoint.method, path, _auth(who), None))
    for at in due_times(write_rate, seconds, 0.5):
        who = next(writers)
        plan.append(
            (at, "activity.post", "POST", "/api/targets/activities", _auth(who), _activity(who))
        )
    for at in due_times(FLOOR_RATE, seconds, 0.25):
        plan.append((at, "floor", "GET", "/healthz", {}, None))
    plan.sort(key=lambda item: item[0])
    client = Pool.for_url(gateway, CONNECTIONS, timeout=TIMEOUT)
    tasks = []
    start = time.perf_counter()
    for at, name, method, path, headers, body in plan:
        delay = start + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(
            asyncio.create_task(
                _one(client, recorder, start + at, name, method, path, headers, body)
            )
        )
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    await client.close()
    done = len(tasks)
    return {
        "read_rate": read_rate,
        "write_rate": write_rate,
        "seconds": seconds,
        "achieved_rps": round(done / elapsed, 1),
        "posted": len(recorder.latencies.get("activity.post", []))
        - recorder.errors.get("activity.post", 0),
        "endpoints": recorder.report(),
    }


async def probe(
    gateway: str,
    endpoints: list[Endpoint],
    reads: list[Target],
    writes: list[Target],
    count: int,
    cpu: Callable[[], dict[str, float]],
) -> dict[str, Any]:
    """Each endpoint alone, ``count`` requests one after another (closed loop): its
    latency without queueing, and the CPU milliseconds each service spent per request
    (``cpu`` reads the services' CPU seconds). On a machine shared with other work the
    latency moves with the load; the CPU per request hardly does."""
    client = Pool.for_url(gateway, CONNECTIONS, timeout=TIMEOUT)
    out: dict[str, Any] = {}
    for endpoint in [*endpoints, Endpoint("activity.post", "pegawai", "POST", "")]:
        people = itertools.cycle(
            writes
            if endpoint.name == "activity.post"
            else [t for t in reads if t.role == endpoint.role]
        )
        recorder = Recorder()
        before = cpu()
        for _ in range(count):
            who = next(people)
            if endpoint.name == "activity.post":
                path, body = "/api/targets/activities", _activity(who)
            else:
                path, body = endpoint.path.format(year=who.year, employee=who.employee), None
            started = time.perf_counter()
            await _one(
                client,
                recorder,
                started,
                endpoint.name,
                endpoint.method or "POST",
                path,
                _auth(who),
                body,
            )
        after = cpu()
        summary = recorder.report()[endpoint.name]
        summary["cpu_ms_per_request"] = {
            name: round((after[name] - before[name]) * 1000 / count, 1)
            for name in after
            if after[name] - before[name] > 0
        }
        out[endpoint.name] = summary
    await client.close()
    return out


def _activity(who: Target) -> dict[str, Any]:
    return {
        "skp_id": who.skp,
        "indicator_id": who.indicator,
        "activity_date": date.today().isoformat(),
        "value": 1.0,
    }


def _auth(who: Target) -> dict[str, str]:
    return {"Authorization": f"Bearer {who.token}"}


async def _one(
    client: Pool,
    recorder: Recorder,
    due: float,
    name: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any,
) -> None:
    try:
        status = (await client.request(method, path, headers=headers, body=body)).status
    except (*FAILED, TimeoutError):
        status = 599
    recorder.add(name, (time.perf_counter() - due) * 1000, status)


async def page_once(gateway: str, reads: list[Target]) -> dict[str, Any]:
    """Each page's HTML once, as its role (the session cookie a browser would send)."""
    out: dict[str, Any] = {}
    client = Pool.for_url(gateway, CONNECTIONS, timeout=TIMEOUT)
    for role, path in PAGES.items():
        who = next(t for t in reads if t.role == role)
        started = time.perf_counter()
        try:
            cookie = {"Cookie": f"kinerja_access={who.token}"}
            status = (await client.request("GET", path, headers=cookie)).status
        except (*FAILED, TimeoutError):
            status = 599
        out[path] = {"ms": round((time.perf_counter() - started) * 1000, 1), "status": status}
    await client.close()
    return out


def brief(phase: dict[str, Any]) -> str:
    """A phase in one line: the rates, then p50/p99/errors per endpoint."""
    cells = " ".join(
        f"{name}={e['p50']}/{e['p99']}/{e['errors']}" for name, e in phase["endpoints"].items()
    )
    return (
        f"reads {phase['read_rate']}/s + writes {phase['write_rate']}/s asked, "
        f"{phase['achieved_rps']}/s done (ms p50/p99/errors): {cells}"
    )
