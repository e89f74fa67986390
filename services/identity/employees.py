"""Employees of the caller's regency and their login accounts: NIP, unit, supervisor
chain (inside the regency, no cycles), deactivation, initial passwords.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import (
    EmployeeDeactivated,
    EmployeeRegistered,
    EmployeeUpdated,
    new_event,
)
from services.common.messaging import add_event
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import BadRequest, Conflict
from services.common.security import Principal
from services.common.storage import SessionFactory
from services.common.workdays import local_today
from services.identity import domain
from services.identity.models import Employee, EmployeeCreate, EmployeeUpdate, Unit, UserAccount
from services.identity.records import (
    changes_of,
    employee_account,
    employee_payload,
    get_employee,
    get_tenant,
    has_direct_reports,
    hash_in_thread,
    like_prefix,
    revoke_refresh_tokens,
    supervisor_map,
    transaction,
)


@dataclass(frozen=True)
class EmployeeFilter:
    unit_id: str | None = None
    supervisor_id: str | None = None  # direct reports of
    q: str | None = None  # name prefix (for admins: or NIP prefix)
    include_inactive: bool = False


async def list_employees(
    *, sessions: SessionFactory, principal: Principal, paging: PageParams, where: EmployeeFilter
) -> Page[Employee]:
    query = select(Employee).where(Employee.tenant == principal.home())
    if where.unit_id is not None:
        query = query.where(Employee.unit_id == where.unit_id)
    if where.supervisor_id is not None:
        query = query.where(Employee.supervisor_id == where.supervisor_id)
    if not where.include_inactive:
        query = query.where(col(Employee.active).is_(True))
    if where.q:
        condition: ColumnElement[bool] = col(Employee.name).ilike(like_prefix(where.q), escape="\\")
        if principal.is_admin:  # the NIP holds the birth date: only admins search by it
            condition = condition | col(Employee.nip).like(like_prefix(where.q), escape="\\")
        query = query.where(condition)
    async with sessions() as session:
        return await paginate(session, query.order_by(col(Employee.name), col(Employee.id)), paging)


async def read_employee(
    *, sessions: SessionFactory, principal: Principal, employee_id: str
) -> Employee:
    async with sessions() as session:
        return await get_employee(session, principal.home(), employee_id)


async def create_employee(
    *, sessions: SessionFactory, principal: Principal, body: EmployeeCreate
) -> Employee:
    """An employee and their login account (username: the NIP); emits
    ``employee.registered``."""
    tenant = principal.home()
    if body.password is not None:
        problem = domain.password_problem(body.password, username=body.nip)
        if problem:
            raise BadRequest.of(problem)
    password_hash = await hash_in_thread(body.password) if body.password else None
    async with transaction(sessions) as session:
        row = await get_tenant(session, tenant)
        problem = domain.nip_problem(body.nip, today=local_today(row.time_zone))
        if problem:
            raise BadRequest.of(problem)
        taken = await session.exec(
            select(Employee).where(Employee.tenant == tenant, Employee.nip == body.nip)
        )
        holder = taken.first()
        if holder is not None:
            raise Conflict(
                "NIP {nip} is already registered in this regency, for {name}",
                nip=body.nip,
                name=holder.name,
            )
        await _check_unit(session, tenant, body.unit_id)
        employee = Employee(tenant=tenant, **body.model_dump(exclude={"password"}))
        supervisor_of, active = await supervisor_map(session, tenant)
        problem = domain.supervisor_problem(
            employee.id, employee.supervisor_id, supervisor_of=supervisor_of, active=active
        )
        if problem:
            raise BadRequest.of(problem)
        session.add(employee)
        await session.flush()
        session.add(employee_account(employee, password_hash))
        add_event(session, new_event(employee_payload(EmployeeRegistered, employee), tenant=tenant))
    return employee


async def update_employee(
    *, sessions: SessionFactory, principal: Principal, employee_id: str, body: EmployeeUpdate
) -> Employee:
    """Name, position, unit or supervisor; emits ``employee.updated``."""
    tenant = principal.home()
    changes = changes_of(body, ("name", "position", "unit_id"))
    async with transaction(sessions) as session:
        employee = await get_employee(session, tenant, employee_id)
        if not employee.active:
            raise Conflict("{name} is deactivated", name=employee.name)
        if "unit_id" in changes:
            await _check_unit(session, tenant, changes["unit_id"])
        if "supervisor_id" in changes:
            supervisor_of, active = await supervisor_map(session, tenant)
            problem = domain.supervisor_problem(
                employee.id, changes["supervisor_id"], supervisor_of=supervisor_of, active=active
            )
            if problem:
                raise BadRequest.of(problem)
        for name, value in changes.items():
            setattr(employee, name, value)
        employee.updated_at = utcnow()
        session.add(employee)
        add_event(session, new_event(employee_payload(EmployeeUpdated, employee), tenant=tenant))
    return employee


async def deactivate_employee(
    *, sessions: SessionFactory, principal: Principal, employee_id: str, reason: str
) -> Employee:
    """The record and its history stay; the account is disabled and its refresh tokens
    revoked; emits ``employee.deactivated``."""
    tenant = principal.home()
    async with transaction(sessions) as session:
        employee = await get_employee(session, tenant, employee_id)
        if not employee.active:
            raise Conflict("{name} is already deactivated", name=employee.name)
        if await has_direct_reports(session, tenant, employee.id):
            raise Conflict(
                "{name} still supervises active employees: give them a new supervisor",
                name=employee.name,
            )
        now = utcnow()
        employee.active = False
        employee.deactivated_at = now
        employee.deactivation_reason = reason
        employee.updated_at = now
        session.add(employee)
        accounts = await session.exec(
            select(UserAccount).where(UserAccount.employee_id == employee.id)
        )
        for account in accounts.all():
            account.active = False
            session.add(account)
            await revoke_refresh_tokens(session, account.id)
        add_event(
            session,
            new_event(EmployeeDeactivated(employee_id=employee.id, reason=reason), tenant=tenant),
        )
    return employee


async def set_employee_password(
    *, sessions: SessionFactory, principal: Principal, employee_id: str, password: str
) -> None:
    """An admin sets an initial password (or resets a forgotten one)."""
    async with sessions() as session:
        employee = await get_employee(session, principal.home(), employee_id)
    problem = domain.password_problem(password, username=employee.nip)
    if problem:
        raise BadRequest.of(problem)
    password_hash = await hash_in_thread(password)
    async with transaction(sessions) as session:
        account = await active_account(session, employee)
        account.password_hash = password_hash
        account.must_change_password = True
        account.password_changed_at = utcnow()
        session.add(account)
        await revoke_refresh_tokens(session, account.id)


async def active_account(session: AsyncSession, employee: Employee) -> UserAccount:
    """The employee's login account; refused when it is disabled."""
    rows = await session.exec(select(UserAccount).where(UserAccount.employee_id == employee.id))
    account = rows.first()
    if account is None or not account.active:
        raise Conflict("the account of {name} is disabled", name=employee.name)
    return account


async def _check_unit(session: AsyncSession, tenant: str, unit_id: str) -> None:
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.tenant != tenant:
        raise BadRequest("unit_id {id} is not a unit of this regency", id=unit_id)
