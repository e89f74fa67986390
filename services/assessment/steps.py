"""Steps the assessment use cases share: the tenant's cadence and today, employees to
act upon, who may act, and the running periods.

Every use case is keyword-only and takes the caller's session and
:class:`~services.common.security.Principal`; a refused request raises a refusal of
:mod:`services.common.refusals` (the transaction is then rolled back: nothing written, no
event). Who may see what is decided in the feature modules, once for every endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment import domain
from services.assessment.models import PeerRequest
from services.common.events import Period
from services.common.orgchart import OrgChart, OrgEmployee, check_may_act, check_may_be_acted_upon
from services.common.refusals import Forbidden, NotFound
from services.common.security import Principal
from services.common.workdays import local_today


@dataclass
class Context:
    chart: OrgChart
    cadence: domain.Cadence
    time_zone: str
    today: date


async def context(session: AsyncSession, principal: Principal, now: datetime) -> Context:
    chart = OrgChart(session, principal.home())
    settings, time_zone = await chart.settings()
    return Context(chart, settings.evaluation_cadence, time_zone, local_today(time_zone, now))


async def employee(chart: OrgChart, employee_id: str) -> OrgEmployee:
    found = await chart.employee(employee_id)
    if found is None:
        raise NotFound("employee {employee_id} not found", employee_id=employee_id)
    return found


async def active_caller(chart: OrgChart, principal: Principal) -> str:
    """The caller's id as the org chart names them (the employee id; the kepala daerah's
    account id), refused when the org chart says they were deactivated."""
    me = principal.actor()
    record = await chart.employee(principal.employee_id)
    check_may_act(record.active if record else None)
    return me


def viewer_id(principal: Principal) -> str | None:
    """The caller's id where assessments, notes and objections name people, if any."""
    return principal.user_id if principal.is_kepala_daerah else principal.employee_id


async def check_supervises(chart: OrgChart, me: str, employee: OrgEmployee, refusal: str) -> None:
    """``me`` approves and assesses ``employee`` (the direct supervisor, or the kepala
    daerah for an employee without one), else ``refusal`` (a template naming ``{name}``)."""
    if await chart.supervisor_of(employee) != me:
        raise Forbidden(refusal, name=employee.name)


async def active_employee(chart: OrgChart, employee_id: str) -> OrgEmployee:
    """An employee to act upon (assess, ask peers about, write to): known and active."""
    found = await employee(chart, employee_id)
    check_may_be_acted_upon(found.name, found.active)
    return found


async def manages(chart: OrgChart, principal: Principal, employee_id: str) -> bool:
    """The caller is in the employee's supervisor chain (direct supervisor or above)."""
    me = viewer_id(principal)
    return bool(me) and me in await chart.supervisor_chain(employee_id)


async def peer_request(
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


async def periods(session: AsyncSession, *, principal: Principal, now: datetime) -> list[Period]:
    ctx = await context(session, principal, now)
    return domain.current_periods(ctx.cadence, ctx.today)


async def resolve_period(
    session: AsyncSession, *, principal: Principal, label: str | None, now: datetime
) -> Period:
    """The period ``label`` names, or the running cadence period when none is given."""
    ctx = await context(session, principal, now)
    if label is None:
        return domain.current_periods(ctx.cadence, ctx.today)[0]
    return domain.parse_period(label, ctx.cadence)
