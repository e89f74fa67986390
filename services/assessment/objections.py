"""Objections (keberatan): the assessee files one against the final annual supervisor
assessment within the window; the assessing supervisor's own supervisor decides it once.
An accepted decision sets the final ratings every assessment read shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import false, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment import domain
from services.assessment.assessments import get_assessment
from services.assessment.models import Assessment, Objection, ObjectionCreate, ObjectionDecision
from services.assessment.steps import active_caller, context, viewer_id
from services.common.events import ObjectionDecided, ObjectionFiled, Relation, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import BadRequest, Conflict, Forbidden, NotFound
from services.common.security import Principal


async def file_objection(
    session: AsyncSession, *, principal: Principal, body: ObjectionCreate, now: datetime
) -> Objection:
    me = principal.me()
    assessment = await get_assessment(
        session, principal=principal, assessment_id=body.assessment_id
    )
    if assessment.assessee_id != me:
        raise Forbidden("only the assessed employee may object to an assessment")
    if assessment.relation != Relation.SUPERVISOR or assessment.period_kind != "annual":
        raise BadRequest("an objection is only against the final annual supervisor assessment")
    if assessment.superseded:
        raise Conflict("this assessment was superseded: object to the current one")
    ctx = await context(session, principal, now)
    await active_caller(ctx.chart, principal)
    domain.check_objection_window(assessment.submitted_at, now, ctx.time_zone)
    existing = (
        await session.exec(select(Objection).where(Objection.assessment_id == assessment.id))
    ).first()
    if existing is not None:
        raise Conflict(
            "an objection to this assessment was already filed", objection_id=existing.id
        )
    assessor = await ctx.chart.employee(assessment.assessor_id)
    head = await ctx.chart.kepala_daerah()
    decider = domain.objection_decider(
        assessor_is_employee=assessor is not None,
        assessor_supervisor=assessor.supervisor_id if assessor else None,
        kepala_daerah=head.user_id if head else None,
    )
    row = Objection(
        tenant=principal.home(),
        assessment_id=assessment.id,
        employee_id=me,
        assessor_id=assessment.assessor_id,
        decider_id=decider,
        reason=body.reason,
        filed_at=now,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("an objection to this assessment was already filed") from None
    add_event(
        session,
        new_event(
            ObjectionFiled(
                objection_id=row.id,
                assessment_id=assessment.id,
                employee_id=me,
                decider_id=row.decider_id,
                reason=body.reason,
            ),
            tenant=principal.home(),
            occurred_at=now,
        ),
    )
    return row


def _objections_filter(principal: Principal) -> Any:
    """The objector, the assessing supervisor, the decider and HR see an objection."""
    if principal.is_admin:
        return True
    me = viewer_id(principal)
    if not me:
        return false()
    return or_(
        col(Objection.employee_id) == me,
        col(Objection.assessor_id) == me,
        col(Objection.decider_id) == me,
    )


async def get_objection(
    session: AsyncSession, *, principal: Principal, objection_id: str
) -> Objection:
    row = (
        await session.exec(
            select(Objection).where(
                Objection.id == objection_id,
                Objection.tenant == principal.home(),
                _objections_filter(principal),
            )
        )
    ).first()
    if row is None:
        raise NotFound("objection {objection_id} not found", objection_id=objection_id)
    return row


async def list_objections(
    session: AsyncSession, *, principal: Principal, status: str | None, page: PageParams
) -> Page[Objection]:
    query = select(Objection).where(
        Objection.tenant == principal.home(), _objections_filter(principal)
    )
    if status:
        query = query.where(Objection.status == status)
    query = query.order_by(col(Objection.filed_at).desc(), col(Objection.id))
    return await paginate(session, query, page)


async def decide_objection(
    session: AsyncSession,
    *,
    principal: Principal,
    objection_id: str,
    body: ObjectionDecision,
    now: datetime,
) -> Objection:
    me = principal.actor()
    row = await get_objection(session, principal=principal, objection_id=objection_id)
    if row.decider_id != me:
        raise Forbidden("only the assessing supervisor's own supervisor decides this objection")
    if row.status != "pending":
        if row.status == "accepted":
            raise Conflict("this objection was already accepted; the decision is final")
        raise Conflict("this objection was already rejected; the decision is final")
    await active_caller(OrgChart(session, principal.home()), principal)
    domain.check_decision(body.accepted, body.result_rating, body.behaviour_ratings)
    assessment = await session.get(Assessment, row.assessment_id)
    assert assessment is not None
    final_result, final_behaviour = (
        domain.final_ratings(
            assessment.result_rating,
            assessment.behaviour_ratings,
            body.result_rating,
            {str(k): v for k, v in body.behaviour_ratings.items()},
        )
        if body.accepted
        else (None, {})
    )
    row.status = "accepted" if body.accepted else "rejected"
    row.decided_at, row.decision_reason = now, body.reason
    row.result_rating = body.result_rating
    row.behaviour_ratings = {str(k): v for k, v in body.behaviour_ratings.items()}
    session.add(row)
    add_event(
        session,
        new_event(
            ObjectionDecided(
                objection_id=row.id,
                assessment_id=row.assessment_id,
                employee_id=row.employee_id,
                decided_by=me,
                accepted=body.accepted,
                result_rating=final_result,
                behaviour_ratings=final_behaviour,
                reason=body.reason,
            ),
            tenant=principal.home(),
            occurred_at=now,
        ),
    )
    return row
