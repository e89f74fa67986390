"""The direct supervisor's side of an SKP: approve (emits ``target.set`` or
``target.revised``), return with a comment, and the team overview."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import TargetRevised, TargetSet, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart, OrgEmployee
from services.common.pagination import Page, PageParams, page_of, paginate
from services.common.security import Principal
from services.common.storage import SessionFactory
from services.targets.domain import SkpStatus, TeamStatus, team_status
from services.targets.models import Skp, SkpRead, SkpReturn, TeamMember
from services.targets.steps import (
    advance,
    content,
    load_skp,
    require_direct_supervisor,
    set_version_status,
    skp_read,
    transition,
)


async def approve_skp(sessions: SessionFactory, *, principal: Principal, skp_id: str) -> SkpRead:
    """Approve the submitted version; emits target.set (or target.revised after a first
    approval). Of two concurrent approvals exactly one passes the conditional update."""
    async with sessions.begin() as session:
        return await approve_in(session, principal=principal, skp_id=skp_id)


async def approve_in(session: AsyncSession, *, principal: Principal, skp_id: str) -> SkpRead:
    """The approval inside the caller's transaction (the bulk seeding path shares it)."""
    skp = await load_skp(session, principal, skp_id)
    approver = await require_direct_supervisor(session, principal, skp, "approve")
    previous = skp.approved_version
    await advance(
        session,
        skp,
        expected=SkpStatus.SUBMITTED,
        action="approve",
        status=SkpStatus.APPROVED,
        approved_version=skp.version,
    )
    await set_version_status(
        session, skp, SkpStatus.APPROVED, approved_by=approver, approved_at=utcnow()
    )
    transition(session, skp, "approved", approver)
    fields: dict[str, Any] = {
        "skp_id": skp.id,
        "employee_id": skp.employee_id,
        "year": skp.year,
        "version": skp.version,
        "approved_by": approver,
        "rhk": tuple(await content(session, skp.id, skp.version)),
    }
    payload = (
        TargetSet(**fields)
        if previous is None
        else TargetRevised(**fields, previous_version=previous)
    )
    add_event(session, new_event(payload, tenant=skp.tenant))
    return await skp_read(session, skp)


async def return_skp(
    sessions: SessionFactory, *, principal: Principal, skp_id: str, body: SkpReturn
) -> SkpRead:
    async with sessions.begin() as session:
        skp = await load_skp(session, principal, skp_id)
        supervisor = await require_direct_supervisor(session, principal, skp, "return")
        await advance(
            session, skp, expected=SkpStatus.SUBMITTED, action="return", status=SkpStatus.DRAFT
        )
        await set_version_status(session, skp, SkpStatus.DRAFT)
        transition(session, skp, "returned", supervisor, body.comment)
        return await skp_read(session, skp)


async def team(
    sessions: SessionFactory,
    *,
    principal: Principal,
    year: int | None,
    status: TeamStatus | None,
    page: PageParams,
) -> Page[TeamMember]:
    """The caller's direct reports and where their SKP of ``year`` stands (for the kepala
    daerah: the employees without a direct supervisor)."""
    me = principal.actor()
    tenant = principal.home()
    async with sessions() as session:
        org = OrgChart(session, tenant)
        if year is None:
            year = (await org.today()).year
        reports = await org.direct_reports(me)
        return await standing(session, tenant, year, reports, {status} if status else None, page)


async def regency(
    sessions: SessionFactory,
    *,
    principal: Principal,
    year: int | None,
    unapproved: bool,
    page: PageParams,
) -> Page[TeamMember]:
    """HR's view: every active employee of the regency and where their SKP of ``year``
    stands (BKPSDM's list of who has no approved SKP yet)."""
    tenant = principal.home()
    async with sessions() as session:
        org = OrgChart(session, tenant)
        if year is None:
            year = (await org.today()).year
        # The page is chosen in SQL, each employee joined to their SKP of the year: a
        # regency has thousands of employees, and building every one's standing to keep
        # one page of them cost the admin's page most of its time (bench/http_scale).
        query = (
            select(OrgEmployee)
            .outerjoin(
                Skp,
                and_(
                    col(Skp.tenant) == col(OrgEmployee.tenant),
                    col(Skp.employee_id) == col(OrgEmployee.employee_id),
                    col(Skp.year) == year,
                ),
            )
            .where(OrgEmployee.tenant == tenant, col(OrgEmployee.active).is_(True))
            .order_by(col(OrgEmployee.name), col(OrgEmployee.employee_id))
        )
        if unapproved:
            query = query.where(status_in(set(TeamStatus) - {TeamStatus.APPROVED}))
        people = await paginate(session, query, page)
        everyone = PageParams(limit=max(1, len(people.items)), offset=0)
        members = await standing(session, tenant, year, list(people.items), None, everyone)
        return Page[TeamMember](
            items=members.items, total=people.total, limit=page.limit, offset=page.offset
        )


def status_in(wanted: set[TeamStatus]) -> ColumnElement[bool]:
    """The SQL of ``team_status(skp.status) in wanted`` over the outer join with Skp."""
    stored = [s.value for s in wanted if s != TeamStatus.MISSING]
    conditions = [col(Skp.status).in_(stored)] if stored else []
    if TeamStatus.MISSING in wanted:
        conditions.append(col(Skp.id).is_(None))
    return or_(*conditions)


async def standing(
    session: AsyncSession,
    tenant: str,
    year: int,
    people: list[OrgEmployee],
    wanted: set[TeamStatus] | None,
    page: PageParams,
) -> Page[TeamMember]:
    """Each person's SKP status of ``year`` (missing when there is none), only the
    ``wanted`` statuses when given."""
    rows = await session.exec(
        select(Skp).where(
            Skp.tenant == tenant,
            Skp.year == year,
            col(Skp.employee_id).in_([p.employee_id for p in people]),
        )
    )
    by_owner = {s.employee_id: s for s in rows.all()}
    members = []
    for person in people:
        skp = by_owner.get(person.employee_id)
        member = TeamMember(
            employee_id=person.employee_id,
            name=person.name,
            position=person.position,
            unit_id=person.unit_id,
            status=team_status(skp.status if skp else None),
            skp_id=skp.id if skp else None,
            version=skp.version if skp else None,
            approved_version=skp.approved_version if skp else None,
        )
        if wanted is None or member.status in wanted:
            members.append(member)
    return page_of(members, page)
