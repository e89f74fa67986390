"""Drafting an SKP: create, edit, submit, and read it (each public function is one
transaction). Shared steps are in :mod:`services.targets.steps`."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import new_id
from services.common.events import Rhk
from services.common.orgchart import OrgChart
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import Conflict
from services.common.security import Principal
from services.common.storage import SessionFactory
from services.targets.domain import SkpStatus, check_submittable, require_status
from services.targets.models import ParentOption, Skp, SkpCreate, SkpRead, SkpUpdate, SkpVersion
from services.targets.steps import (
    active_me,
    advance,
    check_links,
    check_visible,
    content,
    dump,
    own_skp,
    parent_options_of,
    set_version_status,
    skp_of,
    skp_read,
    to_rhk,
    transition,
    visible_skp,
)


@contextlib.asynccontextmanager
async def one_per_year(year: int) -> AsyncIterator[None]:
    """A concurrent twin of the same year fails on the unique (tenant, employee, year)."""
    try:
        yield
    except IntegrityError:
        raise Conflict("you already have an SKP for {year}", year=year) from None


async def insert_skp(
    session: AsyncSession, *, principal: Principal, year: int, rhk: Sequence[Rhk], action: str
) -> SkpRead:
    tenant = principal.home()
    owner = await active_me(session, principal)
    if await skp_of(session, tenant, owner, year) is not None:
        raise Conflict("you already have an SKP for {year}", year=year)
    skp = Skp(id=new_id(), tenant=tenant, employee_id=owner, year=year)
    await check_links(session, skp, rhk)
    session.add(skp)
    session.add(SkpVersion(skp_id=skp.id, version=1, tenant=tenant, rhk=dump(rhk)))
    transition(session, skp, action, owner)
    await session.flush()  # a concurrent twin fails here on the unique (tenant, employee, year)
    return await skp_read(session, skp)


async def create_skp(sessions: SessionFactory, *, principal: Principal, body: SkpCreate) -> SkpRead:
    rhk = to_rhk(body.rhk)
    async with one_per_year(body.year), sessions.begin() as session:
        return await insert_skp(
            session, principal=principal, year=body.year, rhk=rhk, action="created"
        )


async def update_skp(
    sessions: SessionFactory, *, principal: Principal, skp_id: str, body: SkpUpdate
) -> SkpRead:
    rhk = to_rhk(body.rhk)
    async with sessions.begin() as session:
        skp = await own_skp(session, principal, skp_id)
        require_status(skp.status, SkpStatus.DRAFT, action="edit")
        await check_links(session, skp, rhk)
        await advance(session, skp, expected=SkpStatus.DRAFT, action="edit")
        await set_version_status(session, skp, SkpStatus.DRAFT, rhk=dump(rhk))
        transition(session, skp, "edited", principal.employee_id)
        return await skp_read(session, skp)


async def submit_skp(sessions: SessionFactory, *, principal: Principal, skp_id: str) -> SkpRead:
    async with sessions.begin() as session:
        return await submit_in(session, principal=principal, skp_id=skp_id)


async def submit_in(session: AsyncSession, *, principal: Principal, skp_id: str) -> SkpRead:
    """The submission inside the caller's transaction (the bulk seeding path shares it)."""
    skp = await own_skp(session, principal, skp_id)
    require_status(skp.status, SkpStatus.DRAFT, action="submit")
    org = OrgChart(session, skp.tenant)
    me = await org.employee(skp.employee_id)
    rhk = await content(session, skp.id, skp.version)
    check_submittable(
        rhk,
        me.supervisor_id if me else None,
        has_kepala_daerah=await org.kepala_daerah() is not None,
    )
    await check_links(session, skp, rhk)  # the supervisor's SKP may have moved on
    await advance(
        session, skp, expected=SkpStatus.DRAFT, action="submit", status=SkpStatus.SUBMITTED
    )
    await set_version_status(session, skp, SkpStatus.SUBMITTED)
    transition(session, skp, "submitted", principal.employee_id)
    return await skp_read(session, skp)


async def get_skp(sessions: SessionFactory, *, principal: Principal, skp_id: str) -> SkpRead:
    async with sessions() as session:
        skp = await visible_skp(session, principal, skp_id)
        return await skp_read(session, skp)


async def list_skps(
    sessions: SessionFactory,
    *,
    principal: Principal,
    employee_id: str | None,
    year: int | None,
    page: PageParams,
) -> Page[SkpRead]:
    owner = employee_id or principal.me()
    async with sessions() as session:
        await check_visible(session, principal, owner)
        query = select(Skp).where(Skp.tenant == principal.home(), Skp.employee_id == owner)
        if year is not None:
            query = query.where(Skp.year == year)
        result = await paginate(session, query.order_by(col(Skp.year).desc()), page)
        items = [await skp_read(session, s) for s in result.items]
        return Page[SkpRead](items=items, total=result.total, limit=page.limit, offset=page.offset)


async def parent_options(
    sessions: SessionFactory, *, principal: Principal, year: int
) -> list[ParentOption]:
    async with sessions() as session:
        return await parent_options_of(session, principal.home(), principal.me(), year)
