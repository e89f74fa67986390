"""A running feedback service with a small org chart fed through real Kafka.

Two regencies: ``bantul`` (Dukcapil serves the public, Bappeda does not) and ``sleman``
(whose Dukcapil has the SAME unit id, so tenant isolation is tested on equal ids).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from services.common.events import (
    FEEDBACK_TOPIC,
    IDENTITY_TOPIC,
    EmployeeRegistered,
    EventPayload,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    UnitKind,
    decode_event,
    new_event,
)
from services.common.messaging import OutboxMessage
from services.common.orgchart import OrgEmployee
from services.common.runtime import Runtime
from services.common.security import Role
from services.feedback.app import Settings, create_app
from tests.support import bearer, produce_raw, read_topic, serve, wait_until

BANTUL, SLEMAN = "bantul", "sleman"
DUKCAPIL, BAPPEDA = "u-dukcapil", "u-bappeda"
MIN_SAMPLE = 3  # bantul's minimum survey sample (small, so tests can cross it)
K = 3  # bantul's small-numbers minimum (min_aggregate_size)
TOKENS_PER_DAY = 8  # bantul's daily cap of survey tokens per issuer


def _employee(employee_id: str, unit_id: str, *, active: bool = True) -> EmployeeRegistered:
    return EmployeeRegistered(
        employee_id=employee_id,
        nip="198503302010011001",
        name=f"Pegawai {employee_id}",
        position="Pelaksana",
        unit_id=unit_id,
        active=active,
    )


ORG: list[tuple[str, EventPayload]] = [
    (
        BANTUL,
        TenantRegistered(
            name="Kabupaten Bantul",
            time_zone="Asia/Jakarta",
            settings=TenantSettings(
                min_survey_sample=MIN_SAMPLE,
                min_aggregate_size=K,
                survey_tokens_per_issuer_per_day=TOKENS_PER_DAY,
            ),
        ),
    ),
    (
        BANTUL,
        UnitCreated(
            unit_id=DUKCAPIL,
            name="Dinas Dukcapil Bantul",
            kind=UnitKind.DINAS,
            serves_public=True,
            head_employee_id="e-head",
        ),
    ),
    (BANTUL, UnitCreated(unit_id=BAPPEDA, name="Bappeda Bantul", kind=UnitKind.BADAN)),
    (BANTUL, _employee("e-counter", DUKCAPIL)),
    (BANTUL, _employee("e-officer", DUKCAPIL)),
    (BANTUL, _employee("e-pengaduan", DUKCAPIL)),  # designated complaint officer
    (BANTUL, _employee("e-head", BAPPEDA)),  # heads Dukcapil from another unit's payroll
    (BANTUL, _employee("e-retired", DUKCAPIL, active=False)),
    (BANTUL, _employee("e-planner", BAPPEDA)),
    (
        SLEMAN,
        UnitCreated(
            unit_id=DUKCAPIL, name="Dukcapil Sleman", kind=UnitKind.DINAS, serves_public=True
        ),
    ),
    (SLEMAN, _employee("s-counter", DUKCAPIL)),
]
EMPLOYEES = sum(isinstance(p, EmployeeRegistered) for _, p in ORG)


def staff(tenant: str = BANTUL, employee_id: str = "e-counter", *roles: Role) -> dict[str, str]:
    return bearer(tenant=tenant, roles=roles or [Role.PEGAWAI], employee_id=employee_id)


ADMIN = bearer(tenant=BANTUL, roles=[Role.ADMIN], employee_id="e-admin")
# Designated duties (domain.md "Who uses it"): the counter officer and the complaint officer.
COUNTER = staff(BANTUL, "e-counter", Role.PEGAWAI, Role.PETUGAS_LOKET)
COMPLAINT_OFFICER = staff(BANTUL, "e-pengaduan", Role.PEGAWAI, Role.PENGELOLA_PENGADUAN)


@dataclass
class Feedback:
    client: httpx.AsyncClient
    runtime: Runtime
    bootstrap: str
    prefix: str

    async def count(self, model: type[SQLModel]) -> int:
        async with self.runtime.sessions() as session:
            return int((await session.exec(select(func.count()).select_from(model))).one())

    async def rows(self, model: type[SQLModel]) -> list[Any]:
        async with self.runtime.sessions() as session:
            return list((await session.exec(select(model))).all())

    async def outbox(self) -> int:
        return await self.count(OutboxMessage)

    async def events(self, expected: int) -> list[Any]:
        """The feedback events a real Kafka consumer reads, decoded."""
        records = await read_topic(self.bootstrap, self.prefix + FEEDBACK_TOPIC, expected=expected)
        return [decode_event(r.value) for r in records]


@contextlib.asynccontextmanager
async def running_feedback(
    database_url: str, bootstrap: str, prefix: str, **overrides: Any
) -> AsyncIterator[Feedback]:
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap,
        "topic_prefix": prefix,
        "outbox_poll_seconds": 0.2,
        "public_submit_rate": "1000/minute",
        "public_read_rate": "1000/minute",
        **overrides,
    }
    # The org chart is on the topic before the service starts: its consumer reads it first.
    await produce_raw(
        bootstrap,
        prefix + IDENTITY_TOPIC,
        [(e.key.encode(), e.to_bytes()) for e in (new_event(p, tenant=t) for t, p in ORG)],
    )
    app = create_app(Settings(**values))
    async with serve(app) as client:
        fb = Feedback(client, app.state.runtime, bootstrap, prefix)
        await wait_until(lambda: _has_org(fb))
        yield fb


async def _has_org(fb: Feedback) -> bool:
    return await fb.count(OrgEmployee) == EMPLOYEES


@pytest.fixture
async def feedback(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> AsyncIterator[Feedback]:
    async with running_feedback(database_url, kafka_bootstrap, topic_prefix) as fb:
        yield fb
