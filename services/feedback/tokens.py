"""Survey tokens (domain.md "Survey tokens"): issued by the unit's petugas loket or admin,
naming a colleague of the unit, within a daily cap per issuer; read back only by the
issuer and admin; and per issuer how many were issued and used, to spot self-surveys.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from services.common.clock import utcnow
from services.common.orgchart import OrgChart
from services.common.refusals import BadRequest, NotFound
from services.common.rows import of_tenant
from services.common.runtime import Runtime
from services.common.security import Principal
from services.common.workdays import local_today
from services.feedback import domain
from services.feedback.access import active_employee, public_unit, staff_of, utc_start
from services.feedback.models import (
    IssuerTokens,
    SurveyToken,
    SurveyTokenCreate,
    SurveyTokenRead,
)


def survey_url(base_url: str, tenant: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/survey/{tenant}/{token}"


def token_read(row: SurveyToken, base_url: str) -> SurveyTokenRead:
    return SurveyTokenRead(
        **row.model_dump(exclude={"tenant"}),
        survey_url=survey_url(base_url, row.tenant, row.token),
    )


async def issue_survey_token(
    runtime: Runtime, *, principal: Principal, body: SurveyTokenCreate, valid_for: timedelta
) -> SurveyToken:
    tenant = principal.home()
    issuer = principal.employee_id or principal.user_id
    async with runtime.sessions() as session:  # checks read outside the write transaction
        org = OrgChart(session, tenant)
        staff = await staff_of(org, principal)
        unit_id = body.unit_id or staff.unit_id
        if unit_id is None:
            raise BadRequest("name the unit_id the survey is about")
        unit = await public_unit(org, unit_id)
        officer = await active_employee(org, body.officer_id)
        settings, time_zone = await org.settings()
        since = utc_start(local_today(time_zone), time_zone)
        issued_today = (
            await session.exec(
                select(func.count()).where(
                    SurveyToken.tenant == tenant,
                    SurveyToken.issued_by == issuer,
                    SurveyToken.created_at >= since,
                )
            )
        ).one()
    refusal = domain.survey_token_refusal(
        staff,
        unit_id=unit.unit_id,
        officer_id=body.officer_id,
        officer_unit_id=officer.unit_id if officer else None,
        issued_today=int(issued_today),
        daily_cap=settings.survey_tokens_per_issuer_per_day,
    )
    if refusal is not None:
        raise refusal
    now = utcnow()
    row = SurveyToken(
        tenant=tenant,
        token=domain.new_survey_token(),
        unit_id=unit_id,
        officer_id=body.officer_id,
        service_type=body.service_type,
        issued_by=issuer,
        created_at=now,
        expires_at=now + valid_for,
    )
    async with runtime.sessions.begin() as session:
        session.add(row)
    return row


async def visible_token(runtime: Runtime, *, principal: Principal, token_id: str) -> SurveyToken:
    tenant = principal.home()
    async with runtime.sessions() as session:
        row = await of_tenant(
            session, SurveyToken, token_id, tenant, NotFound("survey token not found")
        )
        mine = row.issued_by == (principal.employee_id or principal.user_id)
        if not (mine or principal.is_admin):
            # its secret is for the issuer's citizen only
            raise NotFound("survey token not found")
        return row


async def issuer_stats(
    runtime: Runtime, *, principal: Principal, date_from: date, date_to: date
) -> list[IssuerTokens]:
    """Per issuer, tokens issued in the tenant-local window and how many of them were used:
    an issuer whose tokens are nearly all used at once stands out (domain.md)."""
    tenant = principal.home()
    if date_from > date_to:
        raise BadRequest("from must not be after to")
    async with runtime.sessions() as session:
        _, time_zone = await OrgChart(session, tenant).settings()
        where: list[Any] = [
            SurveyToken.tenant == tenant,
            col(SurveyToken.created_at) >= utc_start(date_from, time_zone),
            col(SurveyToken.created_at) < utc_start(date_to + timedelta(days=1), time_zone),
        ]
        rows = (
            await session.exec(
                select(
                    SurveyToken.issued_by,
                    func.count(),
                    func.count(col(SurveyToken.used_at)),
                )
                .where(*where)
                .group_by(col(SurveyToken.issued_by))
                .order_by(col(SurveyToken.issued_by))
            )
        ).all()
    return [IssuerTokens(issued_by=i, issued=int(n), used=int(u)) for i, n, u in rows]
