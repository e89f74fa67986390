"""Identity's use cases: each one transaction, rows and events together.

Every function is keyword-only, loads what the rules in ``domain.py`` need, and raises
:class:`Refused` (turned into a 4xx answer) before anything is written when a rule fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import (
    EmployeeDeactivated,
    EmployeeRegistered,
    EmployeeUpdated,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    UnitUpdated,
    new_event,
)
from services.common.messaging import add_event
from services.common.security import Role, hash_password
from services.common.storage import SessionFactory
from services.common.workdays import local_today
from services.identity import domain
from services.identity.models import (
    PLATFORM_SCOPE,
    Employee,
    EmployeeCreate,
    EmployeeUpdate,
    RefreshToken,
    Tenant,
    TenantCreate,
    Unit,
    UnitCreate,
    UnitUpdate,
    UserAccount,
    utcnow,
)

# Initial passwords set by an import must be changed at first login, where they are
# rehashed with the kernel's full parameters; this hasher (OWASP's minimum for argon2id)
# keeps a 10,000-row import within minutes.
_import_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class Refused(Exception):
    """A request that breaks a rule: answered with ``status`` and ``detail``."""

    def __init__(self, status: int, detail: str | list[dict[str, Any]]) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def as_utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def hash_in_thread(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


# ---------------------------------------------------------------- loading


async def get_tenant(session: AsyncSession, slug: str) -> Tenant:
    tenant = await session.get(Tenant, slug)
    if tenant is None:
        raise Refused(404, f"regency {slug!r} not found")
    return tenant


async def get_unit(session: AsyncSession, tenant: str, unit_id: str) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.tenant != tenant:
        raise Refused(404, f"unit {unit_id} not found")
    return unit


async def get_employee(session: AsyncSession, tenant: str, employee_id: str) -> Employee:
    employee = await session.get(Employee, employee_id)
    if employee is None or employee.tenant != tenant:
        raise Refused(404, f"employee {employee_id} not found")
    return employee


async def supervisor_map(
    session: AsyncSession, tenant: str
) -> tuple[dict[str, str | None], set[str]]:
    """Every employee of the tenant -> their supervisor, and the ids of the active ones."""
    rows = await session.exec(
        select(Employee.id, Employee.supervisor_id, Employee.active).where(
            Employee.tenant == tenant
        )
    )
    supervisor_of: dict[str, str | None] = {}
    active: set[str] = set()
    for employee_id, supervisor_id, is_active in rows.all():
        supervisor_of[employee_id] = supervisor_id
        if is_active:
            active.add(employee_id)
    return supervisor_of, active


async def unit_parent_map(session: AsyncSession, tenant: str) -> dict[str, str | None]:
    rows = await session.exec(select(Unit.id, Unit.parent_id).where(Unit.tenant == tenant))
    return dict(rows.all())


async def has_direct_reports(session: AsyncSession, tenant: str, employee_id: str) -> bool:
    count = await session.scalar(
        select(func.count())
        .select_from(Employee)
        .where(
            Employee.tenant == tenant,
            Employee.supervisor_id == employee_id,
            col(Employee.active).is_(True),
        )
    )
    return bool(count)


async def find_account(session: AsyncSession, scope: str, username: str) -> UserAccount | None:
    rows = await session.exec(
        select(UserAccount).where(UserAccount.scope == scope, UserAccount.username == username)
    )
    return rows.first()


def employee_payload(cls: type[EmployeeRegistered], employee: Employee) -> EmployeeRegistered:
    return cls(
        employee_id=employee.id,
        nip=employee.nip,
        name=employee.name,
        position=employee.position,
        unit_id=employee.unit_id,
        supervisor_id=employee.supervisor_id,
        active=employee.active,
    )


def unit_payload(cls: type[UnitCreated], unit: Unit) -> UnitCreated:
    return cls(
        unit_id=unit.id,
        name=unit.name,
        kind=unit.kind,
        parent_id=unit.parent_id,
        serves_public=unit.serves_public,
        head_employee_id=unit.head_employee_id,
    )


def tenant_event(tenant: Tenant) -> TenantRegistered:
    return TenantRegistered(
        name=tenant.name,
        time_zone=tenant.time_zone,
        settings=TenantSettings.model_validate(tenant.settings),
    )


# ---------------------------------------------------------------- tenants and accounts


async def ensure_platform_account(
    *, sessions: SessionFactory, username: str, password: str
) -> bool:
    """Create the platform operator's account if missing; True when created."""
    async with sessions.begin() as session:
        if await find_account(session, PLATFORM_SCOPE, username) is not None:
            return False
        session.add(
            UserAccount(
                tenant=None,
                scope=PLATFORM_SCOPE,
                username=username,
                password_hash=await hash_in_thread(password),
                roles=Role.PLATFORM.value,
                must_change_password=False,
            )
        )
    return True


async def register_tenant(*, sessions: SessionFactory, body: TenantCreate) -> Tenant:
    async with sessions.begin() as session:
        if await session.get(Tenant, body.slug) is not None:
            raise Refused(409, f"regency {body.slug!r} already exists")
        tenant = Tenant(
            slug=body.slug,
            name=body.name,
            time_zone=body.time_zone,
            settings=body.settings.model_dump(),
        )
        session.add(tenant)
        add_event(session, new_event(tenant_event(tenant), tenant=tenant.slug))
    return tenant


async def change_settings(
    *, sessions: SessionFactory, tenant: str, changes: dict[str, Any]
) -> Tenant:
    async with sessions.begin() as session:
        row = await get_tenant(session, tenant)
        try:
            merged = TenantSettings.model_validate({**row.settings, **changes})
        except ValueError as exc:
            raise Refused(400, f"invalid settings: {exc}") from None
        row.settings = merged.model_dump()
        row.updated_at = utcnow()
        session.add(row)
        add_event(session, new_event(tenant_event(row), tenant=tenant))
    return row


async def create_account(
    *,
    sessions: SessionFactory,
    tenant: str | None,
    username: str,
    password: str,
    role: Role,
) -> UserAccount:
    """An admin account of a tenant, or (tenant None) a platform or ops account."""
    problem = domain.password_problem(password, username=username)
    if problem:
        raise Refused(400, problem)
    password_hash = await hash_in_thread(password)
    scope = tenant or PLATFORM_SCOPE
    async with sessions.begin() as session:
        if tenant is not None:
            await get_tenant(session, tenant)
        if await find_account(session, scope, username) is not None:
            raise Refused(409, f"username {username!r} is taken")
        account = UserAccount(
            tenant=tenant,
            scope=scope,
            username=username,
            password_hash=password_hash,
            roles=role.value,
            must_change_password=True,
        )
        session.add(account)
    return account


# ---------------------------------------------------------------- units


async def _check_head(session: AsyncSession, tenant: str, head_id: str | None) -> None:
    if head_id is None:
        return
    head = await session.get(Employee, head_id)
    if head is None or head.tenant != tenant:
        raise Refused(400, f"head_employee_id {head_id} is not an employee of this regency")
    if not head.active:
        raise Refused(400, f"head_employee_id {head_id} is deactivated")


async def _check_code_free(
    session: AsyncSession, tenant: str, code: str | None, unit_id: str | None
) -> None:
    if code is None:
        return
    rows = await session.exec(select(Unit.id).where(Unit.tenant == tenant, Unit.code == code))
    other = rows.first()
    if other is not None and other != unit_id:
        raise Refused(409, f"unit code {code!r} is already used in this regency")


async def create_unit(*, sessions: SessionFactory, tenant: str, body: UnitCreate) -> Unit:
    async with sessions.begin() as session:
        await get_tenant(session, tenant)
        unit = Unit(tenant=tenant, **body.model_dump())
        problem = domain.parent_unit_problem(
            unit.id, unit.parent_id, parent_of=await unit_parent_map(session, tenant)
        )
        if problem:
            raise Refused(400, problem)
        await _check_head(session, tenant, unit.head_employee_id)
        await _check_code_free(session, tenant, unit.code, None)
        session.add(unit)
        add_event(session, new_event(unit_payload(UnitCreated, unit), tenant=tenant))
    return unit


async def update_unit(
    *, sessions: SessionFactory, tenant: str, unit_id: str, body: UnitUpdate
) -> Unit:
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "kind", "serves_public"):
        if required in changes and changes[required] is None:
            raise Refused(400, f"{required} cannot be null")
    async with sessions.begin() as session:
        unit = await get_unit(session, tenant, unit_id)
        if "parent_id" in changes:
            problem = domain.parent_unit_problem(
                unit.id, changes["parent_id"], parent_of=await unit_parent_map(session, tenant)
            )
            if problem:
                raise Refused(400, problem)
        if "head_employee_id" in changes:
            await _check_head(session, tenant, changes["head_employee_id"])
        if "code" in changes:
            await _check_code_free(session, tenant, changes["code"], unit.id)
        for name, value in changes.items():
            setattr(unit, name, value)
        unit.updated_at = utcnow()
        session.add(unit)
        add_event(session, new_event(unit_payload(UnitUpdated, unit), tenant=tenant))
    return unit


# ---------------------------------------------------------------- employees


async def create_employee(
    *, sessions: SessionFactory, tenant: str, body: EmployeeCreate
) -> Employee:
    if body.password is not None:
        problem = domain.password_problem(body.password, username=body.nip)
        if problem:
            raise Refused(400, problem)
    password_hash = await hash_in_thread(body.password) if body.password else None
    async with sessions.begin() as session:
        row = await get_tenant(session, tenant)
        problem = domain.nip_problem(body.nip, today=local_today(row.time_zone))
        if problem:
            raise Refused(400, problem)
        taken = await session.exec(
            select(Employee.id).where(Employee.tenant == tenant, Employee.nip == body.nip)
        )
        if taken.first() is not None:
            raise Refused(409, f"NIP {body.nip} is already registered in this regency")
        await _check_unit(session, tenant, body.unit_id)
        employee = Employee(tenant=tenant, **body.model_dump(exclude={"password"}))
        supervisor_of, active = await supervisor_map(session, tenant)
        problem = domain.supervisor_problem(
            employee.id, employee.supervisor_id, supervisor_of=supervisor_of, active=active
        )
        if problem:
            raise Refused(400, problem)
        session.add(employee)
        await session.flush()
        session.add(_employee_account(employee, password_hash))
        add_event(session, new_event(employee_payload(EmployeeRegistered, employee), tenant=tenant))
    return employee


def _employee_account(employee: Employee, password_hash: str | None) -> UserAccount:
    return UserAccount(
        tenant=employee.tenant,
        scope=employee.tenant,
        username=employee.nip,
        employee_id=employee.id,
        password_hash=password_hash,
        roles=Role.PEGAWAI.value,
        must_change_password=True,
    )


async def _check_unit(session: AsyncSession, tenant: str, unit_id: str) -> None:
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.tenant != tenant:
        raise Refused(400, f"unit_id {unit_id} is not a unit of this regency")


async def update_employee(
    *, sessions: SessionFactory, tenant: str, employee_id: str, body: EmployeeUpdate
) -> Employee:
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "position", "unit_id"):
        if required in changes and changes[required] is None:
            raise Refused(400, f"{required} cannot be null")
    async with sessions.begin() as session:
        employee = await get_employee(session, tenant, employee_id)
        if not employee.active:
            raise Refused(409, "the employee is deactivated")
        if "unit_id" in changes:
            await _check_unit(session, tenant, changes["unit_id"])
        if "supervisor_id" in changes:
            supervisor_of, active = await supervisor_map(session, tenant)
            problem = domain.supervisor_problem(
                employee.id, changes["supervisor_id"], supervisor_of=supervisor_of, active=active
            )
            if problem:
                raise Refused(400, problem)
        for name, value in changes.items():
            setattr(employee, name, value)
        employee.updated_at = utcnow()
        session.add(employee)
        add_event(session, new_event(employee_payload(EmployeeUpdated, employee), tenant=tenant))
    return employee


async def deactivate_employee(
    *, sessions: SessionFactory, tenant: str, employee_id: str, reason: str
) -> Employee:
    async with sessions.begin() as session:
        employee = await get_employee(session, tenant, employee_id)
        if not employee.active:
            raise Refused(409, "the employee is already deactivated")
        if await has_direct_reports(session, tenant, employee.id):
            raise Refused(
                409, "the employee still supervises active employees: give them a new supervisor"
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
    *, sessions: SessionFactory, tenant: str, employee_id: str, password: str
) -> None:
    """An admin sets an initial password (or resets a forgotten one)."""
    async with sessions() as session:
        employee = await get_employee(session, tenant, employee_id)
    problem = domain.password_problem(password, username=employee.nip)
    if problem:
        raise Refused(400, problem)
    password_hash = await hash_in_thread(password)
    async with sessions.begin() as session:
        rows = await session.exec(select(UserAccount).where(UserAccount.employee_id == employee_id))
        account = rows.first()
        if account is None or not account.active:
            raise Refused(409, "the employee's account is disabled")
        account.password_hash = password_hash
        account.must_change_password = True
        account.password_changed_at = utcnow()
        session.add(account)
        await revoke_refresh_tokens(session, account.id)


async def revoke_refresh_tokens(session: AsyncSession, user_id: str) -> None:
    await session.exec(
        update(RefreshToken)
        .where(
            col(RefreshToken.user_id) == user_id,
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )


# ---------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class ImportOutcome:
    rows: int
    created: int
    problems: list[domain.Problem]


async def import_units(
    *, sessions: SessionFactory, tenant: str, text: str, dry_run: bool
) -> ImportOutcome:
    rows, problems = domain.read_csv(
        text, required=domain.UNIT_COLUMNS, optional=domain.UNIT_OPTIONAL
    )
    async with sessions.begin() as session:
        await get_tenant(session, tenant)
        codes = await session.exec(
            select(Unit.code, Unit.id).where(Unit.tenant == tenant, col(Unit.code).is_not(None))
        )
        snapshot = domain.UnitSnapshot(
            by_code={code: unit_id for code, unit_id in codes.all() if code},
            parent_of=await unit_parent_map(session, tenant),
        )
        planned, row_problems = domain.plan_unit_import(rows, snapshot)
        problems = problems + row_problems
        if problems or dry_run:
            return ImportOutcome(len(rows), 0, problems)
        for plan in planned:
            unit = Unit(
                id=plan.id,
                tenant=tenant,
                code=plan.code,
                name=plan.name,
                kind=plan.kind,
                parent_id=plan.parent_id,
                serves_public=plan.serves_public,
            )
            session.add(unit)
            add_event(session, new_event(unit_payload(UnitCreated, unit), tenant=tenant))
    return ImportOutcome(len(rows), len(planned), [])


async def import_employees(
    *, sessions: SessionFactory, tenant: str, text: str, dry_run: bool
) -> ImportOutcome:
    rows, problems = domain.read_csv(
        text, required=domain.EMPLOYEE_COLUMNS, optional=domain.EMPLOYEE_OPTIONAL
    )
    async with sessions() as session:
        row = await get_tenant(session, tenant)
        snapshot = await _employee_snapshot(session, tenant)
    planned, row_problems = domain.plan_employee_import(
        rows, snapshot, today=local_today(row.time_zone)
    )
    problems = problems + row_problems
    if problems or dry_run:
        return ImportOutcome(len(rows), 0, problems)
    hashes = await asyncio.to_thread(
        lambda: [_import_hasher.hash(p.password) if p.password else None for p in planned]
    )
    async with sessions.begin() as session:
        # The snapshot was read outside this transaction: check again that nothing clashes.
        if await _employee_snapshot(session, tenant) != snapshot:
            raise Refused(409, "the regency's employees changed during the import: retry")
        employees = []
        for plan in planned:
            employee = Employee(
                id=plan.id,
                tenant=tenant,
                nip=plan.nip,
                name=plan.name,
                position=plan.position,
                unit_id=plan.unit_id,
                supervisor_id=plan.supervisor_id,
            )
            employees.append(employee)
            session.add(employee)
            add_event(
                session, new_event(employee_payload(EmployeeRegistered, employee), tenant=tenant)
            )
        await session.flush()
        session.add_all(_employee_account(e, h) for e, h in zip(employees, hashes, strict=True))
    return ImportOutcome(len(rows), len(planned), [])


async def _employee_snapshot(session: AsyncSession, tenant: str) -> domain.EmployeeSnapshot:
    employees = await session.exec(
        select(Employee.nip, Employee.id, Employee.active).where(Employee.tenant == tenant)
    )
    by_nip: dict[str, str] = {}
    active: set[str] = set()
    for nip, employee_id, is_active in employees.all():
        by_nip[nip] = employee_id
        if is_active:
            active.add(employee_id)
    units = await session.exec(select(Unit.id, Unit.code).where(Unit.tenant == tenant))
    unit_rows = units.all()
    return domain.EmployeeSnapshot(
        by_nip=by_nip,
        active=frozenset(active),
        unit_by_code={code: unit_id for unit_id, code in unit_rows if code},
        unit_ids=frozenset(unit_id for unit_id, _ in unit_rows),
    )


def problems_detail(problems: Sequence[domain.Problem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "reason": p.reason} for p in problems]
