"""A service's own copy of the org chart, built from identity events.

Targets, assessment, feedback and scoring authorise without calling identity: each keeps
these three tables in its own database, fed by :data:`ORG_HANDLERS` through its consumer
(inbox and all), and asks :class:`OrgChart` who supervises whom. The tables have no
foreign keys on purpose: identity events travel on different partitions (keys differ), so
an employee may arrive before its unit or tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import JSON, Column, ScalarSelect
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import (
    EmployeeDeactivated,
    EmployeeRegistered,
    EmployeeUpdated,
    Envelope,
    HolidaysSet,
    KepalaDaerahSet,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    UnitUpdated,
)
from services.common.messaging import EventHandler
from services.common.refusals import Conflict, Forbidden
from services.common.workdays import local_today

# A tenant's time zone until its tenant.registered arrives.
DEFAULT_TIME_ZONE = "Asia/Jakarta"


class OrgTenant(SQLModel, table=True):
    __tablename__ = "org_tenant"

    slug: str = Field(primary_key=True, max_length=40)
    name: str
    time_zone: str = DEFAULT_TIME_ZONE
    settings: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON))


class OrgUnit(SQLModel, table=True):
    __tablename__ = "org_unit"

    tenant: str = Field(primary_key=True, max_length=40)
    unit_id: str = Field(primary_key=True, max_length=64)
    name: str
    kind: str
    parent_id: str | None = None
    serves_public: bool = False
    head_employee_id: str | None = None


class OrgEmployee(SQLModel, table=True):
    __tablename__ = "org_employee"

    tenant: str = Field(primary_key=True, max_length=40)
    employee_id: str = Field(primary_key=True, max_length=64)
    nip: str = Field(max_length=18)
    name: str
    position: str
    unit_id: str = Field(index=True)
    supervisor_id: str | None = Field(default=None, index=True)
    active: bool = True


class OrgKepalaDaerah(SQLModel, table=True):
    """The regency's kepala daerah accounts (``kepala_daerah.set``); at most one active.
    Former ones are kept, so the name of whoever approved or assessed stays known."""

    __tablename__ = "org_kepala_daerah"

    tenant: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(primary_key=True, max_length=64)
    title: str
    name: str
    active: bool = True


class OrgHoliday(SQLModel, table=True):
    """The regency's holidays of one year (``holidays.set``, whole: it replaces the year's
    calendar), as ISO dates: the days off that working-day computations leave out."""

    __tablename__ = "org_holiday"

    tenant: str = Field(primary_key=True, max_length=40)
    year: int = Field(primary_key=True)
    days: list[str] = Field(default_factory=list, sa_column=Column(JSON))


ORG_TABLES = (OrgTenant.__table__, OrgUnit.__table__, OrgEmployee.__table__)  # type: ignore[attr-defined]
ORG_TABLE_NAMES = {"org_tenant", "org_unit", "org_employee"}
# Opt-in (a service that approves, assesses or alerts supervisors keeps it: targets,
# assessment, scoring): with it, the OrgChart methods that name supervisors know the kepala
# daerah. A service without it must not call them (feedback and the gateway do not).
KEPALA_DAERAH_TABLE_NAMES = {"org_kepala_daerah"}
# Opt-in as well: a service that counts working days (feedback's complaint deadlines,
# scoring's pace and alerts) keeps the regency's holidays.
HOLIDAY_TABLE_NAMES = {"org_holiday"}


# ---------------------------------------------------------------- who may act


def check_may_act(active: bool | None) -> None:
    """A deactivated employee (identity's ``employee.deactivated``) no longer writes
    anything: SKPs, activities, approvals, assessments, objections, decisions, notes.
    ``None`` (not in this copy of the org chart yet) passes."""
    if active is False:
        raise Forbidden(
            "your employee record is deactivated: you can no longer change SKPs, log "
            "activities, assess, object or decide"
        )


def check_may_be_acted_upon(name: str, active: bool | None) -> None:
    """Nobody approves, assesses, asks peers about or writes notes to a deactivated
    employee; ``name`` is who the reader knows them as."""
    if active is False:
        raise Conflict("{name} is deactivated: their performance year is closed", name=name)


async def _tenant_registered(session: AsyncSession, event: Envelope) -> None:
    p = event.payload
    assert isinstance(p, TenantRegistered)
    await session.merge(
        OrgTenant(
            slug=event.tenant, name=p.name, time_zone=p.time_zone, settings=p.settings.model_dump()
        )
    )


async def _unit(session: AsyncSession, event: Envelope) -> None:
    p = event.payload
    assert isinstance(p, UnitCreated)
    await session.merge(
        OrgUnit(
            tenant=event.tenant,
            unit_id=p.unit_id,
            name=p.name,
            kind=p.kind,
            parent_id=p.parent_id,
            serves_public=p.serves_public,
            head_employee_id=p.head_employee_id,
        )
    )


async def _employee(session: AsyncSession, event: Envelope) -> None:
    p = event.payload
    assert isinstance(p, EmployeeRegistered)
    await session.merge(
        OrgEmployee(
            tenant=event.tenant,
            employee_id=p.employee_id,
            nip=p.nip,
            name=p.name,
            position=p.position,
            unit_id=p.unit_id,
            supervisor_id=p.supervisor_id,
            active=p.active,
        )
    )


async def _employee_deactivated(session: AsyncSession, event: Envelope) -> None:
    p = event.payload
    assert isinstance(p, EmployeeDeactivated)
    row = await session.get(OrgEmployee, (event.tenant, p.employee_id))
    if row is not None:
        row.active = False
        session.add(row)


async def _kepala_daerah(session: AsyncSession, event: Envelope) -> None:
    p = event.payload
    assert isinstance(p, KepalaDaerahSet)
    await session.merge(
        OrgKepalaDaerah(
            tenant=event.tenant, user_id=p.user_id, title=p.title, name=p.name, active=p.active
        )
    )


async def _holidays(session: AsyncSession, event: Envelope) -> None:
    p = event.payload
    assert isinstance(p, HolidaysSet)
    await session.merge(
        OrgHoliday(tenant=event.tenant, year=p.year, days=[h.day.isoformat() for h in p.holidays])
    )


async def holidays_of(session: AsyncSession, tenant: str, years: Iterable[int]) -> frozenset[date]:
    """The regency's holidays in ``years`` (none known: an empty set, weekends only)."""
    rows = await session.exec(
        select(OrgHoliday).where(OrgHoliday.tenant == tenant, col(OrgHoliday.year).in_(set(years)))
    )
    return frozenset(date.fromisoformat(d) for row in rows.all() for d in row.days)


HOLIDAY_HANDLERS: dict[str, EventHandler] = {HolidaysSet.TYPE: _holidays}

KEPALA_DAERAH_HANDLERS: dict[str, EventHandler] = {KepalaDaerahSet.TYPE: _kepala_daerah}

ORG_HANDLERS: dict[str, EventHandler] = {
    TenantRegistered.TYPE: _tenant_registered,
    UnitCreated.TYPE: _unit,
    UnitUpdated.TYPE: _unit,
    EmployeeRegistered.TYPE: _employee,
    EmployeeUpdated.TYPE: _employee,
    EmployeeDeactivated.TYPE: _employee_deactivated,
}


def employee_active(tenant: str, employee_id: str) -> ScalarSelect[Any]:
    """An employee's ``active`` as a column of another query (NULL: not in this copy yet),
    so that a hot path asks it together with its own rows in one round trip."""
    return (
        select(OrgEmployee.active)
        .where(OrgEmployee.tenant == tenant, OrgEmployee.employee_id == employee_id)
        .scalar_subquery()
    )


def tenant_time_zone(tenant: str) -> ScalarSelect[Any]:
    """The tenant's time zone as a column of another query (NULL: not registered yet,
    read as :data:`DEFAULT_TIME_ZONE`)."""
    return select(OrgTenant.time_zone).where(OrgTenant.slug == tenant).scalar_subquery()


class OrgChart:
    """Questions about the org chart of one tenant, answered from the local copy."""

    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant
        self._kd: OrgKepalaDaerah | bool | None = False  # False: not looked up yet

    async def kepala_daerah(self) -> OrgKepalaDaerah | None:
        """The regency's active kepala daerah account, if it has one (looked up once)."""
        if self._kd is False:
            rows = await self.session.exec(
                select(OrgKepalaDaerah).where(
                    OrgKepalaDaerah.tenant == self.tenant, col(OrgKepalaDaerah.active).is_(True)
                )
            )
            self._kd = rows.first()
        assert not isinstance(self._kd, bool)
        return self._kd

    async def is_kepala_daerah(self, actor_id: str | None) -> bool:
        kd = await self.kepala_daerah()
        return bool(actor_id and kd and kd.user_id == actor_id)

    async def supervisor_of(self, employee: OrgEmployee) -> str | None:
        """Who approves and assesses ``employee``: the direct supervisor, or for an
        employee without one the regency's kepala daerah (None when it has none)."""
        if employee.supervisor_id:
            return employee.supervisor_id
        kd = await self.kepala_daerah()
        return kd.user_id if kd else None

    async def employee(self, employee_id: str | None) -> OrgEmployee | None:
        if not employee_id:
            return None
        return await self.session.get(OrgEmployee, (self.tenant, employee_id))

    async def unit(self, unit_id: str | None) -> OrgUnit | None:
        if not unit_id:
            return None
        return await self.session.get(OrgUnit, (self.tenant, unit_id))

    async def settings(self) -> tuple[TenantSettings, str]:
        """The tenant's rules and time zone (defaults until tenant.registered arrives)."""
        row = await self.session.get(OrgTenant, self.tenant)
        if row is None:
            return TenantSettings(), DEFAULT_TIME_ZONE
        return TenantSettings.model_validate(row.settings), row.time_zone

    async def today(self) -> date:
        """The date now in the tenant's time zone (a regency's day, not the server's)."""
        _, time_zone = await self.settings()
        return local_today(time_zone)

    async def is_direct_supervisor(self, supervisor_id: str | None, employee_id: str) -> bool:
        """``supervisor_id`` approves and assesses the employee: their direct supervisor,
        or the active kepala daerah for an employee without one."""
        employee = await self.employee(employee_id)
        if not supervisor_id or employee is None:
            return False
        return await self.supervisor_of(employee) == supervisor_id

    async def supervisor_chain(self, employee_id: str) -> list[str]:
        """The employee's supervisors, nearest first (cycle-safe), ending with the
        regency's active kepala daerah: the top of every chain."""
        chain: list[str] = []
        current = await self.employee(employee_id)
        while current is not None and current.supervisor_id and current.supervisor_id not in chain:
            chain.append(current.supervisor_id)
            current = await self.employee(current.supervisor_id)
        kd = await self.kepala_daerah()
        if current is not None and kd is not None and kd.user_id not in chain:
            chain.append(kd.user_id)
        return chain

    async def direct_reports(self, supervisor_id: str) -> list[OrgEmployee]:
        """Whom ``supervisor_id`` approves and assesses; for the kepala daerah, the
        employees without a direct supervisor."""
        mine: Any = (
            col(OrgEmployee.supervisor_id).is_(None)
            if await self.is_kepala_daerah(supervisor_id)
            else col(OrgEmployee.supervisor_id) == supervisor_id
        )
        rows = await self.session.exec(
            select(OrgEmployee)
            .where(OrgEmployee.tenant == self.tenant, mine, col(OrgEmployee.active).is_(True))
            .order_by(col(OrgEmployee.name))
        )
        return list(rows.all())

    async def subtree(self, supervisor_id: str) -> list[OrgEmployee]:
        """Everyone below the supervisor, at any depth (for the kepala daerah: everyone)."""
        top = await self.direct_reports(supervisor_id)
        found: dict[str, OrgEmployee] = {
            r.employee_id: r for r in top if r.employee_id != supervisor_id
        }
        frontier = list(found)
        while frontier:
            rows = await self.session.exec(
                select(OrgEmployee).where(
                    OrgEmployee.tenant == self.tenant,
                    col(OrgEmployee.supervisor_id).in_(frontier),
                    col(OrgEmployee.active).is_(True),
                )
            )
            frontier = []
            for row in rows.all():
                if row.employee_id not in found and row.employee_id != supervisor_id:
                    found[row.employee_id] = row
                    frontier.append(row.employee_id)
        return list(found.values())

    async def same_unit(self, a: str, b: str) -> bool:
        first, second = await self.employee(a), await self.employee(b)
        return bool(first and second and first.unit_id == second.unit_id)
