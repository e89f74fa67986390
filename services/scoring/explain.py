"""How each figure was computed, in plain English (an ASN must understand how they are
assessed): one ``explain_*`` function per figure the service shows. Re-exported by
``domain`` (callers use ``d.explain_*``); domain's types are imported for annotations only,
so the two modules do not import each other at run time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from services.common.events import Aggregation, Direction, Rating, TenantSettings

if TYPE_CHECKING:
    from services.scoring.domain import IndicatorFigures, IndicatorSpec, Predikat


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def explain_indicator(
    spec: IndicatorSpec, figures: IndicatorFigures, share: float, cap: float
) -> str:
    if figures.realisation is None:
        return (
            f"{spec.name}: no observation logged yet, so no achievement "
            f"({spec.aggregation.value} of the logged values, target {_num(spec.target)} "
            f"{spec.unit})."
        )
    agg = {
        Aggregation.SUM: "sum of the logged amounts",
        Aggregation.MEAN: "mean of the logged values",
        Aggregation.LATEST: "latest logged value",
    }[spec.aggregation]
    if spec.direction == Direction.LOWER_IS_BETTER:
        formula = f"target {_num(spec.target)} / realisation {_num(figures.realisation)} x 100"
        rule = "lower is better"
    else:
        formula = f"realisation {_num(figures.realisation)} / target {_num(spec.target)} x 100"
        rule = "higher is better"
    text = (
        f"{spec.name}: realisation {_num(figures.realisation)} {spec.unit} ({agg}); "
        f"achievement {_pct(figures.achievement)} = {formula} ({rule}, capped at {cap:g}%)."
    )
    if spec.aggregation == Aggregation.SUM:
        text += (
            f" {share * 100:.1f}% of the period's working days have passed, so "
            f"{_num(round(figures.expected_to_date or 0, 2))} {spec.unit} were expected by now;"
        )
        if figures.projected_achievement is None:
            text += " the period has not started, so nothing is projected."
        else:
            text += (
                f" at this pace the period ends at "
                f"{_num(round(figures.projected_realisation or 0, 2))} {spec.unit}, "
                f"a projected achievement of {_pct(figures.projected_achievement)}."
            )
    else:
        text += " The projection uses the current value as the end-of-period value."
    return text


def explain_overall(
    achievement_value: float | None, rhk_count: int, count_tambahan: bool, projected: bool
) -> str:
    which = "projected " if projected else ""
    scope = "utama and tambahan" if count_tambahan else "utama"
    return (
        f"Overall {which}achievement {_pct(achievement_value)}: the mean of the {which}"
        f"achievement of {rhk_count} RHK ({scope}); each RHK is the mean of its indicators, "
        f"weighted when every indicator has a weight."
    )


def explain_projected_rating(
    value: float | None, rating: Rating | None, settings: TenantSettings
) -> str:
    if rating is None:
        return "No projected rating yet: no indicator has an achievement."
    return (
        f"Projected Hasil Kerja rating {rating.value}: projected achievement {_pct(value)} "
        f"(>= {settings.rating_above_threshold:g}% di atas, >= "
        f"{settings.rating_meets_threshold:g}% sesuai, else di bawah). An estimate for "
        f"acting before the period ends, not the supervisor's rating."
    )


def explain_predikat(
    result: Rating | None, behaviour: Rating | None, value: Predikat | None, *, final: bool
) -> str:
    if value is None or result is None or behaviour is None:
        if final:
            return "No final predikat: the supervisor has not submitted an assessment."
        return "No projected predikat yet."
    source = (
        "the supervisor's assessment (or an accepted objection)"
        if final
        else "the projected result rating and the latest supervisor behaviour rating "
        "(sesuai assumed when there is none)"
    )
    return (
        f"{'Final' if final else 'Projected'} predikat {value.label}: Hasil Kerja "
        f"{result.value} x Perilaku {behaviour.value} in the PermenPANRB 6/2022 matrix, "
        f"from {source}."
    )


def explain_behaviour(ratings: Mapping[str, str], overall: Rating | None, above_min: int) -> str:
    if overall is None:
        return "No behaviour rating yet."
    below = sum(1 for r in ratings.values() if r == Rating.DI_BAWAH)
    above = sum(1 for r in ratings.values() if r == Rating.DI_ATAS)
    return (
        f"Perilaku {overall.value}: {above} of {len(ratings)} values di atas, {below} di bawah "
        f"(any di bawah gives di bawah; at least {above_min} di atas and none di bawah gives "
        f"di atas; else sesuai)."
    )


def explain_ikm(ikm: float | None, category: str | None, responses: int, minimum: int) -> str:
    if ikm is None:
        return "No survey yet."
    provisional = " (provisional: below the minimum sample)" if responses < minimum else ""
    return (
        f"IKM {ikm:.2f} category {category} from {responses} responses{provisional}: "
        f"25 x the sum of the nine element means x 1/9 (PermenPANRB 14/2017)."
    )
