"""Real servers for the gateway's tests: each app under uvicorn on a free localhost port,
started as an asyncio task in the test's event loop, and a seeded regency to look at."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from sqlalchemy import func
from sqlmodel import SQLModel, select

from services.common.events import (
    AlertCleared,
    AlertRaised,
    EventPayload,
    new_event,
)
from services.common.runtime import Runtime
from services.common.security import Role
from tests.support import bearer, delete_topics, produce_raw, wait_until


class _Server(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone (several run in
    one test process, and pytest owns Ctrl-C)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def run_servers(
    apps: Mapping[str, Any], ports: Mapping[str, int] | None = None, *, ready_timeout: float = 90
) -> AsyncIterator[dict[str, str]]:
    """Start the apps (lifespans included) and give their base URLs once each
    answers ``/readyz`` with 200 (database and Kafka reachable)."""
    servers: dict[str, _Server] = {}
    tasks: dict[str, asyncio.Task[None]] = {}
    try:
        # One after the other up to "started": Alembic's context is process-global, so
        # two migrations must not run at once. Kafka readiness is then awaited together.
        for name, app in apps.items():
            config = uvicorn.Config(
                app,
                host="127.0.0.1",
                port=(ports or {}).get(name, 0),
                log_level="warning",
                lifespan="on",
                timeout_graceful_shutdown=1,
            )
            server = servers[name] = _Server(config)
            task = tasks[name] = asyncio.create_task(server.serve(), name=f"uvicorn-{name}")

            async def started(server: _Server = server, task: asyncio.Task[None] = task) -> bool:
                if task.done():
                    raise AssertionError(f"a server stopped during startup: {task.exception()}")
                return server.started

            await wait_until(started, timeout=ready_timeout)
        urls = {
            name: f"http://127.0.0.1:{s.servers[0].sockets[0].getsockname()[1]}"
            for name, s in servers.items()
        }
        async with httpx.AsyncClient() as client:

            async def all_ready() -> bool:
                answers = await asyncio.gather(*(client.get(u + "/readyz") for u in urls.values()))
                return all(a.status_code == 200 for a in answers)

            await wait_until(all_ready, timeout=ready_timeout)
        yield urls
    finally:
        for server in servers.values():
            server.should_exit = True
        await asyncio.wait_for(asyncio.gather(*tasks.values(), return_exceptions=True), 30)


def lone_gateway_settings(database_url: str, bootstrap: str, prefix: str) -> Any:
    """A gateway's settings with no service behind it (closed ports): for its own endpoints."""
    from services.gateway import app as gateway_app

    closed = f"http://127.0.0.1:{free_port()}"
    return gateway_app.Settings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        outbox_poll_seconds=0.2,
        stream_recheck_seconds=2,
        upstream_timeout_seconds=3,
        **{
            f"{name}_url": closed
            for name in ("identity", "targets", "assessment", "feedback", "scoring")
        },
    )


def _common(bootstrap: str, prefix: str, data: Path, name: str) -> dict[str, Any]:
    return {
        "database_url": f"sqlite+aiosqlite:///{data}/{name}.db",
        "kafka_bootstrap_servers": bootstrap,
        "topic_prefix": prefix,
        "outbox_poll_seconds": 0.2,
    }


@contextlib.asynccontextmanager
async def running_stack(
    bootstrap: str, data: Path
) -> AsyncIterator[tuple[dict[str, str], dict[str, Any]]]:
    """Every service and the gateway under uvicorn on SQLite files in ``data``, under a
    fresh topic prefix (its topics deleted afterwards): their URLs and apps by name."""
    from services.assessment import app as assessment
    from services.feedback import app as feedback
    from services.gateway import app as gateway_app
    from services.identity import app as identity
    from services.scoring import app as scoring
    from services.targets import app as targets

    prefix = f"g{uuid.uuid4().hex[:10]}."
    gateway_port = free_port()

    def settings(name: str) -> dict[str, Any]:
        return _common(bootstrap, prefix, data, name)

    services = {
        "identity": identity.create_app(
            identity.Settings(
                **settings("identity"),
                login_failures_per_address="1000/minute",
                trusted_proxies=1,
            )
        ),
        "targets": targets.create_app(targets.Settings(**settings("targets"))),
        "assessment": assessment.create_app(assessment.Settings(**settings("assessment"))),
        "feedback": feedback.create_app(
            feedback.Settings(
                **settings("feedback"),
                public_base_url=f"http://127.0.0.1:{gateway_port}",
                trusted_proxies=1,
            )
        ),
        "scoring": scoring.create_app(scoring.Settings(**settings("scoring"), scheduler_seconds=0)),
    }
    try:
        async with run_servers(services) as urls:
            front = gateway_app.create_app(
                gateway_app.Settings(
                    **settings("gateway"),
                    **{f"{name}_url": url for name, url in urls.items()},
                    stream_recheck_seconds=2,
                )
            )
            async with run_servers({"gateway": front}, {"gateway": gateway_port}) as mine:
                yield {**urls, **mine}, {**services, "gateway": front}
    finally:
        with contextlib.suppress(Exception):
            await delete_topics(bootstrap, prefix)


async def count(runtime: Runtime, model: type[SQLModel], **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    async with runtime.sessions() as session:
        return int(await session.scalar(query) or 0)


async def publish(bootstrap: str, prefix: str, tenant: str, *payloads: EventPayload) -> list[str]:
    """Produce events straight into Kafka (as scoring would); their event ids."""
    events = [new_event(p, tenant=tenant) for p in payloads]
    await produce_raw(
        bootstrap,
        prefix + payloads[0].TOPIC,
        [(e.key.encode(), e.to_bytes()) for e in events],
    )
    return [str(e.event_id) for e in events]


def raised(
    recipient: str,
    message: str = "Capaian Budi 40% setelah 30% periode",
    params: dict[str, str | int | float] | None = None,
) -> AlertRaised:
    return AlertRaised(
        alert_id=str(uuid.uuid4()),
        recipient_id=recipient,
        kind="behind_target",
        subject_id="subject-1",
        message=message,
        params=params or {},
    )


def cleared(alert: AlertRaised) -> AlertCleared:
    return AlertCleared(
        alert_id=alert.alert_id,
        recipient_id=alert.recipient_id,
        kind=alert.kind,
        subject_id=alert.subject_id,
    )


# ---------------------------------------------------------------- a seeded regency

PASSWORD = "sandi-awal-123"
YEAR = datetime.now(UTC).year


def nip(i: int) -> str:
    return f"198503152010011{i:03d}"


@dataclass
class Regency:
    """One regency registered through identity (reached through the gateway)."""

    slug: str
    name: str
    unit_id: str = ""
    people: dict[str, str] = field(default_factory=dict)  # role name -> employee id
    nips: dict[str, str] = field(default_factory=dict)

    def admin(self) -> dict[str, str]:
        return bearer(tenant=self.slug, roles=[Role.ADMIN], user_id=f"admin-{self.slug}")

    def as_(self, who: str) -> dict[str, str]:
        roles = [Role.PEGAWAI, Role.ATASAN] if who == "atasan" else [Role.PEGAWAI]
        return bearer(tenant=self.slug, roles=roles, employee_id=self.people[who])


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: Mapping[str, str],
    expect: int = 200,
    **kw: Any,
) -> Any:
    response = await client.request(method, path, headers=dict(headers), **kw)
    assert response.status_code == expect, (method, path, response.text)
    return response.json() if response.content else None


async def register_regency(client: httpx.AsyncClient, slug: str, offset: int = 0) -> Regency:
    """Tenant, one public-serving unit, a supervisor and an employee (both with a password
    to change at first login), all through the gateway's proxy to identity."""
    platform = bearer(tenant=None, roles=[Role.PLATFORM])
    name = f"Kabupaten {slug.title()}"
    body = {"slug": slug, "name": name, "time_zone": "Asia/Jakarta"}
    await call(client, "POST", "/api/identity/tenants", platform, 201, json=body)
    regency = Regency(slug=slug, name=name)
    unit = {"name": "Dinas Kependudukan", "kind": "dinas", "serves_public": True}
    regency.unit_id = (
        await call(client, "POST", "/api/identity/units", regency.admin(), 201, json=unit)
    )["id"]
    supervisor: str | None = None
    for i, (who, title) in enumerate((("atasan", "Kepala Bidang"), ("pegawai", "Analis")), 1):
        person = {
            "nip": nip(offset + i),
            "name": f"{who.title()} {slug.title()}",
            "position": title,
            "unit_id": regency.unit_id,
            "supervisor_id": supervisor,
            "password": PASSWORD,
        }
        created = await call(
            client, "POST", "/api/identity/employees", regency.admin(), 201, json=person
        )
        regency.people[who] = supervisor = created["id"]
        regency.nips[who] = person["nip"]
    return regency


SKP_BODY = {
    "year": YEAR,
    "rhk": [
        {
            "title": "Layanan KTP-el tepat waktu",
            "kind": "utama",
            "indicators": [
                {
                    "name": "Dokumen KTP-el diterbitkan",
                    "aspect": "kuantitas",
                    "target": 1200,
                    "unit": "dokumen",
                }
            ],
        }
    ],
}


async def approved_skp(client: httpx.AsyncClient, regency: Regency) -> dict[str, Any]:
    """The employee's SKP, drafted, submitted and approved by the supervisor."""
    skp = await call(client, "POST", "/api/targets/skp", regency.as_("pegawai"), 201, json=SKP_BODY)
    await call(client, "POST", f"/api/targets/skp/{skp['id']}/submit", regency.as_("pegawai"))
    return await call(  # type: ignore[no-any-return]
        client, "POST", f"/api/targets/skp/{skp['id']}/approve", regency.as_("atasan")
    )


def echo_app() -> FastAPI:
    """Stands in for a service: answers what it was asked, or a chosen status."""
    app = FastAPI()
    app.get("/readyz")(lambda: {"ready": True})

    @app.api_route("/api/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def echo(path: str, request: Request) -> Response:
        if path == "boom":
            return Response("internal", status_code=500)
        if path == "slow-down":
            return Response('{"detail":"too many"}', 429, {"Retry-After": "9"}, "application/json")
        body = {
            "method": request.method,
            "path": request.url.path,
            "query": str(request.url.query),
            "body": (await request.body()).decode(),
            "headers": dict(request.headers),
        }
        return Response(json.dumps(body), 201, {"Set-Cookie": "x=1"}, "application/json")

    return app


def token(tenant: str | None, employee_id: str | None, **kw: Any) -> str:
    return bearer(tenant=tenant, roles=[Role.PEGAWAI, Role.ATASAN], employee_id=employee_id, **kw)[
        "Authorization"
    ].removeprefix("Bearer ")


async def alerts_of(
    url: str, access_token: str, expected: int, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Read ``expected`` alert events from a fresh stream (fails after 20 s)."""
    found: list[dict[str, Any]] = []
    sent = {"Authorization": f"Bearer {access_token}", **(headers or {})}
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("GET", f"{url}/events/alerts", headers=sent) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event: dict[str, str] = {}

        async def read() -> None:
            async for line in response.aiter_lines():
                if line:
                    name, _, value = line.partition(":")
                    event[name] = value.strip()
                    continue
                if event.get("event") == "alert":
                    found.append({**json.loads(event["data"]), "id": event["id"]})
                    if len(found) == expected:
                        return
                event.clear()

        await asyncio.wait_for(read(), timeout=20)
    return found
