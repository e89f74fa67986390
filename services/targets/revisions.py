"""An SKP across time: copy last year's as this year's draft, revise an approved one as a
new version, and read its versions and its history of transitions."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from services.common.orgchart import OrgChart
from services.common.pagination import Page, PageParams
from services.common.refusals import NotFound
from services.common.security import Principal
from services.common.storage import SessionFactory
from services.targets.domain import SkpStatus, copy_for_new_year
from services.targets.drafting import insert_skp, one_per_year
from services.targets.models import (
    SkpCopy,
    SkpRead,
    SkpTransition,
    SkpTransitionRead,
    SkpVersion,
    SkpVersionRead,
)
from services.targets.steps import (
    R,
    advance,
    content,
    dump,
    log_page,
    own_skp,
    read_as,
    skp_of,
    skp_read,
    transition,
    visible_skp,
)


async def copy_last_year(
    sessions: SessionFactory, *, principal: Principal, body: SkpCopy
) -> SkpRead:
    """Last year's SKP (its approved content, else its draft) as this year's new draft."""
    owner = principal.me()
    tenant = principal.home()
    async with sessions.begin() as session:
        year = body.year or (await OrgChart(session, tenant).today()).year
    async with one_per_year(year), sessions.begin() as session:
        source = await skp_of(session, tenant, owner, year - 1)
        if source is None:
            raise NotFound("you have no SKP for {year} to copy", year=year - 1)
        rhk = await content(session, source.id, source.approved_version or source.version)
        return await insert_skp(
            session, principal=principal, year=year, rhk=copy_for_new_year(rhk), action="copied"
        )


async def revise_skp(sessions: SessionFactory, *, principal: Principal, skp_id: str) -> SkpRead:
    """An approved SKP gets a new draft version (a copy of the approved content); the
    approved version stays in force until the new one is approved."""
    async with sessions.begin() as session:
        skp = await own_skp(session, principal, skp_id)
        rhk = await content(session, skp.id, skp.version)
        await advance(
            session,
            skp,
            expected=SkpStatus.APPROVED,
            action="revise",
            status=SkpStatus.DRAFT,
            version=skp.version + 1,
        )
        session.add(
            SkpVersion(skp_id=skp.id, version=skp.version, tenant=skp.tenant, rhk=dump(rhk))
        )
        transition(session, skp, "revised", principal.employee_id)
        return await skp_read(session, skp)


async def list_versions(
    sessions: SessionFactory, *, principal: Principal, skp_id: str, page: PageParams
) -> Page[SkpVersionRead]:
    newest_first = col(SkpVersion.version).desc()
    return await _skp_log(
        sessions, principal, skp_id, page, SkpVersion, newest_first, SkpVersionRead
    )


async def get_version(
    sessions: SessionFactory, *, principal: Principal, skp_id: str, version: int
) -> SkpVersionRead:
    async with sessions() as session:
        skp = await visible_skp(session, principal, skp_id)
        row = await session.get(SkpVersion, (skp.id, version))
        if row is None:
            raise NotFound("this SKP has no version {version}", version=version)
        return read_as(SkpVersionRead, row)


async def list_transitions(
    sessions: SessionFactory, *, principal: Principal, skp_id: str, page: PageParams
) -> Page[SkpTransitionRead]:
    in_order = col(SkpTransition.id)
    return await _skp_log(
        sessions, principal, skp_id, page, SkpTransition, in_order, SkpTransitionRead
    )


async def _skp_log(
    sessions: SessionFactory,
    principal: Principal,
    skp_id: str,
    page: PageParams,
    model: type[SkpVersion] | type[SkpTransition],
    order: Any,
    read: type[R],
) -> Page[R]:
    """A page of one of a visible SKP's logs (its versions, its transitions)."""
    async with sessions() as session:
        skp = await visible_skp(session, principal, skp_id)
        query = select(model).where(model.skp_id == skp.id).order_by(order)
        return await log_page(session, query, page, read)
