"""Read models of the API, assembled from the projection tables (no rule lives here:
figures come from the projections, their explanations from ``domain``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import Rating, TenantSettings
from services.common.orgchart import OrgChart, OrgEmployee
from services.common.privacy import enough_contributors, unit_aggregates
from services.common.refusals import Forbidden, NotFound
from services.common.security import Principal, Role
from services.common.skm import ikm_from_sums
from services.common.workdays import local_today
from services.scoring import domain as d
from services.scoring import explain as ex
from services.scoring.models import (
    EmployeeScore,
    EmployeeSummary,
    ExplainedParts,
    Explanations,
    IkmScore,
    IndicatorScore,
    RhkScore,
    ScoreComplaint,
    ScoreEmployee,
    ScoreOfficerSurvey,
    ScoreSkp,
    ScoreUnit,
    UnitScore,
)
from services.scoring.shared import indicator_specs

CLOSED = {"resolved", "rejected", "not_our_authority", "archived"}


def actor_of(principal: Principal) -> str | None:
    """The caller as the org chart names supervisors: the employee id, or the kepala
    daerah's account id."""
    return principal.user_id if principal.is_kepala_daerah else principal.employee_id


async def may_see_employee(org: OrgChart, principal: Principal, employee_id: str) -> bool:
    """Self, anyone up the supervisor chain (the kepala daerah tops every chain), or the
    regency's HR admin."""
    if principal.has(Role.ADMIN) or principal.employee_id == employee_id:
        return True
    me = actor_of(principal)
    return bool(me) and me in await org.supervisor_chain(employee_id)


def ikm_score(sums: list[int], responses: int, minimum: int) -> IkmScore:
    if responses <= 0:
        none_yet = ex.explain_ikm_parts(None, None, 0, minimum)
        return IkmScore(
            ikm=None,
            category=None,
            label=None,
            responses=0,
            provisional=True,
            explanation=ex.english(none_yet),
            explained=none_yet,
        )
    result = ikm_from_sums(sums, responses)
    parts = ex.explain_ikm_parts(float(result.ikm), result.category, responses, minimum)
    return IkmScore(
        ikm=float(result.ikm),
        category=result.category,
        label=result.label,
        responses=responses,
        provisional=responses < minimum,
        explanation=ex.english(parts),
        explained=parts,
    )


def _rating(value: str | None) -> Rating | None:
    return Rating(value) if value else None


def _predikat(value: str | None) -> d.Predikat | None:
    return d.Predikat(value) if value else None


def rhk_scores(
    row: ScoreEmployee, skp: ScoreSkp | None, settings: TenantSettings
) -> list[RhkScore]:
    if skp is None:
        return []
    share = row.figures.get("share", 0.0)
    target_share = row.figures.get("target_share", 1.0)  # a period's part of the year's
    cap = settings.achievement_cap
    stored = {r["rhk_id"]: r for r in row.figures.get("rhk", [])}
    out = []
    for rhk in skp.rhk:
        figs = stored.get(rhk["rhk_id"], {"indicators": {}})
        indicators = []
        for annual_spec, raw in zip(indicator_specs(rhk), rhk["indicators"], strict=True):
            spec = d.scaled_spec(annual_spec, target_share)
            values = figs["indicators"].get(spec.indicator_id, [None, None, None, None, None])
            fig = d.IndicatorFigures(spec.indicator_id, *values)
            parts = ex.explain_indicator_parts(spec, fig, share, cap)
            indicators.append(
                IndicatorScore(
                    indicator_id=spec.indicator_id,
                    name=spec.name,
                    aspect=raw["aspect"],
                    unit=spec.unit,
                    target=spec.target,
                    direction=spec.direction.value,
                    aggregation=spec.aggregation.value,
                    weight=spec.weight,
                    realisation=fig.realisation,
                    achievement=fig.achievement,
                    expected_to_date=fig.expected_to_date,
                    projected_achievement=fig.projected_achievement,
                    explanation=ex.english(parts),
                    explained=parts,
                )
            )
        out.append(
            RhkScore(
                rhk_id=rhk["rhk_id"],
                title=rhk["title"],
                kind=rhk["kind"],
                achievement=figs.get("achievement"),
                projected_achievement=figs.get("projected_achievement"),
                indicators=indicators,
            )
        )
    return out


async def employee_score(
    session: AsyncSession, tenant: str, principal: Principal, employee_id: str, period: str | None
) -> EmployeeScore:
    org = OrgChart(session, tenant)
    person = await org.employee(employee_id)
    settings, tz = await org.settings()
    period = period or str(local_today(tz).year)
    row = await session.get(ScoreEmployee, (tenant, employee_id, period))
    if person is None and row is None:
        raise NotFound("employee not found")
    if not await may_see_employee(org, principal, employee_id):
        raise Forbidden("only the employee, their supervisors and the HR admin see these scores")
    if row is None:
        span = d.period_of_label(period)
        row = ScoreEmployee(
            tenant=tenant,
            employee_id=employee_id,
            period=period,
            period_kind=span.kind if span else "annual",
            year=int(period[:4]),
        )
    # A period's figures are of the same SKP, its sum targets the period's part of them.
    skp = await session.get(ScoreSkp, (tenant, employee_id, row.year))
    complaints = (
        await session.exec(
            select(ScoreComplaint.status, func.count())
            .where(
                ScoreComplaint.tenant == tenant,
                ScoreComplaint.officer_id == employee_id,
                ScoreComplaint.year == row.year,
            )
            .group_by(ScoreComplaint.status)
        )
    ).all()
    closed = sum(n for s, n in complaints if s in CLOSED)
    surveys = (
        await session.get(ScoreOfficerSurvey, (tenant, employee_id, row.year))
        if row.period_kind == "annual"
        else None
    )
    ikm = ikm_score(
        surveys.sums() if surveys else [0] * 9,
        surveys.survey_count if surveys else 0,
        settings.min_survey_sample,
    )
    # The officer reading their own IKM knows which citizen they just served: below the
    # small-numbers minimum the figure would be that citizen's answers (domain.md).
    own = principal.employee_id == employee_id and not principal.has(Role.ADMIN)
    if own and not enough_contributors(ikm.responses, settings.min_aggregate_size):
        ikm = ikm_score([0] * 9, 0, settings.min_survey_sample)
    rhks = rhk_scores(row, skp, settings)
    projected_rating = _rating(row.projected_rating)
    latest_behaviour = _rating(row.latest_behaviour) or Rating.SESUAI
    tambahan = settings.count_tambahan_in_overall
    counted = sum(1 for r in rhks if r.kind == "utama" or tambahan)
    explained = ExplainedParts(
        achievement=ex.explain_overall_parts(row.achievement, counted, tambahan, projected=False),
        projected_achievement=ex.explain_overall_parts(
            row.projected_achievement, counted, tambahan, projected=True
        ),
        projected_rating=ex.explain_projected_rating_parts(
            row.projected_achievement, projected_rating, settings
        ),
        projected_predikat=ex.explain_predikat_parts(
            projected_rating, latest_behaviour, _predikat(row.projected_predikat), final=False
        ),
        final_predikat=ex.explain_predikat_parts(
            _rating(row.final_result_rating),
            _rating(row.final_behaviour_rating),
            _predikat(row.final_predikat),
            final=True,
        ),
        behaviour=ex.explain_behaviour_parts(
            row.behaviour_ratings,
            _rating(row.final_behaviour_rating),
            settings.behaviour_above_min_count,
        ),
        ikm=ikm.explained,
    )
    # The English prose stays as it was for API clients; pages render ``explained``.
    explanations = Explanations(
        **{name: ex.english(parts) for name, parts in explained if name != "ikm"},
        ikm=ikm.explanation,
    )
    as_of = row.figures.get("as_of")
    return EmployeeScore(
        employee_id=employee_id,
        name=person.name if person else "",
        unit_id=row.unit_id or (person.unit_id if person else None),
        period=row.period,
        period_kind=row.period_kind,
        as_of=as_of,
        elapsed_share=row.figures.get("share"),
        achievement=row.achievement,
        projected_achievement=row.projected_achievement,
        projected_rating=row.projected_rating,
        projected_predikat=row.projected_predikat,
        final_result_rating=row.final_result_rating,
        final_behaviour_rating=row.final_behaviour_rating,
        final_predikat=row.final_predikat,
        final_source=row.final_source,
        behaviour_ratings=row.behaviour_ratings,
        ikm=ikm.ikm,
        ikm_category=ikm.category,
        survey_count=ikm.responses,
        complaints_open=sum(n for _, n in complaints) - closed,
        complaints_closed=closed,
        last_activity_date=row.last_activity_date,
        rhk=rhks,
        explanations=explanations,
        explained=explained,
    )


async def summaries(
    session: AsyncSession, tenant: str, people: list[OrgEmployee], period: str
) -> list[EmployeeSummary]:
    """Each person's figures of a period: the year (``2026``) or a cadence period."""
    rows: dict[str, ScoreEmployee] = {}
    ids = [p.employee_id for p in people]
    for start in range(0, len(ids), 5000):
        result = await session.exec(
            select(ScoreEmployee).where(
                ScoreEmployee.tenant == tenant,
                ScoreEmployee.period == period,
                col(ScoreEmployee.employee_id).in_(ids[start : start + 5000]),
            )
        )
        rows.update({r.employee_id: r for r in result.all()})
    out = []
    for person in people:
        row = rows.get(person.employee_id)
        out.append(
            EmployeeSummary(
                employee_id=person.employee_id,
                name=person.name,
                unit_id=person.unit_id,
                supervisor_id=person.supervisor_id,
                achievement=row.achievement if row else None,
                projected_achievement=row.projected_achievement if row else None,
                projected_rating=row.projected_rating if row else None,
                projected_predikat=row.projected_predikat if row else None,
                final_predikat=row.final_predikat if row else None,
                last_activity_date=row.last_activity_date if row else None,
            )
        )
    return out


async def annual_rows(
    session: AsyncSession, tenant: str, year: int, unit_id: str | None = None
) -> list[Any]:
    stmt = select(  # type: ignore[call-overload]  # sqlmodel's overloads stop at 4 columns
        ScoreEmployee.employee_id,
        ScoreEmployee.unit_id,
        ScoreEmployee.achievement,
        ScoreEmployee.projected_predikat,
        ScoreEmployee.final_predikat,
    ).where(ScoreEmployee.tenant == tenant, ScoreEmployee.period == str(year))
    if unit_id is not None:
        stmt = stmt.where(ScoreEmployee.unit_id == unit_id)
    return list((await session.exec(stmt)).all())


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


async def unit_score(
    session: AsyncSession, tenant: str, principal: Principal, unit_id: str, year: int
) -> UnitScore:
    org = OrgChart(session, tenant)
    unit = await org.unit(unit_id)
    surveys = await session.get(ScoreUnit, (tenant, unit_id, year))
    if unit is None and surveys is None:
        raise NotFound("unit not found")
    head = unit.head_employee_id if unit else None
    # The head and the HR admin are the members' supervisor chain; a member is not.
    chain = principal.has(Role.ADMIN) or (
        principal.employee_id is not None and principal.employee_id == head
    )
    if not chain:
        me = await org.employee(principal.employee_id)
        if me is None or me.unit_id != unit_id:
            raise Forbidden("only the unit's head, its members and the HR admin see it")
    settings, _ = await org.settings()
    complaints = (
        await session.exec(
            select(ScoreComplaint.status, func.count())
            .where(
                ScoreComplaint.tenant == tenant,
                ScoreComplaint.unit_id == unit_id,
                ScoreComplaint.year == year,
            )
            .group_by(ScoreComplaint.status)
        )
    ).all()
    rows = await annual_rows(session, tenant, year, unit_id)
    ikm = ikm_score(
        surveys.survey_sums if surveys else [0] * 9,
        surveys.survey_count if surveys else 0,
        settings.min_survey_sample,
    )
    achieved = [r.achievement for r in rows if r.achievement is not None]
    finals = [r.final_predikat for r in rows if r.final_predikat]
    projected = [r.projected_predikat for r in rows if r.projected_predikat]
    view = unit_aggregates(
        chain=chain,
        minimum=settings.min_aggregate_size,
        employees=len(rows),
        achieved=len(achieved),
        finals=len(finals),
        projected=len(projected),
        survey_responses=ikm.responses,
    )
    return UnitScore(
        unit_id=unit_id,
        name=unit.name if unit else unit_id,
        year=year,
        ikm=ikm if view.ikm else ikm_score([0] * 9, 0, settings.min_survey_sample),
        complaints=dict(complaints),
        predikat_distribution=dict(Counter(finals)) if view.finals else {},
        projected_predikat_distribution=dict(Counter(projected)) if view.projected else {},
        mean_achievement=_mean(achieved) if view.achievement else None,
        employees=len(rows),
        suppressed=view.suppressed,
    )
