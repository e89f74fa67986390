"""HTTP: the read API of the projections under /api/v1/scores (thin; see ``views``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import col, select

from services.common.api import Page, PageParams, errors, page_params
from services.common.orgchart import OrgChart, OrgEmployee
from services.common.pagination import MAX_LIMIT, Cursor, page_of
from services.common.refusals import Forbidden, NotFound
from services.common.runtime import runtime_of
from services.common.security import CurrentPrincipal, Principal, Role, require_roles, tenant_of
from services.common.workdays import local_today
from services.scoring import periods, regency_view, views
from services.scoring.domain import Predikat
from services.scoring.legacy_views import legacy_scores, require_enabled, span_of
from services.scoring.models import (
    AlertPage,
    AlertRead,
    EmployeePeriods,
    EmployeeScore,
    EmployeeSummary,
    LegacyEmployeeScore,
    RegencyScore,
    ScoreAlertLog,
    UnitScore,
)

router = APIRouter(prefix="/api/v1/scores", tags=["scores"])

Period = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
        description="2026 (the SKP year, default: this year), 2026-03 or 2026-Q1",
    ),
]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="default: this year")]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


@router.get(
    "/employees/{employee_id}",
    response_model=EmployeeScore,
    responses=errors(401, 403, 404, 422),
    summary="An employee's scores for a period, each figure with its explanation",
)
async def get_employee(
    employee_id: str, principal: CurrentPrincipal, request: Request, period: Period = None
) -> EmployeeScore:
    tenant = tenant_of(principal)
    async with runtime_of(request).sessions() as session:
        return await views.employee_score(session, tenant, principal, employee_id, period)


@router.get(
    "/employees/{employee_id}/periods",
    response_model=EmployeePeriods,
    responses=errors(401, 403, 404, 422),
    summary="An employee's periods of the year (the regency's cadence): projection so far, "
    "the supervisor's periodic assessment and the period's final predikat",
)
async def get_employee_periods(
    employee_id: str, principal: CurrentPrincipal, request: Request, year: Year = None
) -> EmployeePeriods:
    tenant = tenant_of(principal)
    async with runtime_of(request).sessions() as session:
        return await periods.employee_periods(session, tenant, principal, employee_id, year)


@router.get(
    "/team",
    response_model=Page[EmployeeSummary],
    responses=errors(401, 403, 404, 422),
    summary="The caller's subordinates at any depth (admin: anyone's, or the whole regency)",
)
async def get_team(
    principal: CurrentPrincipal,
    request: Request,
    page: Annotated[PageParams, Depends(page_params)],
    year: Year = None,
    period: Period = None,  # a cadence period instead of the year: 2026-03, 2026-Q1
    supervisor_id: Annotated[str | None, Query(description="admin only")] = None,
) -> Page[EmployeeSummary]:
    tenant = tenant_of(principal)
    async with runtime_of(request).sessions() as session:
        org = OrgChart(session, tenant)
        if supervisor_id is not None and not principal.has(Role.ADMIN):
            raise Forbidden("only the HR admin may look at another supervisor's team")
        root = supervisor_id or (None if principal.has(Role.ADMIN) else views.actor_of(principal))
        if supervisor_id is not None and await org.employee(supervisor_id) is None:
            raise NotFound("supervisor not found")
        if root is None and not principal.has(Role.ADMIN):
            raise Forbidden("this account is not an employee")
        if root is None:
            people = list(
                (
                    await session.exec(
                        select(OrgEmployee).where(
                            OrgEmployee.tenant == tenant, col(OrgEmployee.active).is_(True)
                        )
                    )
                ).all()
            )
        elif principal.is_kepala_daerah:
            # The kepala daerah is above everyone: its team is the employees it approves
            # and assesses (those without a supervisor); each one's scores open from there.
            people = await org.direct_reports(root)
        else:
            people = await org.subtree(root)
        people.sort(key=lambda p: (p.name, p.employee_id))
        chosen = page_of(people, page)
        label = period or str(year or (await org.today()).year)
        items = await views.summaries(session, tenant, chosen.items, label)
        return Page(items=items, total=chosen.total, limit=page.limit, offset=page.offset)


@router.get(
    "/units/{unit_id}",
    response_model=UnitScore,
    responses=errors(401, 403, 404, 422),
    summary="A unit's IKM, complaints, predikat distribution and mean achievement",
)
async def get_unit(
    unit_id: str, principal: CurrentPrincipal, request: Request, year: Year = None
) -> UnitScore:
    tenant = tenant_of(principal)
    async with runtime_of(request).sessions() as session:
        chosen = year or (await OrgChart(session, tenant).today()).year
        return await views.unit_score(session, tenant, principal, unit_id, chosen)


@router.get(
    "/regency",
    response_model=RegencyScore,
    responses=errors(401, 403, 422),
    summary="The regency's year: distribution against the curve, rankings, training needs",
)
async def get_regency(
    principal: Admin,
    request: Request,
    year: Year = None,
    organisation_predikat: Annotated[
        Predikat, Query(description="the organisation's own predikat, which sets the curve")
    ] = Predikat.BAIK,
) -> RegencyScore:
    tenant = tenant_of(principal)
    async with runtime_of(request).sessions() as session:
        chosen = year or (await OrgChart(session, tenant).today()).year
        return await regency_view.regency_score(session, tenant, chosen, organisation_predikat)


@router.get(
    "/legacy/employees/{employee_id}",
    response_model=LegacyEmployeeScore,
    responses=errors(401, 403, 404, 422),
    summary="An employee's legacy PP 46/2011 score (SKP, behaviour, total, band) for the "
    "year or a TPP period, explained; 404 when the regency has not enabled it",
)
async def get_legacy_employee(
    employee_id: str, principal: CurrentPrincipal, request: Request, period: Period = None
) -> LegacyEmployeeScore:
    tenant = tenant_of(principal)
    async with runtime_of(request).sessions() as session:
        org = OrgChart(session, tenant)
        settings, tz = await org.settings()
        require_enabled(settings)
        person = await org.employee(employee_id)
        if person is None:
            raise NotFound("employee not found")
        if not await views.may_see_employee(org, principal, employee_id):
            raise Forbidden(
                "only the employee, their supervisors and the HR admin see these scores"
            )
        span = span_of(period or str(local_today(tz).year))
        return (await legacy_scores(session, tenant, span, [person], settings))[0]


@router.get(
    "/legacy/regency",
    response_model=Page[LegacyEmployeeScore],
    responses=errors(401, 403, 404, 422),
    summary="Every active employee's legacy PP 46/2011 score for the year or a TPP period "
    "(admin; by name); 404 when the regency has not enabled it",
)
async def get_legacy_regency(
    principal: Admin,
    request: Request,
    page: Annotated[PageParams, Depends(page_params)],
    period: Period = None,
) -> Page[LegacyEmployeeScore]:
    tenant = tenant_of(principal)
    async with runtime_of(request).sessions() as session:
        org = OrgChart(session, tenant)
        settings, tz = await org.settings()
        require_enabled(settings)
        people = list(
            (
                await session.exec(
                    select(OrgEmployee).where(
                        OrgEmployee.tenant == tenant, col(OrgEmployee.active).is_(True)
                    )
                )
            ).all()
        )
        people.sort(key=lambda p: (p.name, p.employee_id))
        chosen = page_of(people, page)
        span = span_of(period or str(local_today(tz).year))
        items = await legacy_scores(session, tenant, span, chosen.items, settings)
        return Page(items=items, total=chosen.total, limit=page.limit, offset=page.offset)


@router.get(
    "/alerts",
    response_model=AlertPage,
    responses=errors(401, 403, 422),
    summary="The caller's alerts raised or cleared after the cursor `since` (oldest first)",
)
async def get_alerts(
    principal: CurrentPrincipal,
    request: Request,
    since: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> AlertPage:
    tenant = tenant_of(principal)
    recipient = views.actor_of(principal)  # an employee, or the kepala daerah's account
    if not recipient:
        raise Forbidden("alerts go to employees; this account is not one")
    async with runtime_of(request).sessions() as session:
        rows = (
            await session.exec(
                select(ScoreAlertLog)
                .where(
                    ScoreAlertLog.tenant == tenant,
                    ScoreAlertLog.recipient_id == recipient,
                    col(ScoreAlertLog.seq) > since,
                )
                .order_by(col(ScoreAlertLog.seq))
                .limit(limit)
            )
        ).all()
    items = [AlertRead.model_validate(r, from_attributes=True) for r in rows]
    return AlertPage(items=items, next_since=items[-1].seq if items else since)
