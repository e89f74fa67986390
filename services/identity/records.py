"""What every identity use case shares: loading rows of the caller's regency (a foreign
id answers 404, as if it did not exist), the write transaction, event payloads and the
revocation of refresh tokens."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import EmployeeRegistered, TenantRegistered, TenantSettings, UnitCreated
from services.common.refusals import BadRequest, Conflict, NotFound
from services.common.rows import of_tenant
from services.common.security import Role, hash_password
from services.common.storage import SessionFactory
from services.identity.models import Employee, RefreshToken, Tenant, Unit, UserAccount


@contextlib.asynccontextmanager
async def transaction(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One write transaction. A unique value taken by a concurrent request between our
    check and our commit is refused as a conflict, not answered as a server error."""
    try:
        async with sessions.begin() as session:
            yield session
    except IntegrityError:
        raise Conflict(
            "conflicts with an existing record (a unique value is already taken)"
        ) from None


def as_utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def hash_in_thread(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def get_tenant(session: AsyncSession, slug: str) -> Tenant:
    tenant = await session.get(Tenant, slug)
    if tenant is None:
        raise NotFound("regency {slug} not found", slug=slug)
    return tenant


async def get_unit(session: AsyncSession, tenant: str, unit_id: str) -> Unit:
    return await of_tenant(
        session, Unit, unit_id, tenant, NotFound("unit {id} not found", id=unit_id)
    )


async def get_employee(session: AsyncSession, tenant: str, employee_id: str) -> Employee:
    missing = NotFound("employee {id} not found", id=employee_id)
    return await of_tenant(session, Employee, employee_id, tenant, missing)


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


async def revoke_refresh_tokens(session: AsyncSession, user_id: str) -> None:
    await session.exec(
        update(RefreshToken)
        .where(
            col(RefreshToken.user_id) == user_id,
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
    )


def employee_payload(cls: type[EmployeeRegistered], employee: Employee) -> EmployeeRegistered:
    return cls(
        employee_id=employee.id,
        nip=employee.nip,
        name=employee.name,
        position=employee.position,
        golongan=employee.golongan,
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


def employee_account(
    employee: Employee, password_hash: str | None, *, must_change_password: bool = True
) -> UserAccount:
    """The login account of an employee (username: the NIP)."""
    return UserAccount(
        tenant=employee.tenant,
        scope=employee.tenant,
        username=employee.nip,
        employee_id=employee.id,
        password_hash=password_hash,
        roles=Role.PEGAWAI.value,
        must_change_password=must_change_password,
    )


def like_prefix(text: str) -> str:
    """A LIKE pattern matching values that start with ``text`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def changes_of(body: BaseModel, required: tuple[str, ...]) -> dict[str, Any]:
    """The fields a PATCH-like update sets; refused when it empties one that must stay."""
    changes = body.model_dump(exclude_unset=True)
    for field in required:
        if field in changes and changes[field] is None:
            raise BadRequest("{field} cannot be null", field=field)
    return changes
