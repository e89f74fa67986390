"""A running identity service per test, and helpers that drive it like its users do."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func
from sqlmodel import SQLModel, select

from services.common import security
from services.common.events import IDENTITY_TOPIC, Envelope, decode_event
from services.common.messaging import OutboxMessage
from services.common.runtime import Runtime
from services.common.security import Role
from services.identity.app import Settings, create_app
from tests.support import bearer, read_topic, serve, service_settings

PLATFORM_PASSWORD = "platform-test-password"


def nip(i: int, birth: str = "19850315") -> str:
    """A valid NIP: the same birth date and appointment, a distinct sequence (0-999)."""
    return f"{birth}2010011{i:03d}"


@dataclass
class Identity:
    client: httpx.AsyncClient
    runtime: Runtime
    settings: Settings

    @property
    def platform(self) -> dict[str, str]:
        # Issued when asked, not at import: a token made at collection time expires
        # (10 minutes) before the tests of a long run reach it.
        return bearer(tenant=None, roles=[Role.PLATFORM])

    def admin(self, tenant: str) -> dict[str, str]:
        return bearer(tenant=tenant, roles=[Role.ADMIN], user_id=f"admin-{tenant}")

    def pegawai(self, tenant: str, employee_id: str) -> dict[str, str]:
        return bearer(tenant=tenant, roles=[Role.PEGAWAI], employee_id=employee_id)

    async def ok(self, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
        response = await self.client.request(method, url, headers=headers, **kw)
        assert response.status_code in (200, 201, 204), response.text
        return response.json() if response.content else None

    async def tenant(self, slug: str, time_zone: str = "Asia/Jakarta") -> dict[str, Any]:
        body = {"slug": slug, "name": f"Kabupaten {slug.title()}", "time_zone": time_zone}
        return await self.ok("POST", "/api/v1/tenants", self.platform, json=body)  # type: ignore[no-any-return]

    async def unit(self, tenant: str, name: str, **fields: Any) -> str:
        body = {"name": name, "kind": "dinas", **fields}
        unit = await self.ok("POST", "/api/v1/units", self.admin(tenant), json=body)
        return str(unit["id"])

    async def employee(self, tenant: str, i: int, unit_id: str, **fields: Any) -> str:
        body = {"nip": nip(i), "name": f"Pegawai {i}", "position": "Analis", "unit_id": unit_id}
        created = await self.ok(
            "POST", "/api/v1/employees", self.admin(tenant), json={**body, **fields}
        )
        return str(created["id"])

    async def count(self, model: type[SQLModel], **where: Any) -> int:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        async with self.runtime.sessions() as session:
            return int(await session.scalar(query) or 0)

    async def staged_types(self) -> list[str]:
        """Types of every event written to the outbox, in order."""
        async with self.runtime.sessions() as session:
            rows = await session.exec(select(OutboxMessage.type).order_by(OutboxMessage.id))
            return list(rows.all())

    async def staged_ids(self) -> list[str]:
        async with self.runtime.sessions() as session:
            return sorted((await session.exec(select(OutboxMessage.event_id))).all())

    async def published(self, expected: int) -> list[Envelope]:
        """Events on identity.events as an independent Kafka consumer reads them."""
        records = await read_topic(
            self.settings.kafka_bootstrap_servers,
            self.settings.topic_prefix + IDENTITY_TOPIC,
            expected=expected,
        )
        return [decode_event(r.value) for r in records]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at full cost takes ~0.3-0.7 s per hash on this 2-core machine; the tests check
    the flows, not the cost, so they hash with minimal parameters."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def settings(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> Settings:
    return service_settings(
        Settings, database_url, kafka_bootstrap, topic_prefix, platform_password=PLATFORM_PASSWORD
    )


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Identity]:
    app = create_app(settings)
    async with serve(app) as client:
        yield Identity(client=client, runtime=app.state.runtime, settings=settings)


@pytest.fixture
async def identity(settings: Settings) -> AsyncIterator[Identity]:
    async with running(settings) as service:
        yield service
