"""The read model of an employee's periods (the regency's cadence, monthly or quarterly):
each period's projection so far, the supervisor's periodic assessment and the final
predikat it gives the period. The figures are the projector's (``employee.recompute``);
nothing is computed here but which periods the year has."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.orgchart import OrgChart
from services.common.refusals import Forbidden, NotFound
from services.common.security import Principal
from services.common.workdays import local_today
from services.scoring import domain as d
from services.scoring.models import EmployeePeriods, PeriodSummary, ScoreEmployee
from services.scoring.views import may_see_employee


async def employee_periods(
    session: AsyncSession, tenant: str, principal: Principal, employee_id: str, year: int | None
) -> EmployeePeriods:
    """The year's periods of the regency's cadence, each with its figures so far: pace and
    projection (the period's part of the SKP), the supervisor's periodic assessment and the
    final predikat it gives the period."""
    org = OrgChart(session, tenant)
    if await org.employee(employee_id) is None:
        raise NotFound("employee not found")
    if not await may_see_employee(org, principal, employee_id):
        raise Forbidden("only the employee, their supervisors and the HR admin see these scores")
    settings, tz = await org.settings()
    today = local_today(tz)
    year = year or today.year
    rows = {
        r.period: r
        for r in (
            await session.exec(
                select(ScoreEmployee).where(
                    ScoreEmployee.tenant == tenant,
                    ScoreEmployee.employee_id == employee_id,
                    ScoreEmployee.year == year,
                )
            )
        ).all()
    }
    out = []
    for span in d.periods_of_year(year, settings.evaluation_cadence):
        row = rows.get(span.label)
        out.append(
            PeriodSummary(
                period=span.label,
                period_kind=span.kind,
                start=span.start,
                end=span.end,
                current=span.start <= today <= span.end,
                elapsed_share=row.figures.get("share") if row else None,
                achievement=row.achievement if row else None,
                projected_achievement=row.projected_achievement if row else None,
                projected_rating=row.projected_rating if row else None,
                projected_predikat=row.projected_predikat if row else None,
                supervisor_assessed=bool(row and row.supervisor_assessed),
                final_result_rating=row.final_result_rating if row else None,
                final_behaviour_rating=row.final_behaviour_rating if row else None,
                final_predikat=row.final_predikat if row else None,
            )
        )
    return EmployeePeriods(
        employee_id=employee_id, year=year, cadence=settings.evaluation_cadence, periods=out
    )
