"""Use cases of the feedback service, each one transaction (rows and events together).

Errors are :class:`HTTPException` with a reason; raised inside ``sessions.begin()`` they
roll the transaction back, so a refused request writes nothing and emits nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from fastapi import HTTPException, status
from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import (
    ComplaintFiled,
    ComplaintStatus,
    ComplaintStatusChanged,
    SurveyReceived,
    new_event,
)
from services.common.messaging import add_event
from services.common.orgchart import OrgChart, OrgEmployee, OrgUnit
from services.common.pagination import Page, PageParams, paginate
from services.common.privacy import enough_contributors
from services.common.runtime import Runtime
from services.common.security import Principal, Role, tenant_of
from services.common.skm import ELEMENTS
from services.common.workdays import local_today
from services.feedback import domain
from services.feedback.models import (
    Complaint,
    ComplaintCreate,
    ComplaintRead,
    ComplaintReceipt,
    ComplaintsNamingMe,
    ComplaintStep,
    ComplaintStepRead,
    ComplaintTransition,
    ElementScore,
    PublicComplaintStatus,
    PublicStep,
    PublicSurveyForm,
    Survey,
    SurveyQuestion,
    SurveyReceipt,
    SurveySubmit,
    SurveyToken,
    UnitSurveySummary,
    utcnow,
)


def refuse(code: int, detail: str) -> HTTPException:
    return HTTPException(code, detail=detail)


def not_found(what: str) -> HTTPException:
    return refuse(status.HTTP_404_NOT_FOUND, f"{what} not found")


# ---------------------------------------------------------------- who may act on a unit


async def active_employee(org: OrgChart, employee_id: str | None) -> OrgEmployee | None:
    """An active employee of the tenant, or None."""
    employee = await org.employee(employee_id)
    return employee if employee is not None and employee.active else None


async def staff_of(org: OrgChart, principal: Principal) -> domain.Staff:
    """The caller as the rules see them: duties come from the token, the unit from the org
    chart, so a duty applies only to the unit the employee works in now."""
    employee = await active_employee(org, principal.employee_id)
    return domain.Staff(
        employee_id=principal.employee_id,
        unit_id=employee.unit_id if employee else None,
        admin=principal.has(Role.ADMIN),
        counter_officer=principal.has(Role.PETUGAS_LOKET),
        complaint_officer=principal.has(Role.PENGELOLA_PENGADUAN),
    )


async def _handled_unit_ids(org: OrgChart, staff: domain.Staff) -> list[str] | None:
    """Units whose complaints the caller handles; None means every unit (admin)."""
    if staff.admin:
        return None
    units: set[str] = set()
    if staff.complaint_officer and staff.unit_id is not None:
        units.add(staff.unit_id)
    if staff.employee_id:
        headed = await org.session.exec(
            select(OrgUnit.unit_id).where(
                OrgUnit.tenant == org.tenant, OrgUnit.head_employee_id == staff.employee_id
            )
        )
        units.update(headed.all())
    return sorted(units)


async def public_unit(org: OrgChart, unit_id: str) -> OrgUnit:
    unit = await org.unit(unit_id)
    if unit is None:
        raise not_found(f"unit {unit_id}")
    if not unit.serves_public:
        raise refuse(
            status.HTTP_400_BAD_REQUEST,
            f"unit {unit.name} does not serve the public: it takes no surveys or complaints",
        )
    return unit


async def _check_officer(org: OrgChart, officer_id: str | None) -> None:
    if officer_id is None:
        return
    if await active_employee(org, officer_id) is None:
        raise refuse(
            status.HTTP_400_BAD_REQUEST,
            f"officer {officer_id} is not an active employee of this regency",
        )


# ---------------------------------------------------------------- public survey


async def _token_by_secret(session: AsyncSession, tenant: str, token: str) -> SurveyToken:
    row = (
        await session.exec(
            select(SurveyToken).where(SurveyToken.tenant == tenant, SurveyToken.token == token)
        )
    ).first()
    if row is None:
        raise not_found("survey token")
    return row


def _check_usable(row: SurveyToken, now: datetime) -> None:
    if row.used_at is not None:
        raise refuse(status.HTTP_409_CONFLICT, "this survey token has already been used")
    if row.expires_at <= now:
        raise refuse(status.HTTP_409_CONFLICT, "this survey token has expired")


async def survey_form(runtime: Runtime, *, tenant: str, token: str) -> PublicSurveyForm:
    async with runtime.sessions() as session:
        row = await _token_by_secret(session, tenant, token)
        _check_usable(row, utcnow())
        unit = await OrgChart(session, tenant).unit(row.unit_id)
    return PublicSurveyForm(
        unit_name=unit.name if unit else "",
        service_type=row.service_type,
        expires_at=row.expires_at,
        questions=[SurveyQuestion(element=e, question=q) for e, q in domain.QUESTIONS.items()],
        scale=domain.SCALE,
        max_comment_length=domain.MAX_COMMENT,
    )


async def submit_survey(
    runtime: Runtime, *, tenant: str, token: str, body: SurveySubmit
) -> SurveyReceipt:
    now = utcnow()
    async with runtime.sessions.begin() as session:
        # Claim the token first, conditionally: of two concurrent submissions only one
        # update matches, and the write comes before any read (no stale SQLite snapshot).
        claimed = await session.exec(
            update(SurveyToken)
            .where(
                col(SurveyToken.tenant) == tenant,
                col(SurveyToken.token) == token,
                col(SurveyToken.used_at).is_(None),
                col(SurveyToken.expires_at) > now,
            )
            .values(used_at=now)
        )
        row = await _token_by_secret(session, tenant, token)
        if claimed.rowcount != 1:
            _check_usable(row, now)
            raise refuse(status.HTTP_409_CONFLICT, "this survey token cannot be used")
        scores = body.answers.model_dump()
        survey = Survey(
            tenant=tenant,
            unit_id=row.unit_id,
            token_id=row.id,
            officer_id=row.officer_id,
            service_type=row.service_type,
            comment=body.comment,
            submitted_at=now,
            **scores,
        )
        session.add(survey)
        add_event(
            session,
            new_event(
                SurveyReceived(
                    survey_id=survey.id,
                    unit_id=row.unit_id,
                    officer_id=row.officer_id,
                    service_type=row.service_type,
                    scores=[scores[e] for e in ELEMENTS],
                ),
                tenant=tenant,
                occurred_at=now,
            ),
        )
    return SurveyReceipt(survey_id=survey.id, submitted_at=now)


# ---------------------------------------------------------------- survey summary


def utc_start(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone))


async def unit_summary(
    runtime: Runtime,
    *,
    principal: Principal,
    unit_id: str,
    date_from: date | None,
    date_to: date | None,
) -> UnitSurveySummary:
    tenant = tenant_of(principal)
    if date_from and date_to and date_from > date_to:
        raise refuse(status.HTTP_400_BAD_REQUEST, "from must not be after to")
    async with runtime.sessions() as session:
        org = OrgChart(session, tenant)
        unit = await org.unit(unit_id)
        if unit is None:
            raise not_found(f"unit {unit_id}")
        settings, time_zone = await org.settings()
        # Small numbers: outside admin, one whole ended month at a time, and figures only
        # from the tenant's minimum number of responses (domain.md).
        limited = not principal.has(Role.ADMIN)
        if limited:
            try:
                date_from, date_to = domain.whole_month(date_from, date_to, local_today(time_zone))
            except ValueError as exc:
                raise refuse(status.HTTP_400_BAD_REQUEST, str(exc)) from None
        query = select(
            func.count(),
            *(func.coalesce(func.sum(getattr(Survey, e)), 0) for e in ELEMENTS),
        ).where(Survey.tenant == tenant, Survey.unit_id == unit_id)
        if date_from:
            query = query.where(Survey.submitted_at >= utc_start(date_from, time_zone))
        if date_to:
            end = utc_start(date_to + timedelta(days=1), time_zone)
            query = query.where(Survey.submitted_at < end)
        count, *sums = cast(tuple[int, ...], (await session.exec(query)).one())
    summary = domain.summarise(
        [int(s) for s in sums], int(count), min_sample=settings.min_survey_sample
    )
    if limited and not enough_contributors(summary.responses, settings.min_aggregate_size):
        summary = domain.SurveySummary(responses=0, nrr=None, result=None, provisional=True)
    result = summary.result
    return UnitSurveySummary(
        unit_id=unit_id,
        unit_name=unit.name,
        date_from=date_from,
        date_to=date_to,
        responses=summary.responses,
        elements=[
            ElementScore(element=e, question=domain.QUESTIONS[e], nrr=round(float(n), 4))
            for e, n in zip(ELEMENTS, summary.nrr or (), strict=False)
        ],
        ikm=float(result.ikm) if result else None,
        category=result.category if result else None,
        label=result.label if result else None,
        provisional=summary.provisional,
        min_sample=settings.min_survey_sample,
        suppressed=limited and summary.result is None,
    )


# ---------------------------------------------------------------- complaints, public side


async def file_complaint(
    runtime: Runtime, *, tenant: str, body: ComplaintCreate
) -> ComplaintReceipt:
    # body.contact is deliberately dropped here: the citizen's identity is never stored.
    async with runtime.sessions() as session:
        # Read outside the write transaction: on SQLite a transaction that reads and then
        # writes fails when another writer committed in between (a burst of citizens).
        org = OrgChart(session, tenant)
        await public_unit(org, body.unit_id)
        await _check_officer(org, body.officer_id)
    async with runtime.sessions.begin() as session:
        now = utcnow()
        complaint = Complaint(
            tenant=tenant,
            tracking_code=domain.new_tracking_code(),
            unit_id=body.unit_id,
            officer_id=body.officer_id,
            category=body.category,
            text=body.text,
            status=ComplaintStatus.RECEIVED,
            received_at=now,
            updated_at=now,
        )
        session.add(complaint)
        session.add(
            ComplaintStep(
                complaint_id=complaint.id,
                to_status=ComplaintStatus.RECEIVED,
                reason="Pengaduan diterima",
                at=now,
            )
        )
        add_event(
            session,
            new_event(
                ComplaintFiled(
                    complaint_id=complaint.id,
                    unit_id=body.unit_id,
                    officer_id=body.officer_id,
                    category=body.category,
                ),
                tenant=tenant,
                occurred_at=now,
            ),
        )
    return ComplaintReceipt(
        tracking_code=complaint.tracking_code, status=ComplaintStatus.RECEIVED, filed_at=now
    )


async def _steps(session: AsyncSession, complaint_id: str) -> Sequence[ComplaintStep]:
    rows = await session.exec(
        select(ComplaintStep)
        .where(ComplaintStep.complaint_id == complaint_id)
        .order_by(col(ComplaintStep.at), col(ComplaintStep.id))
    )
    return rows.all()


async def track_complaint(
    runtime: Runtime, *, tenant: str, tracking_code: str
) -> PublicComplaintStatus:
    async with runtime.sessions() as session:
        complaint = (
            await session.exec(
                select(Complaint).where(
                    Complaint.tenant == tenant, Complaint.tracking_code == tracking_code.upper()
                )
            )
        ).first()
        if complaint is None:
            raise not_found("complaint")
        unit = await OrgChart(session, tenant).unit(complaint.unit_id)
        steps = await _steps(session, complaint.id)
    return PublicComplaintStatus(
        tracking_code=complaint.tracking_code,
        unit_name=unit.name if unit else "",
        category=complaint.category,
        status=ComplaintStatus(complaint.status),
        filed_at=complaint.received_at,
        lapor_reference=complaint.lapor_reference,
        history=[
            PublicStep(status=ComplaintStatus(s.to_status), at=s.at, reason=s.reason) for s in steps
        ],
    )


# ---------------------------------------------------------------- complaints, staff side


def _read(
    complaint: Complaint, time_zone: str, today: date, steps: Sequence[ComplaintStep] | None
) -> ComplaintRead:
    zone = ZoneInfo(time_zone)
    due = domain.deadline(
        ComplaintStatus(complaint.status),
        received_on=complaint.received_at.astimezone(zone).date(),
        verified_on=complaint.verified_at.astimezone(zone).date()
        if complaint.verified_at
        else None,
        today=today,
    )
    return ComplaintRead(
        **complaint.model_dump(exclude={"tenant", "status"}),
        status=ComplaintStatus(complaint.status),
        pending_step=due.step if due else None,
        due_on=due.due_on if due else None,
        overdue=due.overdue if due else False,
        history=None
        if steps is None
        else [
            ComplaintStepRead(
                from_status=ComplaintStatus(s.from_status) if s.from_status else None,
                to_status=ComplaintStatus(s.to_status),
                reason=s.reason,
                actor_employee_id=s.actor_employee_id,
                at=s.at,
            )
            for s in steps
        ],
    )


async def _visible_complaint(
    session: AsyncSession, principal: Principal, complaint_id: str
) -> tuple[Complaint, OrgChart, domain.Staff, OrgUnit]:
    """A complaint the caller handles; 404 otherwise (others do not learn it exists)."""
    tenant = tenant_of(principal)
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None or complaint.tenant != tenant:
        raise not_found("complaint")
    org = OrgChart(session, tenant)
    unit = await org.unit(complaint.unit_id)
    staff = await staff_of(org, principal)
    if unit is None or not domain.may_handle_complaint(
        staff,
        unit_id=unit.unit_id,
        unit_head_id=unit.head_employee_id,
        officer_id=complaint.officer_id,
    ):
        raise not_found("complaint")
    return complaint, org, staff, unit


async def list_complaints(
    runtime: Runtime,
    *,
    principal: Principal,
    page: PageParams,
    status_filter: ComplaintStatus | None,
    unit_id: str | None,
) -> Page[ComplaintRead]:
    tenant = tenant_of(principal)
    async with runtime.sessions() as session:
        org = OrgChart(session, tenant)
        staff = await staff_of(org, principal)
        units = await _handled_unit_ids(org, staff)
        where: list[Any] = [Complaint.tenant == tenant]
        if units is not None:
            where.append(col(Complaint.unit_id).in_(units))
        if staff.employee_id:  # the officer a complaint names never handles it
            where.append(
                or_(
                    col(Complaint.officer_id).is_(None),
                    col(Complaint.officer_id) != staff.employee_id,
                )
            )
        if status_filter is not None:
            where.append(Complaint.status == status_filter)
        if unit_id is not None:
            where.append(Complaint.unit_id == unit_id)
        query = (
            select(Complaint)
            .where(*where)
            .order_by(col(Complaint.received_at).desc(), col(Complaint.id))
        )
        found = await paginate(session, query, page)
        _, time_zone = await org.settings()
        today = local_today(time_zone)
    return found.map(lambda c: _read(c, time_zone, today, None))


async def get_complaint(
    runtime: Runtime, *, principal: Principal, complaint_id: str
) -> ComplaintRead:
    async with runtime.sessions() as session:
        complaint, org, _, _ = await _visible_complaint(session, principal, complaint_id)
        _, time_zone = await org.settings()
        steps = await _steps(session, complaint.id)
    return _read(complaint, time_zone, local_today(time_zone), steps)


async def move_complaint(
    runtime: Runtime, *, principal: Principal, complaint_id: str, body: ComplaintTransition
) -> ComplaintRead:
    async with runtime.sessions() as session:
        complaint, _, staff, unit = await _visible_complaint(session, principal, complaint_id)
    refusal = domain.may_move_complaint(
        staff,
        body.to_status,
        unit_id=unit.unit_id,
        unit_head_id=unit.head_employee_id,
        officer_id=complaint.officer_id,
    )
    if refusal is not None:
        raise refuse(status.HTTP_403_FORBIDDEN, refusal)
    current = ComplaintStatus(complaint.status)
    try:
        domain.check_transition(current, body.to_status)
    except domain.TransitionRefused as exc:
        raise refuse(status.HTTP_409_CONFLICT, str(exc)) from None
    now = utcnow()
    changes: dict[str, object] = {"status": body.to_status, "updated_at": now}
    if body.to_status == ComplaintStatus.VERIFIED:
        changes["verified_at"] = now
    if body.lapor_reference:
        changes["lapor_reference"] = body.lapor_reference
    async with runtime.sessions.begin() as session:
        # Conditional on the status read above: a concurrent move makes this one refuse.
        moved = await session.exec(
            update(Complaint)
            .where(col(Complaint.id) == complaint.id, col(Complaint.status) == current)
            .values(**changes)
        )
        if moved.rowcount != 1:
            raise refuse(status.HTTP_409_CONFLICT, "the complaint changed meanwhile; reload it")
        session.add(
            ComplaintStep(
                complaint_id=complaint.id,
                from_status=current,
                to_status=body.to_status,
                reason=body.reason,
                actor_employee_id=principal.employee_id or principal.user_id,
                at=now,
            )
        )
        add_event(
            session,
            new_event(
                ComplaintStatusChanged(
                    complaint_id=complaint.id,
                    unit_id=complaint.unit_id,
                    officer_id=complaint.officer_id,
                    from_status=current,
                    to_status=body.to_status,
                    reason=body.reason,
                ),
                tenant=complaint.tenant,
                occurred_at=now,
            ),
        )
    return await get_complaint(runtime, principal=principal, complaint_id=complaint_id)


async def complaints_naming_me(runtime: Runtime, *, principal: Principal) -> ComplaintsNamingMe:
    """How many complaints name the caller, by status: no text, no handling, no citizen."""
    tenant = tenant_of(principal)
    if not principal.employee_id:
        raise refuse(status.HTTP_403_FORBIDDEN, "this account is not an employee")
    async with runtime.sessions() as session:
        rows = (
            await session.exec(
                select(Complaint.status, func.count())
                .where(Complaint.tenant == tenant, Complaint.officer_id == principal.employee_id)
                .group_by(Complaint.status)
            )
        ).all()
    by_status = {ComplaintStatus(s): int(n) for s, n in rows}
    return ComplaintsNamingMe(total=sum(by_status.values()), by_status=by_status)
