"""The supervisor's side around assessments: asking peers of the same unit for a peer
assessment, the to-do of reports still to assess, and continuous feedback notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment import domain
from services.assessment.models import (
    Assessment,
    FeedbackCreate,
    FeedbackNote,
    PeerRequest,
    PeerRequestCreate,
    PeerRequestRead,
    Todo,
    TodoItem,
)
from services.assessment.steps import (
    active_caller,
    active_employee,
    check_supervises,
    context,
    peer_request,
    resolve_period,
    viewer_id,
)
from services.common.events import FeedbackNoted, Relation, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import BadRequest, Conflict
from services.common.security import Principal


async def request_peer(
    session: AsyncSession, *, principal: Principal, body: PeerRequestCreate, now: datetime
) -> PeerRequest:
    ctx = await context(session, principal, now)
    me = await active_caller(ctx.chart, principal)
    period = domain.parse_period(body.period, ctx.cadence)
    assessee = await active_employee(ctx.chart, body.assessee_id)
    await check_supervises(
        ctx.chart,
        me,
        assessee,
        "only the direct supervisor of {name} may ask for a peer assessment of them",
    )
    peer = await active_employee(ctx.chart, body.peer_id)
    if peer.employee_id == assessee.employee_id:
        raise BadRequest("an employee cannot be their own peer")
    if peer.unit_id != assessee.unit_id:
        raise BadRequest(
            "{peer} does not work in the unit of {assessee}",
            peer=peer.name,
            assessee=assessee.name,
        )
    if await peer_request(
        session, principal.home(), period.label, assessee.employee_id, peer.employee_id
    ):
        raise Conflict(
            "{peer} has already been asked about {assessee} for {period}",
            peer=peer.name,
            assessee=assessee.name,
            period=period.label,
        )
    row = PeerRequest(
        tenant=principal.home(),
        period_label=period.label,
        assessee_id=assessee.employee_id,
        peer_id=peer.employee_id,
        requested_by=me,
        created_at=now,
    )
    session.add(row)
    return row


def _peer_requests_filter(principal: Principal) -> Any:
    """The requester, the asked peer and HR see a request; the assessee does not."""
    if principal.is_admin:
        return True
    me = viewer_id(principal)
    if not me:
        return false()
    return or_(
        col(PeerRequest.peer_id) == me,
        col(PeerRequest.requested_by) == me,
    )


async def list_peer_requests(
    session: AsyncSession, *, principal: Principal, status: str | None, page: PageParams
) -> Page[PeerRequest]:
    query = select(PeerRequest).where(
        PeerRequest.tenant == principal.home(), _peer_requests_filter(principal)
    )
    if status:
        query = query.where(PeerRequest.status == status)
    query = query.order_by(col(PeerRequest.created_at).desc(), col(PeerRequest.id))
    return await paginate(session, query, page)


# ---------------------------------------------------------------- to-do


async def todo(
    session: AsyncSession, *, principal: Principal, label: str | None, now: datetime
) -> Todo:
    me = principal.actor()
    period = await resolve_period(session, principal=principal, label=label, now=now)
    chart = OrgChart(session, principal.home())
    reports = await chart.direct_reports(me)
    done = set(
        (
            await session.exec(
                select(Assessment.assessee_id).where(
                    Assessment.tenant == principal.home(),
                    Assessment.period_label == period.label,
                    Assessment.relation == Relation.SUPERVISOR,
                    col(Assessment.superseded).is_(False),
                    col(Assessment.assessee_id).in_([r.employee_id for r in reports]),
                )
            )
        ).all()
    )
    asked = (
        await session.exec(
            select(PeerRequest).where(
                PeerRequest.tenant == principal.home(),
                PeerRequest.peer_id == me,
                PeerRequest.status == "requested",
            )
        )
    ).all()
    return Todo(
        period=period,
        pending=[
            TodoItem(employee_id=r.employee_id, name=r.name, position=r.position)
            for r in reports
            if r.employee_id not in done
        ],
        peer_requests=[PeerRequestRead.model_validate(a) for a in asked],
    )


# ---------------------------------------------------------------- feedback notes


async def note_feedback(
    session: AsyncSession, *, principal: Principal, body: FeedbackCreate, now: datetime
) -> FeedbackNote:
    ctx = await context(session, principal, now)
    me = await active_caller(ctx.chart, principal)
    employee = await active_employee(ctx.chart, body.employee_id)
    await check_supervises(
        ctx.chart,
        me,
        employee,
        "only the direct supervisor of {name} may write them a feedback note",
    )
    row = FeedbackNote(
        tenant=principal.home(),
        supervisor_id=me,
        employee_id=employee.employee_id,
        text=body.text,
        noted_on=ctx.today,
        created_at=now,
    )
    session.add(row)
    add_event(
        session,
        new_event(
            FeedbackNoted(
                note_id=row.id,
                supervisor_id=me,
                employee_id=employee.employee_id,
                text=body.text,
                noted_on=ctx.today,
            ),
            tenant=principal.home(),
            occurred_at=now,
        ),
    )
    return row


async def list_feedback(
    session: AsyncSession, *, principal: Principal, employee_id: str | None, page: PageParams
) -> Page[FeedbackNote]:
    query = select(FeedbackNote).where(FeedbackNote.tenant == principal.home())
    if not principal.is_admin:
        me = principal.actor()
        query = query.where(
            or_(col(FeedbackNote.supervisor_id) == me, col(FeedbackNote.employee_id) == me)
        )
    if employee_id:
        query = query.where(FeedbackNote.employee_id == employee_id)
    query = query.order_by(col(FeedbackNote.created_at).desc(), col(FeedbackNote.id))
    return await paginate(session, query, page)
