"""Assessments: submit (or resubmit, superseding) a supervisor, peer or self
assessment, read the ones the caller may read, and the aggregated peer summary.

An assessee never reads a peer sheet of themselves; the rule is stated once here, in
:func:`_visible_assessments_filter` and :func:`_may_read`, for every endpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment import domain
from services.assessment.models import (
    ApprovedSkp,
    Assessment,
    AssessmentCreate,
    AssessmentRead,
    HiddenPeerSummary,
    Objection,
    PeerRequest,
    PeerSummary,
)
from services.assessment.steps import (
    active_caller,
    active_employee,
    check_supervises,
    context,
    employee,
    manages,
    peer_request,
    viewer_id,
)
from services.common.events import AssessmentSubmitted, Relation, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import Conflict, Forbidden, NotFound
from services.common.security import Principal


def _current_key(period: str, assessor: str, assessee: str, relation: str) -> str:
    return f"{period}|{assessor}|{assessee}|{relation}"


async def submit_assessment(
    session: AsyncSession, *, principal: Principal, body: AssessmentCreate, now: datetime
) -> Assessment:
    tenant = principal.home()
    ctx = await context(session, principal, now)
    me = await active_caller(ctx.chart, principal)
    period = domain.parse_period(body.period, ctx.cadence)
    domain.check_period_started(period, ctx.today)
    assessee = await active_employee(ctx.chart, body.assessee_id)
    request: PeerRequest | None = None
    if body.relation == Relation.SUPERVISOR:
        await check_supervises(
            ctx.chart,
            me,
            assessee,
            "only the direct supervisor of {name} may give them a supervisor assessment",
        )
    elif body.relation == Relation.SELF:
        if assessee.employee_id != me:
            raise Forbidden("a self assessment is only by the assessee")
    else:
        if assessee.employee_id == me:
            raise Forbidden("a peer assessment is by someone else: use relation self")
        if not await ctx.chart.same_unit(me, assessee.employee_id):
            raise Forbidden(
                "a peer assessment of {name} is only by someone of their unit", name=assessee.name
            )
        request = await peer_request(session, tenant, period.label, assessee.employee_id, me)
        if request is None:
            raise Forbidden(
                "no peer request: the supervisor of {name} must ask you for {period} first",
                name=assessee.name,
                period=period.label,
            )
    skp = await session.get(ApprovedSkp, (tenant, assessee.employee_id, period.start.year))
    domain.validate_submission(
        body.relation,
        rhk_ratings=body.rhk_ratings,
        result_rating=body.result_rating,
        behaviour_ratings=body.behaviour_ratings,
        special_expectations=body.special_expectations,
        development_recommendation=body.development_recommendation,
        report=body.report,
        approved_rhk={r["rhk_id"] for r in skp.rhk} if skp else None,
    )
    key = _current_key(period.label, me, assessee.employee_id, body.relation)
    previous = (
        await session.exec(
            select(Assessment).where(Assessment.tenant == tenant, Assessment.current_key == key)
        )
    ).first()
    if previous is not None:
        previous.superseded, previous.current_key = True, None
        session.add(previous)
        await session.flush()
    row = Assessment(
        tenant=tenant,
        period_label=period.label,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        relation=body.relation,
        assessor_id=me,
        assessee_id=assessee.employee_id,
        rhk_ratings=dict(body.rhk_ratings),
        result_rating=body.result_rating,
        behaviour_ratings={str(k): v for k, v in body.behaviour_ratings.items()},
        special_expectations={str(k): v for k, v in body.special_expectations.items()},
        development_recommendation=body.development_recommendation,
        report=body.report.model_dump() if body.report else None,
        supersedes=previous.id if previous else None,
        current_key=key,
        submitted_at=now,
    )
    session.add(row)
    if request is not None:
        request.status, request.assessment_id = "submitted", row.id
        session.add(request)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            "another submission of the same assessment came in at the same time"
        ) from None
    add_event(
        session,
        new_event(
            AssessmentSubmitted(
                assessment_id=row.id,
                period=period,
                relation=body.relation,
                assessor_id=me,
                assessee_id=assessee.employee_id,
                rhk_ratings=dict(body.rhk_ratings),
                result_rating=body.result_rating,
                behaviour_ratings=dict(body.behaviour_ratings),
                special_expectations=dict(body.special_expectations),
                development_recommendation=body.development_recommendation,
                report=body.report,
                supersedes=row.supersedes,
            ),
            tenant=tenant,
            occurred_at=now,
        ),
    )
    return row


async def _visible_assessments_filter(chart: OrgChart, principal: Principal) -> Any:
    """Which assessments the caller may read. An assessee never reads a peer sheet."""
    if principal.is_admin:
        return True
    me = viewer_id(principal)
    if not me:
        return false()
    managed = [e.employee_id for e in await chart.subtree(me)]
    return or_(
        col(Assessment.assessor_id) == me,
        and_(col(Assessment.assessee_id) == me, col(Assessment.relation) != Relation.PEER),
        col(Assessment.assessee_id).in_(managed),
    )


async def _may_read(chart: OrgChart, principal: Principal, row: Assessment) -> bool:
    me = viewer_id(principal)
    if principal.is_admin or (me and row.assessor_id == me):
        return True
    if row.assessee_id == me:
        return row.relation != Relation.PEER
    return await manages(chart, principal, row.assessee_id)


async def read_models(session: AsyncSession, rows: list[Assessment]) -> list[AssessmentRead]:
    """Assessments as read, each with its final ratings (an accepted objection's, if any)."""
    ids = [r.id for r in rows]
    accepted = (
        await session.exec(
            select(Objection).where(
                col(Objection.assessment_id).in_(ids), Objection.status == "accepted"
            )
        )
    ).all()
    by_assessment = {o.assessment_id: o for o in accepted}
    return [AssessmentRead.of(r, by_assessment.get(r.id)) for r in rows]


async def get_assessment(
    session: AsyncSession, *, principal: Principal, assessment_id: str
) -> Assessment:
    row = await session.get(Assessment, assessment_id)
    chart = OrgChart(session, principal.home())
    if row is None or row.tenant != principal.home() or not await _may_read(chart, principal, row):
        raise NotFound("assessment {assessment_id} not found", assessment_id=assessment_id)
    return row


async def list_assessments(
    session: AsyncSession,
    *,
    principal: Principal,
    assessee_id: str | None,
    assessor_id: str | None,
    period: str | None,
    relation: Relation | None,
    include_superseded: bool,
    page: PageParams,
) -> Page[Assessment]:
    chart = OrgChart(session, principal.home())
    query = select(Assessment).where(
        Assessment.tenant == principal.home(), await _visible_assessments_filter(chart, principal)
    )
    if assessee_id:
        query = query.where(Assessment.assessee_id == assessee_id)
    if assessor_id:
        query = query.where(Assessment.assessor_id == assessor_id)
    if period:
        query = query.where(Assessment.period_label == period)
    if relation:
        query = query.where(Assessment.relation == relation)
    if not include_superseded:
        query = query.where(col(Assessment.superseded).is_(False))
    query = query.order_by(col(Assessment.submitted_at).desc(), col(Assessment.id))
    return await paginate(session, query, page)


async def peer_summary(
    session: AsyncSession, *, principal: Principal, employee_id: str, label: str, now: datetime
) -> PeerSummary | HiddenPeerSummary:
    """Aggregated peer ratings: the supervisor chain and HR see every sheet, the assessee
    only whole steps of the tenant's minimum (see :func:`domain.peer_sheets_shown`)."""
    ctx = await context(session, principal, now)
    period = domain.parse_period(label, ctx.cadence)
    await employee(ctx.chart, employee_id)
    if not (
        principal.is_admin
        or employee_id == principal.employee_id
        or await manages(ctx.chart, principal, employee_id)
    ):
        raise NotFound("employee {employee_id} not found", employee_id=employee_id)
    rows = (
        await session.exec(
            select(Assessment).where(
                Assessment.tenant == principal.home(),
                Assessment.assessee_id == employee_id,
                Assessment.period_label == period.label,
                Assessment.relation == Relation.PEER,
            )
        )
    ).all()
    # Current sheets in the order their authors first answered: a resubmission keeps its
    # author's place, so the stepped set the assessee sees does not shift.
    first: dict[str, tuple[datetime, str]] = {}
    for r in rows:
        key = (domain.as_utc(r.submitted_at), r.id)
        first[r.assessor_id] = min(first.get(r.assessor_id, key), key)
    current = sorted((r for r in rows if not r.superseded), key=lambda r: first[r.assessor_id])
    settings, _ = await ctx.chart.settings()
    shown = domain.peer_sheets_shown(
        len(current),
        viewer_is_assessee=employee_id == principal.employee_id,
        minimum=settings.min_aggregate_size,
    )
    if shown == 0:
        return HiddenPeerSummary(employee_id=employee_id, period=period, responses=0)
    sheets = current[:shown]
    return PeerSummary(
        employee_id=employee_id,
        period=period,
        responses=shown,
        behaviour=domain.aggregate_ratings(r.behaviour_ratings for r in sheets),  # type: ignore[misc]
        rhk=domain.aggregate_ratings(r.rhk_ratings for r in sheets),  # type: ignore[misc]
    )
