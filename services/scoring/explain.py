"""How each figure was computed (an ASN must understand how they are assessed): one
``explain_*`` function per figure the service shows, each giving the explanation as
sentences of structured data (``Part``: an English template and its parameters) so a page
renders it in the reader's language (the templates' Indonesian lives in the gateway's
catalog, ``gateway_pegawai.po``). ``english`` gives the English prose the API has always
answered in ``explanation``. Re-exported by ``domain`` (callers use ``d.explain_*``);
domain's types are imported for annotations only, so the two modules do not import each
other at run time.

Parameter conventions the renderers share: a key ending in ``_pct`` is a percentage,
``ikm`` has two decimals, ``predikat`` and ``rating``/``result``/``behaviour`` are codes
(the reader's page shows their words), other numbers are plain numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from services.common.events import Aggregation, Direction, Rating, TenantSettings

if TYPE_CHECKING:
    from services.scoring.domain import IndicatorFigures, IndicatorSpec, Predikat

Param = str | float | int | None


class Part(BaseModel):
    """One sentence of an explanation: an English template (a catalog msgid) and its
    parameters (numbers and codes, never prose)."""

    message: str
    params: dict[str, Param] = Field(default_factory=dict)


def _part(message: str, **params: Param) -> Part:
    return Part(message=message, params=params)


def _en(key: str, value: Param) -> str:
    if value is None:
        return "n/a"
    if key.endswith("_pct"):
        return f"{float(value):.1f}%"
    if key == "ikm":
        return f"{float(value):.2f}"
    if key == "predikat":
        return str(value).replace("_", " ").title()
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value)


def english(parts: Sequence[Part]) -> str:
    """The explanation as English prose (the API's ``explanation`` strings)."""
    return " ".join(
        p.message.format_map({k: _en(k, v) for k, v in p.params.items()}) for p in parts
    )


_AGGREGATED = {
    Aggregation.SUM: "{name}: realisation {realisation} {unit} (sum of the logged amounts);",
    Aggregation.MEAN: "{name}: realisation {realisation} {unit} (mean of the logged values);",
    Aggregation.LATEST: "{name}: realisation {realisation} {unit} (latest logged value);",
}
_FORMULA = {
    Direction.HIGHER_IS_BETTER: "achievement {achievement_pct} = realisation {realisation} / "
    "target {target} x 100 (higher is better, capped at {cap}%).",
    Direction.LOWER_IS_BETTER: "achievement {achievement_pct} = target {target} / "
    "realisation {realisation} x 100 (lower is better, capped at {cap}%).",
}


def explain_indicator_parts(
    spec: IndicatorSpec, figures: IndicatorFigures, share: float, cap: float
) -> list[Part]:
    common: dict[str, Param] = {"name": spec.name, "unit": spec.unit, "target": spec.target}
    if figures.realisation is None:
        return [
            _part(
                "{name}: no observation logged yet, so no achievement ({aggregation} of the "
                "logged values, target {target} {unit}).",
                aggregation=spec.aggregation.value,
                **common,
            )
        ]
    values: dict[str, Param] = {
        **common,
        "realisation": figures.realisation,
        "achievement_pct": figures.achievement,
        "cap": cap,
    }
    parts = [
        _part(_AGGREGATED[spec.aggregation], **values),
        _part(_FORMULA[spec.direction], **values),
    ]
    if spec.aggregation != Aggregation.SUM:
        parts.append(_part("The projection uses the current value as the end-of-period value."))
        return parts
    parts.append(
        _part(
            "{share_pct} of the period's working days have passed, so {expected} {unit} were "
            "expected by now;",
            share_pct=share * 100,
            expected=round(figures.expected_to_date or 0, 2),
            unit=spec.unit,
        )
    )
    if figures.projected_achievement is None:
        parts.append(_part("the period has not started, so nothing is projected."))
    else:
        parts.append(
            _part(
                "at this pace the period ends at {projected} {unit}, a projected achievement "
                "of {projected_pct}.",
                projected=round(figures.projected_realisation or 0, 2),
                unit=spec.unit,
                projected_pct=figures.projected_achievement,
            )
        )
    return parts


def explain_overall_parts(
    achievement_value: float | None, rhk_count: int, count_tambahan: bool, projected: bool
) -> list[Part]:
    key = (projected, count_tambahan)
    template = {
        (False, False): "Overall achievement {achievement_pct}: the mean of the achievement "
        "of {count} RHK (utama);",
        (False, True): "Overall achievement {achievement_pct}: the mean of the achievement "
        "of {count} RHK (utama and tambahan);",
        (True, False): "Overall projected achievement {achievement_pct}: the mean of the "
        "projected achievement of {count} RHK (utama);",
        (True, True): "Overall projected achievement {achievement_pct}: the mean of the "
        "projected achievement of {count} RHK (utama and tambahan);",
    }[key]
    return [
        _part(template, achievement_pct=achievement_value, count=rhk_count),
        _part(
            "each RHK is the mean of its indicators, weighted when every indicator has a weight."
        ),
    ]


def explain_projected_rating_parts(
    value: float | None, rating: Rating | None, settings: TenantSettings
) -> list[Part]:
    if rating is None:
        return [_part("No projected rating yet: no indicator has an achievement.")]
    return [
        _part(
            "Projected Hasil Kerja rating {rating}: projected achievement {achievement_pct} "
            "(>= {above}% di atas, >= {meets}% sesuai, else di bawah).",
            rating=rating.value,
            achievement_pct=value,
            above=settings.rating_above_threshold,
            meets=settings.rating_meets_threshold,
        ),
        _part("An estimate for acting before the period ends, not the supervisor's rating."),
    ]


def explain_predikat_parts(
    result: Rating | None, behaviour: Rating | None, value: Predikat | None, *, final: bool
) -> list[Part]:
    if value is None or result is None or behaviour is None:
        if final:
            return [_part("No final predikat: the supervisor has not submitted an assessment.")]
        return [_part("No projected predikat yet.")]
    params: dict[str, Param] = {
        "predikat": value.value,
        "result": result.value,
        "behaviour": behaviour.value,
    }
    if final:
        return [
            _part(
                "Final predikat {predikat}: Hasil Kerja {result} x Perilaku {behaviour} in the "
                "PermenPANRB 6/2022 matrix, from the supervisor's assessment (or an accepted "
                "objection).",
                **params,
            )
        ]
    return [
        _part(
            "Projected predikat {predikat}: Hasil Kerja {result} x Perilaku {behaviour} in the "
            "PermenPANRB 6/2022 matrix, from the projected result rating and the latest "
            "supervisor behaviour rating (sesuai assumed when there is none).",
            **params,
        )
    ]


def explain_behaviour_parts(
    ratings: Mapping[str, str], overall: Rating | None, above_min: int
) -> list[Part]:
    if overall is None:
        return [_part("No behaviour rating yet.")]
    return [
        _part(
            "Perilaku {rating}: {above} of {count} values di atas, {below} di bawah (any di "
            "bawah gives di bawah; at least {above_min} di atas and none di bawah gives di "
            "atas; else sesuai).",
            rating=overall.value,
            above=sum(1 for r in ratings.values() if r == Rating.DI_ATAS),
            count=len(ratings),
            below=sum(1 for r in ratings.values() if r == Rating.DI_BAWAH),
            above_min=above_min,
        )
    ]


def explain_ikm_parts(
    ikm: float | None, category: str | None, responses: int, minimum: int
) -> list[Part]:
    if ikm is None:
        return [_part("No survey yet.")]
    template = (
        "IKM {ikm} category {category} from {responses} responses (provisional: below the "
        "minimum sample):"
        if responses < minimum
        else "IKM {ikm} category {category} from {responses} responses:"
    )
    return [
        _part(template, ikm=ikm, category=category, responses=responses),
        _part("25 x the sum of the nine element means x 1/9 (PermenPANRB 14/2017)."),
    ]


# The English prose of each figure, as the API has answered it so far.


def explain_indicator(
    spec: IndicatorSpec, figures: IndicatorFigures, share: float, cap: float
) -> str:
    return english(explain_indicator_parts(spec, figures, share, cap))


def explain_overall(
    achievement_value: float | None, rhk_count: int, count_tambahan: bool, projected: bool
) -> str:
    return english(explain_overall_parts(achievement_value, rhk_count, count_tambahan, projected))


def explain_projected_rating(
    value: float | None, rating: Rating | None, settings: TenantSettings
) -> str:
    return english(explain_projected_rating_parts(value, rating, settings))


def explain_predikat(
    result: Rating | None, behaviour: Rating | None, value: Predikat | None, *, final: bool
) -> str:
    return english(explain_predikat_parts(result, behaviour, value, final=final))


def explain_behaviour(ratings: Mapping[str, str], overall: Rating | None, above_min: int) -> str:
    return english(explain_behaviour_parts(ratings, overall, above_min))


def explain_ikm(ikm: float | None, category: str | None, responses: int, minimum: int) -> str:
    return english(explain_ikm_parts(ikm, category, responses, minimum))
