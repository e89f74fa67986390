"""Use cases of the assessment service, each inside the caller's transaction.

Every function is keyword-only and takes the session, the caller's tenant and the
:class:`Caller`; it raises the refusals of :mod:`services.assessment.domain`, which the
app turns into 4xx answers (the transaction is then rolled back: nothing written, no
event). Who may see what is decided here, once, for every endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, false, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment import domain
from services.assessment.domain import Conflict, Forbidden, NotFound, Refused
from services.assessment.models import (
    ApprovedSkp,
    Assessment,
    AssessmentCreate,
    AssessmentRead,
    FeedbackCreate,
    FeedbackNote,
    HiddenPeerSummary,
    Objection,
    ObjectionCreate,
    ObjectionDecision,
    PeerRequest,
    PeerRequestCreate,
    PeerRequestRead,
    PeerSummary,
    Todo,
    TodoItem,
)
from services.common.events import (
    AssessmentSubmitted,
    FeedbackNoted,
    ObjectionDecided,
    ObjectionFiled,
    Period,
    Relation,
    TargetSet,
    new_event,
)
from services.common.messaging import add_event
from services.common.orgchart import OrgChart, OrgEmployee
from services.common.pagination import Page, PageParams, paginate
from services.common.security import Principal, Role
from services.common.workdays import local_today


@dataclass(frozen=True)
class Caller:
    """Who is calling, as far as assessment cares: an employee, and maybe the regency HR."""

    tenant: str
    employee_id: str | None
    admin: bool

    @classmethod
    def of(cls, principal: Principal, tenant: str) -> Caller:
        return cls(tenant, principal.employee_id, principal.has(Role.ADMIN))

    def employee(self) -> str:
        if not self.employee_id:
            raise Forbidden("this account is not an employee")
        return self.employee_id


@dataclass
class Context:
    chart: OrgChart
    cadence: domain.Cadence
    time_zone: str
    today: date


async def _context(session: AsyncSession, tenant: str, now: datetime) -> Context:
    chart = OrgChart(session, tenant)
    settings, time_zone = await chart.settings()
    return Context(chart, settings.evaluation_cadence, time_zone, local_today(time_zone, now))


async def _employee(chart: OrgChart, employee_id: str) -> OrgEmployee:
    employee = await chart.employee(employee_id)
    if employee is None:
        raise NotFound(f"employee {employee_id} not found")
    return employee


async def _active_caller(chart: OrgChart, caller: Caller) -> str:
    """The caller's employee id, refused when the org chart says they were deactivated."""
    me = caller.employee()
    record = await chart.employee(me)
    domain.check_may_act(record.active if record else None)
    return me


async def _active_employee(chart: OrgChart, employee_id: str) -> OrgEmployee:
    """An employee to act upon (assess, ask peers about, write to): known and active."""
    employee = await _employee(chart, employee_id)
    domain.check_may_be_acted_upon(employee.employee_id, employee.active)
    return employee


async def _manages(chart: OrgChart, caller: Caller, employee_id: str) -> bool:
    """The caller is in the employee's supervisor chain (direct supervisor or above)."""
    return bool(caller.employee_id) and caller.employee_id in await chart.supervisor_chain(
        employee_id
    )


# ---------------------------------------------------------------- periods


async def periods(session: AsyncSession, *, tenant: str, now: datetime) -> list[Period]:
    ctx = await _context(session, tenant, now)
    return domain.current_periods(ctx.cadence, ctx.today)


async def resolve_period(
    session: AsyncSession, *, tenant: str, label: str | None, now: datetime
) -> Period:
    ctx = await _context(session, tenant, now)
    if label is None:
        return domain.current_periods(ctx.cadence, ctx.today)[0]
    return domain.parse_period(label, ctx.cadence)


# ---------------------------------------------------------------- targets copy


async def apply_target(session: AsyncSession, *, tenant: str, payload: TargetSet) -> None:
    """Keep the newest approved version of an employee's SKP for the year."""
    row = await session.get(ApprovedSkp, (tenant, payload.employee_id, payload.year))
    if row is not None and row.version > payload.version:
        return  # an older version arriving late
    rhk = [{"rhk_id": r.rhk_id, "title": r.title, "kind": r.kind} for r in payload.rhk]
    if row is None:
        row = ApprovedSkp(
            tenant=tenant, employee_id=payload.employee_id, year=payload.year, skp_id="", version=0
        )
    row.skp_id, row.version, row.rhk = payload.skp_id, payload.version, rhk
    session.add(row)


# ---------------------------------------------------------------- assessments


def _current_key(period: str, assessor: str, assessee: str, relation: str) -> str:
    return f"{period}|{assessor}|{assessee}|{relation}"


async def _peer_request(
    session: AsyncSession, tenant: str, period: str, assessee: str, peer: str
) -> PeerRequest | None:
    rows = await session.exec(
        select(PeerRequest).where(
            PeerRequest.tenant == tenant,
            PeerRequest.period_label == period,
            PeerRequest.assessee_id == assessee,
            PeerRequest.peer_id == peer,
        )
    )
    return rows.first()


async def submit_assessment(
    session: AsyncSession, *, caller: Caller, body: AssessmentCreate, now: datetime
) -> Assessment:
    tenant = caller.tenant
    ctx = await _context(session, tenant, now)
    me = await _active_caller(ctx.chart, caller)
    period = domain.parse_period(body.period, ctx.cadence)
    domain.check_period_started(period, ctx.today)
    assessee = await _active_employee(ctx.chart, body.assessee_id)
    request: PeerRequest | None = None
    if body.relation == Relation.SUPERVISOR:
        if assessee.supervisor_id != me:
            raise Forbidden(
                "only the assessee's direct supervisor may give a supervisor assessment"
            )
    elif body.relation == Relation.SELF:
        if assessee.employee_id != me:
            raise Forbidden("a self assessment is only by the assessee")
    else:
        if assessee.employee_id == me:
            raise Forbidden("a peer assessment is by someone else: use relation self")
        if not await ctx.chart.same_unit(me, assessee.employee_id):
            raise Forbidden("a peer assessment is only by someone of the assessee's unit")
        request = await _peer_request(session, tenant, period.label, assessee.employee_id, me)
        if request is None:
            raise Forbidden(
                "no peer request: the assessee's supervisor must ask you for this period first"
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


async def _visible_assessments_filter(chart: OrgChart, caller: Caller) -> Any:
    """Which assessments the caller may read. An assessee never reads a peer sheet."""
    if caller.admin:
        return True
    me = caller.employee_id
    if not me:
        return false()
    managed = [e.employee_id for e in await chart.subtree(me)]
    return or_(
        col(Assessment.assessor_id) == me,
        and_(col(Assessment.assessee_id) == me, col(Assessment.relation) != Relation.PEER),
        col(Assessment.assessee_id).in_(managed),
    )


async def _may_read(chart: OrgChart, caller: Caller, row: Assessment) -> bool:
    if caller.admin or (caller.employee_id and row.assessor_id == caller.employee_id):
        return True
    if row.assessee_id == caller.employee_id:
        return row.relation != Relation.PEER
    return await _manages(chart, caller, row.assessee_id)


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
    session: AsyncSession, *, caller: Caller, assessment_id: str
) -> Assessment:
    row = await session.get(Assessment, assessment_id)
    chart = OrgChart(session, caller.tenant)
    if row is None or row.tenant != caller.tenant or not await _may_read(chart, caller, row):
        raise NotFound(f"assessment {assessment_id} not found")
    return row


async def list_assessments(
    session: AsyncSession,
    *,
    caller: Caller,
    assessee_id: str | None,
    assessor_id: str | None,
    period: str | None,
    relation: Relation | None,
    include_superseded: bool,
    page: PageParams,
) -> Page[Assessment]:
    chart = OrgChart(session, caller.tenant)
    query = select(Assessment).where(
        Assessment.tenant == caller.tenant, await _visible_assessments_filter(chart, caller)
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
    session: AsyncSession, *, caller: Caller, employee_id: str, label: str, now: datetime
) -> PeerSummary | HiddenPeerSummary:
    """Aggregated peer ratings: the supervisor chain and HR see every sheet, the assessee
    only whole steps of the tenant's minimum (see :func:`domain.peer_sheets_shown`)."""
    ctx = await _context(session, caller.tenant, now)
    period = domain.parse_period(label, ctx.cadence)
    await _employee(ctx.chart, employee_id)
    if not (
        caller.admin
        or employee_id == caller.employee_id
        or await _manages(ctx.chart, caller, employee_id)
    ):
        raise NotFound(f"employee {employee_id} not found")
    rows = (
        await session.exec(
            select(Assessment).where(
                Assessment.tenant == caller.tenant,
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
        viewer_is_assessee=employee_id == caller.employee_id,
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


# ---------------------------------------------------------------- peer requests


async def request_peer(
    session: AsyncSession, *, caller: Caller, body: PeerRequestCreate, now: datetime
) -> PeerRequest:
    ctx = await _context(session, caller.tenant, now)
    me = await _active_caller(ctx.chart, caller)
    period = domain.parse_period(body.period, ctx.cadence)
    assessee = await _active_employee(ctx.chart, body.assessee_id)
    if assessee.supervisor_id != me:
        raise Forbidden("only the assessee's direct supervisor may ask for a peer assessment")
    peer = await _active_employee(ctx.chart, body.peer_id)
    if peer.employee_id == assessee.employee_id:
        raise Refused("an employee cannot be their own peer")
    if peer.unit_id != assessee.unit_id:
        raise Refused("a peer must work in the assessee's unit")
    if await _peer_request(
        session, caller.tenant, period.label, assessee.employee_id, peer.employee_id
    ):
        raise Conflict("this peer has already been asked for this period")
    row = PeerRequest(
        tenant=caller.tenant,
        period_label=period.label,
        assessee_id=assessee.employee_id,
        peer_id=peer.employee_id,
        requested_by=me,
        created_at=now,
    )
    session.add(row)
    return row


def _peer_requests_filter(caller: Caller) -> Any:
    """The requester, the asked peer and HR see a request; the assessee does not."""
    if caller.admin:
        return True
    if not caller.employee_id:
        return false()
    return or_(
        col(PeerRequest.peer_id) == caller.employee_id,
        col(PeerRequest.requested_by) == caller.employee_id,
    )


async def list_peer_requests(
    session: AsyncSession, *, caller: Caller, status: str | None, page: PageParams
) -> Page[PeerRequest]:
    query = select(PeerRequest).where(
        PeerRequest.tenant == caller.tenant, _peer_requests_filter(caller)
    )
    if status:
        query = query.where(PeerRequest.status == status)
    query = query.order_by(col(PeerRequest.created_at).desc(), col(PeerRequest.id))
    return await paginate(session, query, page)


# ---------------------------------------------------------------- to-do


async def todo(session: AsyncSession, *, caller: Caller, label: str | None, now: datetime) -> Todo:
    me = caller.employee()
    period = await resolve_period(session, tenant=caller.tenant, label=label, now=now)
    chart = OrgChart(session, caller.tenant)
    reports = await chart.direct_reports(me)
    done = set(
        (
            await session.exec(
                select(Assessment.assessee_id).where(
                    Assessment.tenant == caller.tenant,
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
                PeerRequest.tenant == caller.tenant,
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
    session: AsyncSession, *, caller: Caller, body: FeedbackCreate, now: datetime
) -> FeedbackNote:
    ctx = await _context(session, caller.tenant, now)
    me = await _active_caller(ctx.chart, caller)
    employee = await _active_employee(ctx.chart, body.employee_id)
    if employee.supervisor_id != me:
        raise Forbidden("only the employee's direct supervisor may write a feedback note")
    row = FeedbackNote(
        tenant=caller.tenant,
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
            tenant=caller.tenant,
            occurred_at=now,
        ),
    )
    return row


async def list_feedback(
    session: AsyncSession, *, caller: Caller, employee_id: str | None, page: PageParams
) -> Page[FeedbackNote]:
    query = select(FeedbackNote).where(FeedbackNote.tenant == caller.tenant)
    if not caller.admin:
        me = caller.employee()
        query = query.where(
            or_(col(FeedbackNote.supervisor_id) == me, col(FeedbackNote.employee_id) == me)
        )
    if employee_id:
        query = query.where(FeedbackNote.employee_id == employee_id)
    query = query.order_by(col(FeedbackNote.created_at).desc(), col(FeedbackNote.id))
    return await paginate(session, query, page)


# ---------------------------------------------------------------- objections


async def file_objection(
    session: AsyncSession, *, caller: Caller, body: ObjectionCreate, now: datetime
) -> Objection:
    me = caller.employee()
    assessment = await get_assessment(session, caller=caller, assessment_id=body.assessment_id)
    if assessment.assessee_id != me:
        raise Forbidden("only the assessed employee may object to an assessment")
    if assessment.relation != Relation.SUPERVISOR or assessment.period_kind != "annual":
        raise Refused("an objection is only against the final annual supervisor assessment")
    if assessment.superseded:
        raise Conflict("this assessment was superseded: object to the current one")
    ctx = await _context(session, caller.tenant, now)
    await _active_caller(ctx.chart, caller)
    domain.check_objection_window(assessment.submitted_at, now, ctx.time_zone)
    existing = (
        await session.exec(select(Objection).where(Objection.assessment_id == assessment.id))
    ).first()
    if existing is not None:
        raise Conflict(f"an objection to this assessment was already filed ({existing.id})")
    assessor = await ctx.chart.employee(assessment.assessor_id)
    if assessor is None or not assessor.supervisor_id:
        raise Refused("the assessing supervisor has no supervisor of their own to decide")
    row = Objection(
        tenant=caller.tenant,
        assessment_id=assessment.id,
        employee_id=me,
        assessor_id=assessment.assessor_id,
        decider_id=assessor.supervisor_id,
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
            tenant=caller.tenant,
            occurred_at=now,
        ),
    )
    return row


def _objections_filter(caller: Caller) -> Any:
    """The objector, the assessing supervisor, the decider and HR see an objection."""
    if caller.admin:
        return True
    if not caller.employee_id:
        return false()
    me = caller.employee_id
    return or_(
        col(Objection.employee_id) == me,
        col(Objection.assessor_id) == me,
        col(Objection.decider_id) == me,
    )


async def get_objection(session: AsyncSession, *, caller: Caller, objection_id: str) -> Objection:
    row = (
        await session.exec(
            select(Objection).where(
                Objection.id == objection_id,
                Objection.tenant == caller.tenant,
                _objections_filter(caller),
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"objection {objection_id} not found")
    return row


async def list_objections(
    session: AsyncSession, *, caller: Caller, status: str | None, page: PageParams
) -> Page[Objection]:
    query = select(Objection).where(Objection.tenant == caller.tenant, _objections_filter(caller))
    if status:
        query = query.where(Objection.status == status)
    query = query.order_by(col(Objection.filed_at).desc(), col(Objection.id))
    return await paginate(session, query, page)


async def decide_objection(
    session: AsyncSession,
    *,
    caller: Caller,
    objection_id: str,
    body: ObjectionDecision,
    now: datetime,
) -> Objection:
    me = caller.employee()
    row = await get_objection(session, caller=caller, objection_id=objection_id)
    if row.decider_id != me:
        raise Forbidden("only the assessing supervisor's own supervisor decides this objection")
    if row.status != "pending":
        raise Conflict(f"this objection was already decided ({row.status}); the decision is final")
    await _active_caller(OrgChart(session, caller.tenant), caller)
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
            tenant=caller.tenant,
            occurred_at=now,
        ),
    )
    return row
