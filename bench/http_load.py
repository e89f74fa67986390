"""Open-loop HTTP load for ``bench.http_scale``: requests sent at their scheduled times
whatever the answers, each latency counted from the scheduled time (a sender that falls
behind shows as latency, not as a lower rate hidden in the figures)."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from bench.http_client import Client, HttpError
from bench.report import latency_summary

FLOOR_RATE = int(
    __import__("os").environ.get("FLOOR_RATE", "20")
)  # /s of the gateway's /healthz in every phase
TIMEOUT = 10.0
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


def schedule(rate: float, seconds: float, offset: float) -> list[float]:
    """Evenly spaced send times (offset keeps streams of one phase from coinciding)."""
    if rate <= 0:
        return []
    step = 1.0 / rate
    return [offset * step + i * step for i in range(int(rate * seconds))]


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
    today = date.today().isoformat()
    plan: list[tuple[float, str, str, str, dict[str, str], Any]] = []
    per = read_rate / max(1, len(endpoints))
    for k, endpoint in enumerate(endpoints):
        for at in schedule(per, seconds, k / (len(endpoints) + 2)):
            who = next(by_role[endpoint.role])
            path = endpoint.path.format(year=who.year, employee=who.employee)
            plan.append((at, endpoint.name, endpoint.method, path, _auth(who), None))
    for at in schedule(write_rate, seconds, 0.5):
        who = next(writers)
        body = {
            "skp_id": who.skp,
            "indicator_id": who.indicator,
            "activity_date": today,
            "value": 1.0,
        }
        plan.append((at, "activity.post", "POST", "/api/targets/activities", _auth(who), body))
    for at in schedule(FLOOR_RATE, seconds, 0.25):
        plan.append((at, "floor", "GET", "/healthz", {}, None))
    plan.sort(key=lambda item: item[0])
    client = Client(gateway, timeout=TIMEOUT)
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


def _auth(who: Target) -> dict[str, str]:
    return {"Authorization": f"Bearer {who.token}"}


async def _one(
    client: Client,
    recorder: Recorder,
    due: float,
    name: str,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any,
) -> None:
    try:
        status, _ = await client.request(method, path, headers=headers, body=body)
    except (HttpError, TimeoutError):
        status = 599
    recorder.add(name, (time.perf_counter() - due) * 1000, status)


async def page_once(gateway: str, reads: list[Target]) -> dict[str, Any]:
    """Each page's HTML once, as its role (the session cookie a browser would send)."""
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=gateway, timeout=TIMEOUT) as client:
        for role, path in PAGES.items():
            who = next(t for t in reads if t.role == role)
            started = time.perf_counter()
            response = await client.get(path, cookies={"kinerja_access": who.token})
            out[path] = {
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "status": response.status_code,
            }
    return out
