"""Citizen satisfaction surveys (SKM, PermenPANRB 14/2017): the public form of a survey
token, its one-time submission, and a unit's summary (IKM) under the small-numbers rule.

Like every feedback use case: the runtime first, then keyword-only the caller (the
verified ``principal``; public endpoints the regency's slug), refusals before any write.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import SurveyReceived, TenantSettings, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart, OrgUnit
from services.common.privacy import enough_contributors
from services.common.refusals import BadRequest, Conflict, Forbidden, NotFound
from services.common.runtime import Runtime
from services.common.security import Principal
from services.common.skm import ELEMENTS
from services.common.workdays import local_today
from services.feedback import domain
from services.feedback.access import staff_of, utc_start
from services.feedback.models import (
    ElementScore,
    PublicSurveyForm,
    Survey,
    SurveyQuestion,
    SurveyReceipt,
    SurveySubmit,
    SurveyToken,
    UnitSurveyComments,
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


async def _month_of_surveys(
    session: AsyncSession,
    principal: Principal,
    unit_id: str,
    date_from: date | None,
    date_to: date | None,
) -> tuple[OrgUnit, TenantSettings, date | None, date | None, list[Any]]:
    """The unit, the tenant's settings, the window and the WHERE of its surveys. Small
    numbers: outside admin, one whole ended month at a time (domain.md)."""
    tenant = principal.home()
    if date_from and date_to and date_from > date_to:
        raise BadRequest("from must not be after to")
    org = OrgChart(session, tenant)
    unit = await org.unit(unit_id)
    if unit is None:
        raise NotFound("unit {id} not found", id=unit_id)
    settings, time_zone = await org.settings()
    if not principal.is_admin:
        date_from, date_to = domain.whole_month(date_from, date_to, local_today(time_zone))
    where: list[Any] = [Survey.tenant == tenant, Survey.unit_id == unit_id]
    if date_from:
        where.append(col(Survey.submitted_at) >= utc_start(date_from, time_zone))
    if date_to:
        where.append(col(Survey.submitted_at) < utc_start(date_to + timedelta(days=1), time_zone))
    return unit, settings, date_from, date_to, where


async def unit_summary(
    runtime: Runtime,
    *,
    principal: Principal,
    unit_id: str,
    date_from: date | None,
    date_to: date | None,
) -> UnitSurveySummary:
    async with runtime.sessions() as session:
        unit, settings, date_from, date_to, where = await _month_of_surveys(
            session, principal, unit_id, date_from, date_to
        )
        query = select(
            func.count(),
            *(func.coalesce(func.sum(getattr(Survey, e)), 0) for e in ELEMENTS),
        ).where(*where)
        count, *sums = cast(tuple[int, ...], (await session.exec(query)).one())
    limited = not principal.is_admin
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


async def unit_comments(
    runtime: Runtime,
    *,
    principal: Principal,
    unit_id: str,
    date_from: date | None,
    date_to: date | None,
) -> UnitSurveyComments:
    """The citizens' suggestions (saran) to a unit, for those who act on them: its head,
    its pengelola pengaduan and admin. Same window as the summary, none below k responses,
    and in alphabetical order: no time order that could tie a text to a token."""
    async with runtime.sessions() as session:
        unit, settings, date_from, date_to, where = await _month_of_surveys(
            session, principal, unit_id, date_from, date_to
        )
        staff = await staff_of(OrgChart(session, unit.tenant), principal)
        if not domain.may_read_comments(
            staff, unit_id=unit.unit_id, unit_head_id=unit.head_employee_id
        ):
            raise Forbidden(
                "the citizens' comments to a unit are for its head, its complaint officer"
                " and the HR admin"
            )
        count = int((await session.exec(select(func.count()).where(*where))).one())
        texts = (
            await session.exec(
                select(Survey.comment).where(*where, Survey.comment != "").order_by(Survey.comment)
            )
        ).all()
    limited = not principal.is_admin
    suppressed = limited and not enough_contributors(count, settings.min_aggregate_size)
    return UnitSurveyComments(
        unit_id=unit_id,
        unit_name=unit.name,
        date_from=date_from,
        date_to=date_to,
        responses=0 if suppressed else count,
        comments=[] if suppressed else list(texts),
        suppressed=suppressed,
    )
