"""The org chart the assessment tests start from, fed through real Kafka, and helpers.

The world (tenant ``bantul``, Jakarta time, monthly cadence)::

    head (unit dinas)
    └── sup (unit dinas)
        ├── ana  (unit dinas)   approved SKP 2026: rhk-1, rhk-2
        └── peer (unit dinas)
    └── out  (unit camat, supervised by head)

and a second tenant ``sleman`` with its own employee ``x-1``. "Now" is a test clock.
The fixtures running the service are in ``conftest.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlmodel import SQLModel, func, select

from services.common.events import (
    IDENTITY_TOPIC,
    TARGETS_TOPIC,
    BerAkhlak,
    EmployeeDeactivated,
    EmployeeRegistered,
    EventPayload,
    Indicator,
    Rhk,
    TargetRevised,
    TargetSet,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    UnitKind,
    new_event,
)
from services.common.messaging import OutboxMessage
from services.common.orgchart import OrgEmployee
from services.common.runtime import Runtime
from services.common.security import Role
from tests.support import bearer, produce_raw, wait_until

TENANT, OTHER_TENANT = "bantul", "sleman"
YEAR = 2026
# 2026-12-20 17:00 in Jakarta.
START = datetime(YEAR, 12, 20, 10, 0, tzinfo=UTC)
VALUES = [v.value for v in BerAkhlak]
EMPLOYEES = {  # id: (unit, supervisor)
    "head": ("dinas", None),
    "sup": ("dinas", "head"),
    "ana": ("dinas", "sup"),
    "peer": ("dinas", "sup"),
    "out": ("camat", "head"),
}


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


def _employee(employee_id: str, unit: str, supervisor: str | None, seq: int) -> EmployeeRegistered:
    return EmployeeRegistered(
        employee_id=employee_id,
        nip=f"19800101200501100{seq}",
        name=employee_id.title(),
        position="Analis",
        unit_id=unit,
        supervisor_id=supervisor,
    )


def approved_skp(*rhk_ids: str, version: int = 1) -> TargetSet:
    """ana's SKP for the year as targets publishes it once approved (v2+: a revision)."""
    fields: dict[str, Any] = {
        "skp_id": "skp-ana",
        "employee_id": "ana",
        "year": YEAR,
        "version": version,
        "approved_by": "sup",
        "rhk": tuple(
            Rhk(
                rhk_id=rhk_id,
                title=f"RHK {rhk_id}",
                kind="utama",
                indicators=(
                    Indicator(
                        indicator_id=f"{rhk_id}-i",
                        name="KTP",
                        aspect="kuantitas",
                        target=10,
                        unit="dokumen",
                    ),
                ),
            )
            for rhk_id in rhk_ids
        ),
    }
    if version == 1:
        return TargetSet(**fields)
    return TargetRevised(**fields, previous_version=version - 1)


K = 2  # the tenant's min_aggregate_size


def world_events() -> list[tuple[str, EventPayload, str]]:
    """(topic, payload, tenant) of the identity and targets events the tests start from."""
    identity: list[EventPayload] = [
        TenantRegistered(
            name="Bantul",
            time_zone="Asia/Jakarta",
            # A small-numbers minimum of 2 (default 5) keeps the peer tests short.
            settings=TenantSettings(min_aggregate_size=K),
        ),
        UnitCreated(unit_id="dinas", name="Dinas Dukcapil", kind=UnitKind.DINAS),
        UnitCreated(unit_id="camat", name="Kecamatan Sewon", kind=UnitKind.KECAMATAN),
    ]
    identity += [_employee(e, u, s, i) for i, (e, (u, s)) in enumerate(EMPLOYEES.items())]
    return [
        *((IDENTITY_TOPIC, p, TENANT) for p in identity),
        (IDENTITY_TOPIC, _employee("x-1", "dinas", "head", 9), OTHER_TENANT),
        (TARGETS_TOPIC, approved_skp("rhk-1", "rhk-2"), TENANT),
    ]


async def publish(bootstrap: str, prefix: str, events: list[tuple[str, EventPayload, str]]) -> None:
    """Publish the events in order, with one producer per topic."""
    by_topic: dict[str, list[tuple[bytes, bytes | None]]] = {}
    for topic, payload, tenant in events:
        env = new_event(payload, tenant=tenant)
        by_topic.setdefault(prefix + topic, []).append((env.key.encode(), env.to_bytes()))
    for topic, values in by_topic.items():
        await produce_raw(bootstrap, topic, values)


async def count(runtime: Runtime, model: type[SQLModel], **where: Any) -> int:
    async with runtime.sessions() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int((await session.exec(query)).one())


@dataclass
class Service:
    client: httpx.AsyncClient
    runtime: Runtime
    clock: Clock
    prefix: str
    bootstrap: str

    def as_(self, who: str, *, tenant: str = TENANT, admin: bool = False) -> dict[str, str]:
        roles = [Role.ADMIN] if admin else [Role.PEGAWAI]
        return bearer(tenant=tenant, roles=roles, employee_id=who)

    async def post(self, who: str, path: str, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return await self.client.post(f"/api/v1{path}", json=body, headers=self.as_(who, **kw))

    async def get(self, who: str, path: str, **kw: Any) -> httpx.Response:
        params = kw.pop("params", None)
        return await self.client.get(f"/api/v1{path}", params=params, headers=self.as_(who, **kw))

    async def outbox(self) -> int:
        return await count(self.runtime, OutboxMessage)

    async def identity_events(
        self, *payloads: EmployeeRegistered | EmployeeDeactivated, active: bool = True
    ) -> None:
        """Publish identity events about employees of ``bantul`` and wait until the copy
        holds each named employee with the given ``active`` flag."""
        await publish(self.bootstrap, self.prefix, [(IDENTITY_TOPIC, p, TENANT) for p in payloads])
        names = {p.employee_id for p in payloads}

        async def applied() -> bool:
            found = [
                await count(self.runtime, OrgEmployee, employee_id=e, active=active) for e in names
            ]
            return all(found)

        await wait_until(applied)

    async def hire(self, employee_id: str, unit: str, supervisor: str | None) -> None:
        await self.identity_events(_employee(employee_id, unit, supervisor, 8))

    async def deactivate(self, *employees: str) -> None:
        await self.identity_events(
            *(EmployeeDeactivated(employee_id=e) for e in employees), active=False
        )


def supervisor_body(**changes: Any) -> dict[str, Any]:
    """A complete supervisor assessment of ``ana`` for the annual period."""
    body: dict[str, Any] = {
        "period": str(YEAR),
        "relation": "supervisor",
        "assessee_id": "ana",
        "rhk_ratings": {"rhk-1": "sesuai", "rhk-2": "di_atas"},
        "result_rating": "sesuai",
        "behaviour_ratings": dict.fromkeys(VALUES, "sesuai"),
        "special_expectations": {"kolaboratif": "mentor the new counter staff"},
        "development_recommendation": "training: public service ethics",
    }
    body.update(changes)
    return body


def peer_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "period": f"{YEAR}-12",
        "relation": "peer",
        "assessee_id": "ana",
        "behaviour_ratings": dict.fromkeys(VALUES, "di_atas"),
    }
    body.update(changes)
    return body
