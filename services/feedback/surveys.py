"""Citizen satisfaction surveys (SKM, PermenPANRB 14/2017): the public form of a survey
token, its one-time submission, and a unit's summary (IKM) under the small-numbers rule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import SurveyReceived, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart
from services.common.privacy import enough_contributors
from services.common.refusals import BadRequest, Conflict, NotFound
from services.common.rows import updated_one
from services.common.runtime import Runtime
from services.common.security import Principal
from services.common.skm import ELEMENTS
from services.common.workdays import local_today
from services.feedback import domain
from services.feedback.access import utc_start
from services.feedback.models import (
    ElementScore,
    PublicSurveyForm,
    Survey,
    SurveyQuestion,
    SurveyReceipt,
    SurveySubmit,
    SurveyToken,
    UnitSurveySummary,
)


async def _token_by_secret(session: AsyncSession, tenant: str, token: str) -> SurveyToken:
    row = (
        await session.exec(
            select(SurveyToken).where(SurveyToken.tenant == tenant, SurveyToken.token == token)
        )
    ).first()
    if row is None:
        raise NotFound("survey token not found")
    return row


def _check_usable(row: SurveyToken, now: datetime) -> None:
    if row.used_at is not None:
        raise Conflict("this survey token has already been used")
    if row.expires_at <= now:
        raise Conflict("this survey token has expired")


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
        claimed = await updated_one(
            session,
            update(SurveyToken)
            .where(
                col(SurveyToken.tenant) == tenant,
                col(SurveyToken.token) == token,
                col(SurveyToken.used_at).is_(None),
                col(SurveyToken.expires_at) > now,
            )
            .values(used_at=now),
        )
        row = await _token_by_secret(session, tenant, token)
        if not claimed:
            _check_usable(row, now)
            raise Conflict("this survey token cannot be used")
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


async def unit_summary(
    runtime: Runtime,
    *,
    principal: Principal,
    unit_id: str,
    date_from: date | None,
    date_to: date | None,
) -> UnitSurveySummary:
    tenant = principal.home()
    if date_from and date_to and date_from > date_to:
        raise BadRequest("from must not be after to")
    async with runtime.sessions() as session:
        org = OrgChart(session, tenant)
        unit = await org.unit(unit_id)
        if unit is None:
            raise NotFound("unit {id} not found", id=unit_id)
        settings, time_zone = await org.settings()
        # Small numbers: outside admin, one whole ended month at a time, and figures only
        # from the tenant's minimum number of responses (domain.md).
        limited = not principal.is_admin
        if limited:
            date_from, date_to = domain.whole_month(date_from, date_to, local_today(time_zone))
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
