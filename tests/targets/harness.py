"""A running targets service with a seeded org chart, and the helpers its tests share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from services.common.events import (
    IDENTITY_TOPIC,
    TARGETS_TOPIC,
    EmployeeDeactivated,
    EmployeeRegistered,
    Envelope,
    KepalaDaerahSet,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    UnitKind,
    decode_event,
    new_event,
)
from services.common.messaging import OutboxMessage
from services.common.orgchart import OrgEmployee, OrgKepalaDaerah
from services.common.runtime import Runtime
from services.common.security import Role
from services.common.workdays import local_today
from services.targets.models import Activity, Skp, SkpVersion
from tests.support import Servers, bearer, produce_raw, read_topic, wait_until

TENANT = "bantul"
OTHER_TENANT = "sleman"
TIME_ZONE = "Asia/Jakarta"
YEAR = local_today(TIME_ZONE).year

# bantul: sekda at the top; kepala (under sekda) heads unit A; atasan reports to kepala;
# pegawai, peer and staf report to atasan (unit A); other is in unit B under kepala.
# sleman reuses two of the same ids.
ORG: dict[str, tuple[str, str | None]] = {
    "sekda": ("unit-top", None),
    "kepala": ("unit-a", "sekda"),
    "atasan": ("unit-a", "kepala"),
    "pegawai": ("unit-a", "atasan"),
    "peer": ("unit-a", "atasan"),
    "staf": ("unit-a", "atasan"),
    "other": ("unit-b", "kepala"),
}
OTHER_ORG: dict[str, tuple[str, str | None]] = {
    "atasan": ("unit-s", None),
    "pegawai": ("unit-s", "atasan"),
}


def indicator(**changes: Any) -> dict[str, Any]:
    return {
        "name": "KTP-el documents processed",
        "aspect": "kuantitas",
        "target": 1200,
        "unit": "dokumen",
        **changes,
    }


def rhk(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Layanan KTP-el tepat waktu",
        "kind": "utama",
        "indicators": [indicator()],
        **changes,
    }


def _org_events(tenant: str, org: dict[str, tuple[str, str | None]]) -> list[Envelope]:
    events = [
        new_event(
            TenantRegistered(name=tenant.title(), time_zone=TIME_ZONE, settings=TenantSettings()),
            tenant=tenant,
        )
    ]
    for unit in sorted({u for u, _ in org.values()}):
        events.append(
            new_event(UnitCreated(unit_id=unit, name=unit, kind=UnitKind.DINAS), tenant=tenant)
        )
    for number, (employee, (unit, supervisor)) in enumerate(org.items(), start=1):
        payload = EmployeeRegistered(
            employee_id=employee,
            nip=f"19800101200501{1000 + number}",
            name=employee.title(),
            position="Analis",
            unit_id=unit,
            supervisor_id=supervisor,
        )
        events.append(new_event(payload, tenant=tenant))
    return events


@dataclass
class Targets:
    client: httpx.AsyncClient
    runtime: Runtime
    bootstrap: Servers
    prefix: str

    # ------------------------------------------------------------ setup

    async def seed_org(self) -> None:
        events = _org_events(TENANT, ORG) + _org_events(OTHER_TENANT, OTHER_ORG)
        await produce_raw(
            self.bootstrap,
            self.prefix + IDENTITY_TOPIC,
            [(e.key.encode(), e.to_bytes()) for e in events],
        )
        expected = len(ORG) + len(OTHER_ORG)
        await wait_until(lambda: self._count_is(OrgEmployee, expected))

    async def deactivate(self, *employees: str) -> None:
        """Publish identity's employee.deactivated and wait until the copy has applied it."""
        events = [new_event(EmployeeDeactivated(employee_id=e), tenant=TENANT) for e in employees]
        await produce_raw(
            self.bootstrap,
            self.prefix + IDENTITY_TOPIC,
            [(e.key.encode(), e.to_bytes()) for e in events],
        )

        async def applied() -> bool:
            async with self.runtime.sessions() as session:
                rows = await session.exec(
                    select(OrgEmployee).where(
                        OrgEmployee.tenant == TENANT,
                        col(OrgEmployee.employee_id).in_(employees),
                        col(OrgEmployee.active).is_(False),
                    )
                )
                return len(rows.all()) == len(employees)

        await wait_until(applied)

    async def appoint(self, user_id: str, *, tenant: str = TENANT, active: bool = True) -> None:
        """Publish identity's kepala_daerah.set and wait until the copy has applied it."""
        kd = KepalaDaerahSet(
            user_id=user_id, title="Bupati", name=f"Bupati {user_id}", active=active
        )
        event = new_event(kd, tenant=tenant)
        await produce_raw(
            self.bootstrap, self.prefix + IDENTITY_TOPIC, [(event.key.encode(), event.to_bytes())]
        )

        async def applied() -> bool:
            async with self.runtime.sessions() as session:
                row = await session.get(OrgKepalaDaerah, (tenant, user_id))
                return row is not None and row.active == active

        await wait_until(applied)

    async def as_kd(
        self,
        method: str,
        path: str,
        user_id: str,
        *,
        tenant: str = TENANT,
        expect: int = 200,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """A call with a kepala daerah's token: the role, the regency, no employee id."""
        headers = bearer(tenant=tenant, roles=(Role.KEPALA_DAERAH,), user_id=user_id)
        response = await self.client.request(
            method, f"/api/v1{path}", json=json, params=params, headers=headers
        )
        assert response.status_code == expect, (method, path, user_id, response.text)
        return response.json()

    async def _count_is(self, model: type[SQLModel], expected: int) -> bool:
        return await self.count(model) == expected

    # ------------------------------------------------------------ HTTP

    @staticmethod
    def auth(
        who: str, *, tenant: str = TENANT, roles: Iterable[Role] = (Role.PEGAWAI,)
    ) -> dict[str, str]:
        return bearer(tenant=tenant, roles=roles, employee_id=who)

    async def call(
        self,
        method: str,
        path: str,
        who: str,
        *,
        json: Any = None,
        expect: int = 200,
        tenant: str = TENANT,
        roles: Iterable[Role] = (Role.PEGAWAI,),
        params: dict[str, Any] | None = None,
    ) -> Any:
        response = await self.client.request(
            method,
            f"/api/v1{path}",
            json=json,
            params=params,
            headers=self.auth(who, tenant=tenant, roles=roles),
        )
        assert response.status_code == expect, (method, path, who, response.text)
        return response.json()

    async def new_skp(
        self,
        owner: str = "pegawai",
        *,
        year: int = YEAR,
        content: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        body = {"year": year, "rhk": [rhk()] if content is None else content}
        return dict(await self.call("POST", "/skp", owner, json=body, expect=201))

    async def approved_skp(
        self,
        owner: str = "pegawai",
        *,
        year: int = YEAR,
        content: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        skp = await self.new_skp(owner, year=year, content=content)
        await self.call("POST", f"/skp/{skp['id']}/submit", owner)
        supervisor = ORG[owner][1]
        assert supervisor is not None
        return dict(await self.call("POST", f"/skp/{skp['id']}/approve", supervisor))

    async def log(
        self, skp: dict[str, Any], owner: str = "pegawai", *, expect: int = 201, **changes: Any
    ) -> Any:
        body = {
            "skp_id": skp["id"],
            "indicator_id": skp["rhk"][0]["indicators"][0]["indicator_id"],
            "activity_date": str(local_today(TIME_ZONE)),
            "value": 12,
            "note": "loket pagi",
            **changes,
        }
        return await self.call("POST", "/activities", owner, json=body, expect=expect)

    # ------------------------------------------------------------ database and Kafka

    async def count(self, model: type[SQLModel]) -> int:
        async with self.runtime.sessions() as session:
            return (await session.exec(select(func.count()).select_from(model))).one()

    async def written(self) -> dict[str, int]:
        """Rows of the service's own tables and of the outbox: nothing may change on refusal."""
        return {
            model.__name__: await self.count(model)
            for model in (Skp, SkpVersion, Activity, OutboxMessage)
        }

    async def outbox(self) -> list[Envelope]:
        async with self.runtime.sessions() as session:
            rows = await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
            return [decode_event(r.body) for r in rows.all()]

    async def kafka(self, expected: int, *, timeout: float = 30.0) -> list[Envelope]:
        """The targets topic as a real consumer reads it, once the relay sent everything.

        To prove there is nothing more, ask for one more than there should be with a short
        ``timeout`` and check the length.
        """

        async def all_published() -> bool:
            async with self.runtime.sessions() as session:
                pending = select(func.count()).where(col(OutboxMessage.published_at).is_(None))
                return (await session.exec(pending)).one() == 0

        await wait_until(all_published)
        records = await read_topic(
            self.bootstrap, self.prefix + TARGETS_TOPIC, expected=expected, timeout=timeout
        )
        return [decode_event(r.value) for r in records]
