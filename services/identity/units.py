"""Org units of the caller's regency: a tree (parent unit), an optional code unique in the
regency, an optional head, and whether the unit serves the public.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import UnitCreated, UnitKind, UnitUpdated, new_event
from services.common.messaging import add_event
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import BadRequest, Conflict
from services.common.security import Principal
from services.common.storage import SessionFactory
from services.identity import domain
from services.identity.models import Employee, Unit, UnitCreate, UnitUpdate
from services.identity.records import (
    changes_of,
    get_tenant,
    get_unit,
    like_prefix,
    transaction,
    unit_parent_map,
    unit_payload,
)


@dataclass(frozen=True)
class UnitFilter:
    parent_id: str | None = None  # direct children of this unit
    kind: UnitKind | None = None
    serves_public: bool | None = None
    q: str | None = None  # name or code prefix


async def list_units(
    *, sessions: SessionFactory, principal: Principal, paging: PageParams, where: UnitFilter
) -> Page[Unit]:
    query = select(Unit).where(Unit.tenant == principal.home())
    if where.parent_id is not None:
        query = query.where(Unit.parent_id == where.parent_id)
    if where.kind is not None:
        query = query.where(Unit.kind == where.kind)
    if where.serves_public is not None:
        query = query.where(Unit.serves_public == where.serves_public)
    if where.q:
        pattern = like_prefix(where.q)
        query = query.where(
            col(Unit.name).ilike(pattern, escape="\\") | col(Unit.code).ilike(pattern, escape="\\")
        )
    async with sessions() as session:
        return await paginate(session, query.order_by(col(Unit.name), col(Unit.id)), paging)


async def read_unit(*, sessions: SessionFactory, principal: Principal, unit_id: str) -> Unit:
    async with sessions() as session:
        return await get_unit(session, principal.home(), unit_id)


async def create_unit(*, sessions: SessionFactory, principal: Principal, body: UnitCreate) -> Unit:
    """Emits ``unit.created``."""
    tenant = principal.home()
    async with transaction(sessions) as session:
        await get_tenant(session, tenant)
        unit = Unit(tenant=tenant, **body.model_dump())
        problem = domain.parent_unit_problem(
            unit.id, unit.parent_id, parent_of=await unit_parent_map(session, tenant)
        )
        if problem:
            raise BadRequest.of(problem)
        await _check_head(session, tenant, unit.head_employee_id)
        await _check_code_free(session, tenant, unit.code, None)
        session.add(unit)
        add_event(session, new_event(unit_payload(UnitCreated, unit), tenant=tenant))
    return unit


async def update_unit(
    *, sessions: SessionFactory, principal: Principal, unit_id: str, body: UnitUpdate
) -> Unit:
    """Emits ``unit.updated``."""
    tenant = principal.home()
    changes = changes_of(body, ("name", "kind", "serves_public"))
    async with transaction(sessions) as session:
        unit = await get_unit(session, tenant, unit_id)
        if "parent_id" in changes:
            problem = domain.parent_unit_problem(
                unit.id, changes["parent_id"], parent_of=await unit_parent_map(session, tenant)
            )
            if problem:
                raise BadRequest.of(problem)
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


async def _check_head(session: AsyncSession, tenant: str, head_id: str | None) -> None:
    if head_id is None:
        return
    head = await session.get(Employee, head_id)
    if head is None or head.tenant != tenant:
        raise BadRequest("head_employee_id {id} is not an employee of this regency", id=head_id)
    if not head.active:
        raise BadRequest("the unit head {name} is deactivated", name=head.name)


async def _check_code_free(
    session: AsyncSession, tenant: str, code: str | None, unit_id: str | None
) -> None:
    if code is None:
        return
    rows = await session.exec(select(Unit).where(Unit.tenant == tenant, Unit.code == code))
    other = rows.first()
    if other is not None and other.id != unit_id:
        raise Conflict(
            "unit code {code} is already used in this regency, by {name}",
            code=code,
            name=other.name,
        )
