"""The legacy PP 46/2011 score as read models, from scoring's own projections only: the
approved SKP (``score_skp``), the year's realisations (``score_employee.figures``), a TPP
period's activities (``score_activity``), the supervisor's BerAKHLAK ratings of the period
(``score_employee.behaviour_ratings``) and the tenant's rules (the org chart copy). The
rules are ``legacy``'s; this module only gathers their inputs."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import TenantSettings
from services.common.orgchart import OrgEmployee, OrgUnit
from services.common.refusals import NotFound
from services.scoring import legacy as lg
from services.scoring.explain import Part
from services.scoring.models import (
    LegacyEmployeeScore,
    LegacyTaskRead,
    ScoreActivity,
    ScoreEmployee,
    ScoreSkp,
)


@dataclass(frozen=True, slots=True)
class Span:
    label: str
    year: int
    start: date
    end: date
    months: int

    @property
    def annual(self) -> bool:
        return self.months == 12 and "-" not in self.label


def span_of(period: str) -> Span:
    """``2026``, ``2026-03`` or ``2026-Q1`` (the API's pattern checked the form)."""
    year = int(period[:4])
    if len(period) == 4:
        return Span(period, year, date(year, 1, 1), date(year, 12, 31), 12)
    if period[5] == "Q":
        first = (int(period[6]) - 1) * 3 + 1
        last = first + 2
        end = date(year, last, calendar.monthrange(year, last)[1])
        return Span(period, year, date(year, first, 1), end, 3)
    month = int(period[5:7])
    end = date(year, month, calendar.monthrange(year, month)[1])
    return Span(period, year, date(year, month, 1), end, 1)


def require_enabled(settings: TenantSettings) -> None:
    if not settings.legacy_score_enabled:
        raise NotFound("this regency has not enabled the legacy PP 46/2011 score")


def _aggregate(values: Sequence[tuple[str, float]], aggregation: str) -> float | None:
    """A period's activities of one indicator, as the SKP aggregates them."""
    if aggregation == "sum":
        return sum(v for _, v in values)
    if not values:
        return None
    if aggregation == "mean":
        return sum(v for _, v in values) / len(values)
    return max(values)[1]  # latest: the greatest sort key


def _realisations(
    span: Span, row: ScoreEmployee | None, activities: Iterable[ScoreActivity]
) -> dict[str, Any]:
    """Indicator id -> the year's realisation (annual), or the period's activities as
    (sort key, value) pairs (a TPP period)."""
    if span.annual:
        stored = (row.figures.get("rhk", []) if row else []) or []
        return {i: figs[0] for r in stored for i, figs in r.get("indicators", {}).items()}
    grouped: dict[str, Any] = defaultdict(list)
    for a in activities:
        grouped[a.indicator_id].append((a.sort_key, a.value))
    return grouped


def _tasks(
    span: Span, skp: ScoreSkp, realised: dict[str, Any], tambahan: bool
) -> list[tuple[dict[str, Any], lg.LegacyTask]]:
    out = []
    for rhk in skp.rhk:
        if rhk["kind"] != "utama" and not tambahan:
            continue
        measures = []
        for i in rhk["indicators"]:
            if span.annual:
                value = realised.get(i["indicator_id"])
                target = i["target"]
            else:
                value = _aggregate(realised.get(i["indicator_id"], []), i["aggregation"])
                target = lg.period_target(i["target"], i["aggregation"], span.months)
            measures.append(lg.Measure(i["aspect"], target, value))
        out.append((rhk, lg.legacy_task(measures)))
    return out


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def explain(score: lg.LegacyScore, tasks: int, rated: int, settings: TenantSettings) -> list[Part]:
    """How the score was computed, as sentences (Indonesian in gateway_pegawai.po)."""
    points = settings.legacy_behaviour_points
    parts = [
        Part(
            message="PP 46/2011: each task (RHK) scores the mean of its aspects: quantity "
            "and quality as realisation / target x 100, time and cost by the regulation's "
            "efficiency formula."
        ),
        Part(
            message="SKP score {skp_score}: the mean of {tasks} tasks.",
            params={"skp_score": _num(score.skp), "tasks": tasks},
        ),
    ]
    if score.behaviour is None:
        parts.append(
            Part(
                message="No behaviour score yet: the supervisor has not rated the "
                "BerAKHLAK values for this period."
            )
        )
        return parts
    parts.append(
        Part(
            message="Behaviour {behaviour_score}: the mean of {values} BerAKHLAK ratings, "
            "worth {above} above, {meets} as expected and {below} below expectations.",
            params={
                "behaviour_score": _num(score.behaviour),
                "values": rated,
                "above": points["di_atas"],
                "meets": points["sesuai"],
                "below": points["di_bawah"],
            },
        )
    )
    if score.total is not None:
        parts.append(
            Part(
                message="Total {total} = 60% of {skp_score} + 40% of {behaviour_score}: {band}.",
                params={
                    "total": _num(score.total),
                    "skp_score": _num(score.skp),
                    "behaviour_score": _num(score.behaviour),
                    "band": score.band,
                },
            )
        )
    return parts


def employee_legacy(
    span: Span,
    person: OrgEmployee,
    unit: OrgUnit | None,
    skp: ScoreSkp | None,
    row: ScoreEmployee | None,
    activities: Iterable[ScoreActivity],
    settings: TenantSettings,
) -> LegacyEmployeeScore:
    realised = _realisations(span, row, activities)
    tambahan = settings.count_tambahan_in_overall
    tasks = _tasks(span, skp, realised, tambahan) if skp else []
    ratings = row.behaviour_ratings if row else {}
    behaviour = lg.legacy_behaviour(ratings, settings.legacy_behaviour_points)
    score = lg.legacy_score([t.score for _, t in tasks], behaviour)
    counted = sum(1 for _, t in tasks if t.score is not None)
    return LegacyEmployeeScore(
        employee_id=person.employee_id,
        name=person.name,
        nip=person.nip,
        unit_id=person.unit_id,
        unit_name=unit.name if unit else None,
        period=span.label,
        skp_score=_num(score.skp),
        behaviour_score=_num(score.behaviour),
        total=_num(score.total),
        band=score.band,
        tasks=[
            LegacyTaskRead(
                rhk_id=rhk["rhk_id"],
                title=rhk["title"],
                kind=rhk["kind"],
                aspects={k: _num(v) for k, v in task.aspects.items()},
                score=_num(task.score),
            )
            for rhk, task in tasks
        ],
        explained=explain(score, counted, len(ratings), settings),
    )


async def _rows(
    session: AsyncSession, model: Any, tenant: str, ids: Sequence[str], *where: Any
) -> Sequence[Any]:
    """``model``'s rows of these employees of the tenant (one ``IN`` query)."""
    found = await session.exec(
        select(model).where(model.tenant == tenant, col(model.employee_id).in_(ids), *where)
    )
    return found.all()


async def legacy_scores(
    session: AsyncSession,
    tenant: str,
    span: Span,
    people: Sequence[OrgEmployee],
    settings: TenantSettings,
) -> list[LegacyEmployeeScore]:
    """The scores of ``people`` for the period: one query per table, whatever their number."""
    ids = [p.employee_id for p in people]
    skps: dict[str, ScoreSkp] = {
        s.employee_id: s
        for s in await _rows(session, ScoreSkp, tenant, ids, ScoreSkp.year == span.year)
    }
    rows: dict[str, ScoreEmployee] = {
        r.employee_id: r
        for r in await _rows(
            session, ScoreEmployee, tenant, ids, ScoreEmployee.period == span.label
        )
    }
    activities: dict[str, list[ScoreActivity]] = defaultdict(list)
    if not span.annual:
        found = await _rows(
            session,
            ScoreActivity,
            tenant,
            ids,
            col(ScoreActivity.activity_date) >= span.start,
            col(ScoreActivity.activity_date) <= span.end,
        )
        for a in found:
            activities[a.employee_id].append(a)
    units = {
        u.unit_id: u
        for u in (
            await session.exec(
                select(OrgUnit).where(
                    OrgUnit.tenant == tenant,
                    col(OrgUnit.unit_id).in_({p.unit_id for p in people}),
                )
            )
        ).all()
    }
    return [
        employee_legacy(
            span,
            p,
            units.get(p.unit_id),
            skps.get(p.employee_id),
            rows.get(p.employee_id),
            activities.get(p.employee_id, []),
            settings,
        )
        for p in people
    ]
