"""The direct supervisor's side of an SKP: approve (emits ``target.set`` or
``target.revised``), return with a comment, and the team overview."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import TargetRevised, TargetSet, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart, OrgEmployee
from services.common.pagination import Page, PageParams, page_of
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
        people = await session.exec(
            select(OrgEmployee)
            .where(OrgEmployee.tenant == tenant, col(OrgEmployee.active).is_(True))
            .order_by(col(OrgEmployee.name), col(OrgEmployee.employee_id))
        )
        wanted = set(TeamStatus) - {TeamStatus.APPROVED} if unapproved else None
        return await standing(session, tenant, year, list(people.all()), wanted, page)


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
