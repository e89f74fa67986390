"""The legacy numeric score of PP 46/2011 (domain.md), as pure functions.

Regencies that still pay allowances (TPP) from it turn it on per tenant. An SKP's RHK are
its tasks; an RHK's indicators give the task's aspects by their ``aspect``: kuantitas and
kualitas as realisation / target x 100, waktu and biaya by the efficiency formula. Each
aspect of a task is the mean of its indicators; the task score the mean of its aspects;
the SKP score the mean over the counted tasks; the total 60 % SKP + 40 % behaviour, where
behaviour (0-100) is the mean of the seven BerAKHLAK ratings in the tenant's points.
Everything is rounded to 2 decimals (half up) as the regulation's tables are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")
RATIO_ASPECTS = ("kuantitas", "kualitas")
EFFICIENCY_ASPECTS = ("waktu", "biaya")
ASPECTS = (*RATIO_ASPECTS, *EFFICIENCY_ASPECTS)


def _round2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def legacy_ratio(realisation: float, target: float) -> Decimal:
    """Quantity or quality: realisation / target x 100."""
    return Decimal(str(realisation)) / Decimal(str(target)) * 100


def legacy_efficiency(target: float, realisation: float) -> Decimal:
    """Time (or cost): e = 100 - R/T x 100; e <= 24: (1.76T - R)/T x 100,
    else 76 - [((1.76T - R)/T x 100) - 100]."""
    t, r = Decimal(str(target)), Decimal(str(realisation))
    e = 100 - r / t * 100
    base = (Decimal("1.76") * t - r) / t * 100
    return base if e <= 24 else 76 - (base - 100)


def legacy_task_score(
    *,
    quantity: tuple[float, float],
    quality: tuple[float, float],
    time: tuple[float, float],
    cost: tuple[float, float] | None = None,
) -> Decimal:
    """Mean of the aspects of one task, each (target, realisation); cost skipped at 0."""
    aspects = [
        legacy_ratio(quantity[1], quantity[0]),
        legacy_ratio(quality[1], quality[0]),
        legacy_efficiency(*time),
    ]
    if cost is not None and cost[0] > 0:
        aspects.append(legacy_efficiency(*cost))
    return _round2(sum(aspects, Decimal(0)) / len(aspects))


def legacy_total(task_scores: Sequence[Decimal], behaviour: float) -> Decimal:
    """60 % of the SKP score (mean over tasks) + 40 % of behaviour (0-100)."""
    skp = sum(task_scores, Decimal(0)) / len(task_scores)
    return _round2(skp * Decimal("0.6") + Decimal(str(behaviour)) * Decimal("0.4"))


LEGACY_BANDS = (
    (Decimal(91), "Sangat Baik"),
    (Decimal(76), "Baik"),
    (Decimal(61), "Cukup"),
    (Decimal(51), "Kurang"),
)


def legacy_band(score: Decimal) -> str:
    """>= 91 Sangat Baik, 76-90 Baik, 61-75 Cukup, 51-60 Kurang, <= 50 Buruk (a score
    between two bands, e.g. 90.5, falls in the lower one)."""
    for lowest, label in LEGACY_BANDS:
        if score >= lowest:
            return label
    return "Buruk"


# ---------------------------------------------------------------- the wired score


@dataclass(frozen=True, slots=True)
class Measure:
    """One indicator of a task for the period: its aspect, target and realisation."""

    aspect: str
    target: float
    realisation: float | None


@dataclass(frozen=True, slots=True)
class LegacyTask:
    """One task (RHK): each aspect's value (None: not measured) and the task's score."""

    aspects: dict[str, Decimal | None]
    score: Decimal | None


def aspect_value(aspect: str, target: float, realisation: float | None) -> Decimal | None:
    """One indicator's aspect value, or None when it does not count: a target of 0 (cost
    without a budget, as PP 46/2011 says), or a time or cost not yet realised. A quantity
    or quality with nothing realised yet counts as 0."""
    if target <= 0:
        return None
    if aspect in RATIO_ASPECTS:
        return legacy_ratio(realisation or 0.0, target)
    if realisation is None or realisation <= 0:
        return None
    return legacy_efficiency(target, realisation)


def legacy_task(measures: Sequence[Measure]) -> LegacyTask:
    """A task's aspects (the mean of their indicators) and score (the mean of the aspects
    that count); a task without any counted aspect has no score."""
    aspects: dict[str, Decimal | None] = {}
    for aspect in ASPECTS:
        values = [
            v
            for m in measures
            if m.aspect == aspect
            and (v := aspect_value(m.aspect, m.target, m.realisation)) is not None
        ]
        if values:
            aspects[aspect] = _round2(sum(values, Decimal(0)) / len(values))
        elif any(m.aspect == aspect for m in measures):
            aspects[aspect] = None
    counted = [v for v in aspects.values() if v is not None]
    score = _round2(sum(counted, Decimal(0)) / len(counted)) if counted else None
    return LegacyTask(aspects, score)


def legacy_behaviour(ratings: Mapping[str, str], points: Mapping[str, float]) -> Decimal | None:
    """Behaviour 0-100: the mean of the BerAKHLAK ratings in the tenant's points (None
    before the supervisor rated any value)."""
    worth = [Decimal(str(points[r])) for r in ratings.values() if r in points]
    return _round2(sum(worth, Decimal(0)) / len(worth)) if worth else None


@dataclass(frozen=True, slots=True)
class LegacyScore:
    skp: Decimal | None
    behaviour: Decimal | None
    total: Decimal | None
    band: str | None


def legacy_score(task_scores: Sequence[Decimal | None], behaviour: Decimal | None) -> LegacyScore:
    """SKP score (mean over the tasks that have one), and with behaviour the total and
    its band; without either, what can be said so far."""
    scored = [s for s in task_scores if s is not None]
    skp = _round2(sum(scored, Decimal(0)) / len(scored)) if scored else None
    if skp is None or behaviour is None:
        return LegacyScore(skp, behaviour, None, None)
    total = legacy_total([skp], float(behaviour))
    return LegacyScore(skp, behaviour, total, legacy_band(total))


def period_target(target: float, aggregation: str, months: int) -> float:
    """An annual target's share for a TPP period of ``months``: a summed indicator's
    target in proportion (12 a year is 1 a month); a mean or latest one stays as set."""
    return target * months / 12 if aggregation == "sum" else target
