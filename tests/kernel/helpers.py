"""What the kernel tests share: the sample service running, a note posted through it, the
services with migrations."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from services.common.security import Role
from services.common.settings import ServiceSettings
from tests.kernel.sample_service import create_app
from tests.support import bearer, serve


@contextlib.asynccontextmanager
async def running(
    database_url: str, bootstrap: str, prefix: str, *, consume: bool = True, **overrides: Any
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    settings = ServiceSettings(
        service_name=f"sample-{uuid.uuid4().hex[:6]}",
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        **({"outbox_poll_seconds": 0.2, "max_delivery_attempts": 2} | overrides),
    )
    runtime, app = create_app(settings, consume=consume)
    async with serve(app) as client:
        yield runtime, client


async def post_note(client: httpx.AsyncClient, tenant: str, employee: str, text: str) -> str:
    response = await client.post(
        "/notes",
        json={"employee_id": employee, "text": text},
        headers=bearer(tenant=tenant, roles=[Role.ATASAN], employee_id="sup-1"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["event_id"])


SERVICES = ["identity", "targets", "assessment", "feedback", "scoring", "gateway"]
