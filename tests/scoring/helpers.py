"""Building blocks of the scoring tests: a settable clock, event factories, publishing
events into Kafka, waiting for them to be applied, and snapshots of the projections."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import select

from services.common.events import (
    ActivityLogged,
    AssessmentSubmitted,
    BerAkhlak,
    EmployeeRegistered,
    Envelope,
    EventPayload,
    Indicator,
    Period,
    Rating,
    Rhk,
    TargetSet,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    new_event,
)
from services.common.kafka import split_servers
from services.common.messaging import ProcessedEvent
from services.common.security import Role
from services.common.storage import create_engine, session_factory
from services.scoring import domain as d
from services.scoring.app import Settings, create_app
from services.scoring.models import BATCH_DEPENDENT_COLUMNS, REBUILT_TABLES, ScoreAlert
from services.scoring.store import table_of
from tests.support import bearer, serve, wait_until

# Wednesday 1 July 2026, 10:00 in Jakarta: about half of the year's working days passed.
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def scoring_settings(database_url: str, bootstrap: str, prefix: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap,
        "topic_prefix": prefix,
        "group_id": f"{prefix}scoring",
        "outbox_poll_seconds": 0.2,
        "scheduler_seconds": 0,
        "max_delivery_attempts": 2,
        **overrides,
    }
    return Settings(**values)


@contextlib.asynccontextmanager
async def running(settings: Settings, clock: Clock) -> AsyncIterator[tuple[FastAPI, Any]]:
    app = create_app(settings, clock=clock)
    async with serve(app) as client:
        yield app, client


def ev(tenant: str, payload: EventPayload, at: datetime = NOW) -> Envelope:
    return new_event(payload, tenant=tenant, occurred_at=at)


def nip(seq: int) -> str:
    return f"19800101200501{1000 + seq % 9000:04d}"[:18]


def tenant_event(tenant: str, tz: str = "Asia/Jakarta", **settings: Any) -> Envelope:
    return ev(
        tenant,
        TenantRegistered(name=tenant.title(), time_zone=tz, settings=TenantSettings(**settings)),
    )


def unit_event(tenant: str, unit_id: str, head: str | None, public: bool = True) -> Envelope:
    return ev(
        tenant,
        UnitCreated(
            unit_id=unit_id,
            name=f"Unit {unit_id}",
            kind="dinas",
            serves_public=public,
            head_employee_id=head,
        ),
    )


def employee_event(
    tenant: str, employee_id: str, unit_id: str, supervisor: str | None, seq: int = 1
) -> Envelope:
    return ev(
        tenant,
        EmployeeRegistered(
            employee_id=employee_id,
            nip=nip(seq),
            name=f"Employee {employee_id}",
            position="Staff",
            unit_id=unit_id,
            supervisor_id=supervisor,
        ),
    )


def indicator(ind_id: str, target: float, **kw: Any) -> Indicator:
    return Indicator(
        indicator_id=ind_id,
        name=kw.pop("name", ind_id),
        aspect=kw.pop("aspect", "kuantitas"),
        target=target,
        unit=kw.pop("unit", "dokumen"),
        **kw,
    )


def target_event(
    tenant: str,
    employee_id: str,
    rhks: Sequence[tuple[str, str, Sequence[Indicator]]],
    *,
    version: int = 1,
    year: int = 2026,
) -> Envelope:
    return ev(
        tenant,
        TargetSet(
            skp_id=f"skp-{employee_id}-{year}",
            employee_id=employee_id,
            year=year,
            version=version,
            approved_by="boss",
            rhk=tuple(
                Rhk(rhk_id=r, title=f"RHK {r}", kind=kind, indicators=tuple(inds))  # type: ignore[arg-type]
                for r, kind, inds in rhks
            ),
        ),
    )


def activity_event(
    tenant: str,
    employee_id: str,
    activity_id: str,
    ind: str,
    value: float,
    day: date,
    action: str = "created",
    year: int = 2026,
) -> Envelope:
    return ev(
        tenant,
        ActivityLogged(
            activity_id=activity_id,
            employee_id=employee_id,
            skp_id=f"skp-{employee_id}-{year}",
            indicator_id=ind,
            activity_date=day,
            value=value,
            action=action,  # type: ignore[arg-type]
        ),
    )


ANNUAL_2026 = Period(kind="annual", label="2026", start=date(2026, 1, 1), end=date(2026, 12, 31))


def month(label: str) -> Period:
    """The monthly period ``label`` ("2026-06")."""
    span = d.period_of_label(label)
    assert span is not None, label
    return Period(kind="monthly", label=label, start=span.start, end=span.end)


def assessment_event(
    tenant: str,
    assessment_id: str,
    assessee_id: str,
    result: Rating,
    *,
    period: Period = ANNUAL_2026,
    assessor_id: str = "s",
    behaviour: Rating | Mapping[BerAkhlak, Rating] = Rating.SESUAI,
    **extra: Any,
) -> Envelope:
    """A supervisor's assessment; ``behaviour`` is one rating for all seven values or each."""
    ratings = dict.fromkeys(BerAkhlak, behaviour) if isinstance(behaviour, Rating) else behaviour
    return ev(
        tenant,
        AssessmentSubmitted(
            assessment_id=assessment_id,
            period=period,
            relation="supervisor",
            assessor_id=assessor_id,
            assessee_id=assessee_id,
            result_rating=result,
            behaviour_ratings=dict(ratings),
            **extra,
        ),
    )


async def publish(bootstrap: str, prefix: str, events: Iterable[Envelope]) -> None:
    """Produce events in the given order (per topic), waiting for every acknowledgement."""
    producer = AIOKafkaProducer(
        bootstrap_servers=split_servers(bootstrap), acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        futures = [
            await producer.send(prefix + e.topic, value=e.to_bytes(), key=e.key.encode())
            for e in events
        ]
        for future in futures:
            await future
    finally:
        await producer.stop()


async def processed(app: FastAPI) -> int:
    async with app.state.runtime.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(ProcessedEvent))).one())


def _normal(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


async def snapshot(database_url: str) -> dict[str, list[Any]]:
    """Every projection row, without the columns that depend on batch boundaries."""
    from sqlmodel import SQLModel

    engine = create_engine(database_url)
    out: dict[str, list[Any]] = {}
    try:
        async with session_factory(engine)() as session:
            for name in REBUILT_TABLES:
                table = SQLModel.metadata.tables[name]
                connection = await session.connection()
                rows = (await connection.execute(select(table))).mappings().all()
                skip = BATCH_DEPENDENT_COLUMNS.get(name, ())
                if name == "score_alert":
                    rows = [r for r in rows if r["kind"] != "predikat_drop"]
                out[name] = sorted(
                    (_normal({k: v for k, v in r.items() if k not in skip}) for r in rows),
                    key=repr,
                )
    finally:
        await engine.dispose()
    return out


def table_rows(model: Any) -> Any:
    return select(table_of(model))


async def applied(app: FastAPI, count: int) -> None:
    """Wait until the service has applied ``count`` events."""

    async def check() -> bool:
        return await processed(app) >= count

    await wait_until(check, timeout=60)


def who(tenant: str, employee: str | None, *roles: Role) -> dict[str, str]:
    """The Authorization header of a caller (a pegawai unless roles are given)."""
    return bearer(tenant=tenant, roles=roles or [Role.PEGAWAI], employee_id=employee)


async def active(app: FastAPI) -> set[tuple[str, str, str]]:
    """The open alerts as (recipient, kind, subject)."""
    async with app.state.runtime.sessions() as session:
        rows = (await session.exec(select(ScoreAlert))).all()
    return {(a.recipient_id, a.kind, a.subject_id) for a in rows}


async def group_members(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        response = await admin.describe_consumer_groups([group])
        return sum(len(g[5]) for r in response for g in r.groups if g[2] == "Stable")
    finally:
        await admin.close()
