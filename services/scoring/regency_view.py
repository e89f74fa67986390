"""The regency's view for BKPSDM: the predikat distribution against the curve, units ranked,
training needs, the top performers and HR's follow-up list, aggregated by the database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import String, case, cast, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import Rating
from services.common.orgchart import OrgEmployee, OrgUnit
from services.scoring import domain as d
from services.scoring.models import (
    EmployeeSummary,
    QuotaScore,
    RankedUnit,
    RegencyScore,
    ScoreEmployee,
    ScoreUnit,
    TrainingNeed,
)
from services.scoring.views import summaries

BELOW_BAIK = {d.Predikat.BUTUH_PERBAIKAN, d.Predikat.KURANG, d.Predikat.SANGAT_KURANG}


def _ranked(tenant: str, year: int, best_first: bool, limit: int) -> Any:
    """The year's people by final predikat, then achievement (none counts lowest): the
    database sorts and cuts, so a regency of 10,000 is not sorted here per request."""
    level = case(
        {p.value: p.level for p in d.Predikat}, value=ScoreEmployee.final_predikat, else_=0
    )
    achievement = func.coalesce(ScoreEmployee.achievement, -1.0)
    order = (level.desc(), achievement.desc()) if best_first else (level.asc(), achievement.asc())
    return (
        select(ScoreEmployee.employee_id)
        .where(ScoreEmployee.tenant == tenant, ScoreEmployee.period == str(year))
        .order_by(*order, col(ScoreEmployee.employee_id))
        .limit(limit)
    )


async def regency_score(
    session: AsyncSession, tenant: str, year: int, organisation: d.Predikat
) -> RegencyScore:
    of_year = (ScoreEmployee.tenant == tenant, ScoreEmployee.period == str(year))
    counted = (
        await session.exec(
            select(ScoreEmployee.final_predikat, func.count())
            .where(*of_year)
            .group_by(ScoreEmployee.final_predikat)
        )
    ).all()
    employees = sum(n for _, n in counted)
    distribution = Counter({d.Predikat(p): n for p, n in counted if p})
    units = {
        u.unit_id: u.name
        for u in (await session.exec(select(OrgUnit).where(OrgUnit.tenant == tenant))).all()
    }
    by_ikm = (
        await session.exec(
            select(ScoreUnit).where(ScoreUnit.tenant == tenant, ScoreUnit.year == year)
        )
    ).all()
    per_unit = (
        await session.exec(
            select(ScoreEmployee.unit_id, func.avg(ScoreEmployee.achievement))
            .where(
                *of_year,
                col(ScoreEmployee.unit_id).is_not(None),
                col(ScoreEmployee.achievement).is_not(None),
            )
            .group_by(ScoreEmployee.unit_id)
        )
    ).all()
    assessed = (
        ScoreEmployee.tenant == tenant,
        ScoreEmployee.year == year,
        col(ScoreEmployee.final_source).is_not(None),
    )
    # Only the ratings that hold a "di bawah" reach Python: the text match is a cheap
    # filter that both databases run on a JSON column; the exact test stays below.
    below_rows = await session.exec(
        select(ScoreEmployee.behaviour_ratings).where(
            *assessed,
            cast(ScoreEmployee.behaviour_ratings, String).like(f"%{Rating.DI_BAWAH.value}%"),
        )
    )
    below: Counter[str] = Counter()
    for ratings in below_rows.all():
        below.update(v for v, r in ratings.items() if r == Rating.DI_BAWAH)
    recommendations = list(
        (
            await session.exec(
                select(ScoreEmployee.development_recommendation)
                .where(*assessed, ScoreEmployee.development_recommendation != "")
                .distinct()
                .order_by(ScoreEmployee.development_recommendation)
                .limit(20)
            )
        ).all()
    )
    ranked = list((await session.exec(_ranked(tenant, year, True, 10))).all())
    # Under-performers: a final predikat below Baik, the weakest first (HR's follow-up list).
    weak = list(
        (
            await session.exec(
                _ranked(tenant, year, False, 20).where(
                    col(ScoreEmployee.final_predikat).in_([p.value for p in BELOW_BAIK])
                )
            )
        ).all()
    )
    people = {
        p.employee_id: p
        for p in (
            await session.exec(
                select(OrgEmployee).where(
                    OrgEmployee.tenant == tenant, col(OrgEmployee.employee_id).in_(ranked + weak)
                )
            )
        ).all()
    }

    async def summarised(chosen: list[str]) -> list[EmployeeSummary]:
        known = [people[e] for e in chosen if e in people]
        return await summaries(session, tenant, known, str(year))

    top = await summarised(ranked)
    return RegencyScore(
        year=year,
        organisation_predikat=organisation.value,
        employees=employees,
        predikat_distribution={p.value: n for p, n in distribution.items()},
        distribution_checks=[
            QuotaScore(rule=c.rule, share=c.share, breached=c.breached)
            for c in d.check_distribution(organisation, distribution)
        ],
        units_by_ikm=[
            RankedUnit(
                unit_id=u.unit_id,
                name=units.get(u.unit_id, u.unit_id),
                value=u.ikm,
                responses=u.survey_count,
            )
            for u in sorted(by_ikm, key=lambda u: u.ikm or 0, reverse=True)
        ],
        units_by_achievement=sorted(
            (
                RankedUnit(unit_id=u, name=units.get(u, u), value=float(mean))
                for u, mean in per_unit
                if u is not None
            ),
            key=lambda r: r.value or 0,
            reverse=True,
        ),
        training_needs=[TrainingNeed(value=v, rated_di_bawah=n) for v, n in below.most_common()],
        development_recommendations=recommendations,
        top_performers=top,
        under_performers=await summarised(weak),
    )
