"""Complaints (mirroring SP4N-LAPOR!): filed and followed by citizens with a tracking code,
handled by the unit head, the unit's pengelola pengaduan and admin, never by the officer
a complaint names, along the lifecycle of ``domain.TRANSITIONS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import (
    ComplaintFiled,
    ComplaintStatus,
    ComplaintStatusChanged,
    new_event,
)
from services.common.messaging import add_event
from services.common.orgchart import OrgChart, OrgUnit, holidays_of
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import Conflict, Forbidden, NotFound
from services.common.rows import of_tenant, update_one
from services.common.runtime import Runtime
from services.common.security import Principal
from services.common.workdays import local_today
from services.feedback import domain
from services.feedback.access import check_officer, handled_unit_ids, public_unit, staff_of
from services.feedback.models import (
    Complaint,
    ComplaintCreate,
    ComplaintRead,
    ComplaintReceipt,
    ComplaintsNamingMe,
    ComplaintStep,
    ComplaintStepRead,
    ComplaintTransition,
    PublicComplaintStatus,
    PublicStep,
)


async def file_complaint(
    runtime: Runtime, *, tenant: str, body: ComplaintCreate
) -> ComplaintReceipt:
    # body.contact is deliberately dropped here: the citizen's identity is never stored.
    async with runtime.sessions() as session:
        # Read outside the write transaction: on SQLite a transaction that reads and then
        # writes fails when another writer committed in between (a burst of citizens).
        org = OrgChart(session, tenant)
        await public_unit(org, body.unit_id)
        await check_officer(org, body.officer_id)
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
                # No words stored for the system's own step: pages show its status in
                # the reader's language; reasons are what staff write to the citizen.
                reason="",
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
            raise NotFound("complaint not found")
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


@dataclass(frozen=True)
class Calendar:
    """What a complaint's deadline is counted with: the regency's time zone, its today and
    its holidays (``holidays.set``) around the complaints read."""

    time_zone: str
    today: date
    holidays: frozenset[date]


async def _calendar(
    session: AsyncSession, org: OrgChart, complaints: Sequence[Complaint]
) -> Calendar:
    _, time_zone = await org.settings()
    today = local_today(time_zone)
    # A deadline is a few working days after receipt: it may fall in the next year.
    years = {today.year} | {
        y for c in complaints for y in (c.received_at.year, c.received_at.year + 1)
    }
    return Calendar(time_zone, today, await holidays_of(session, org.tenant, years))


def _read(
    complaint: Complaint, calendar: Calendar, steps: Sequence[ComplaintStep] | None
) -> ComplaintRead:
    zone = ZoneInfo(calendar.time_zone)
    due = domain.deadline(
        ComplaintStatus(complaint.status),
        received_on=complaint.received_at.astimezone(zone).date(),
        verified_on=complaint.verified_at.astimezone(zone).date()
        if complaint.verified_at
        else None,
        today=calendar.today,
        holidays=calendar.holidays,
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
    tenant = principal.home()
    complaint = await of_tenant(
        session, Complaint, complaint_id, tenant, NotFound("complaint not found")
    )
    org = OrgChart(session, tenant)
    unit = await org.unit(complaint.unit_id)
    staff = await staff_of(org, principal)
    if unit is None or not domain.may_handle_complaint(
        staff,
        unit_id=unit.unit_id,
        unit_head_id=unit.head_employee_id,
        officer_id=complaint.officer_id,
    ):
        raise NotFound("complaint not found")
    return complaint, org, staff, unit


async def list_complaints(
    runtime: Runtime,
    *,
    principal: Principal,
    page: PageParams,
    status_filter: ComplaintStatus | None,
    unit_id: str | None,
) -> Page[ComplaintRead]:
    tenant = principal.home()
    async with runtime.sessions() as session:
        org = OrgChart(session, tenant)
        staff = await staff_of(org, principal)
        units = await handled_unit_ids(org, staff)
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
        calendar = await _calendar(session, org, found.items)
    return found.map(lambda c: _read(c, calendar, None))


async def get_complaint(
    runtime: Runtime, *, principal: Principal, complaint_id: str
) -> ComplaintRead:
    async with runtime.sessions() as session:
        complaint, org, _, _ = await _visible_complaint(session, principal, complaint_id)
        calendar = await _calendar(session, org, [complaint])
        steps = await _steps(session, complaint.id)
    return _read(complaint, calendar, steps)


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
        raise Forbidden.of(refusal)
    current = ComplaintStatus(complaint.status)
    domain.check_transition(current, body.to_status)
    now = utcnow()
    changes: dict[str, object] = {"status": body.to_status, "updated_at": now}
    if body.to_status == ComplaintStatus.VERIFIED:
        changes["verified_at"] = now
    if body.lapor_reference:
        changes["lapor_reference"] = body.lapor_reference
    async with runtime.sessions.begin() as session:
        # Conditional on the status read above: a concurrent move makes this one refuse.
        await update_one(
            session,
            update(Complaint)
            .where(col(Complaint.id) == complaint.id, col(Complaint.status) == current)
            .values(**changes),
            Conflict("the complaint changed meanwhile; reload it"),
        )
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
    tenant, me = principal.home(), principal.me()
    async with runtime.sessions() as session:
        rows = (
            await session.exec(
                select(Complaint.status, func.count())
                .where(Complaint.tenant == tenant, Complaint.officer_id == me)
                .group_by(Complaint.status)
            )
        ).all()
    by_status = {ComplaintStatus(s): int(n) for s, n in rows}
    return ComplaintsNamingMe(total=sum(by_status.values()), by_status=by_status)
