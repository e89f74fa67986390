"""The scoring rules of domain.md, as pure functions: no I/O, no clock, no database.

Every figure the service shows is computed here, and every figure has an ``explain_*``
function that says in plain English how it was computed (an ASN must understand how they
are assessed). Percentages are floats rounded only for display; the legacy PP 46/2011
score rounds to 2 decimals (half up) as the regulation's tables do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from services.common.events import (
    Aggregation,
    BerAkhlak,
    ComplaintStatus,
    Direction,
    Rating,
    TenantSettings,
)
from services.common.workdays import working_days_between as _working_days_between

# Pure and called for every employee of every batch with few distinct arguments.
working_days_between = lru_cache(maxsize=8192)(_working_days_between)

# ---------------------------------------------------------------- predikat


class Predikat(StrEnum):
    """Predikat Kinerja of PermenPANRB 6/2022, best first."""

    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()

    @property
    def level(self) -> int:
        """5 for Sangat Baik down to 1 for Sangat Kurang."""
        return 5 - list(Predikat).index(self)


# Hasil Kerja (rows) x Perilaku (columns). Behaviour di bawah caps the result at Kurang
# even when results are sesuai or di atas: it is not the max of the two.
PREDIKAT_MATRIX: dict[Rating, dict[Rating, Predikat]] = {
    Rating.DI_ATAS: {
        Rating.DI_BAWAH: Predikat.KURANG,
        Rating.SESUAI: Predikat.BAIK,
        Rating.DI_ATAS: Predikat.SANGAT_BAIK,
    },
    Rating.SESUAI: {
        Rating.DI_BAWAH: Predikat.KURANG,
        Rating.SESUAI: Predikat.BAIK,
        Rating.DI_ATAS: Predikat.BAIK,
    },
    Rating.DI_BAWAH: {
        Rating.DI_BAWAH: Predikat.SANGAT_KURANG,
        Rating.SESUAI: Predikat.BUTUH_PERBAIKAN,
        Rating.DI_ATAS: Predikat.BUTUH_PERBAIKAN,
    },
}


def predikat(result: Rating, behaviour: Rating) -> Predikat:
    return PREDIKAT_MATRIX[result][behaviour]


def overall_behaviour(ratings: Mapping[BerAkhlak, Rating], above_min_count: int) -> Rating | None:
    """Overall Perilaku from the value ratings: any di bawah -> di bawah; at least
    ``above_min_count`` di atas (and none di bawah) -> di atas; else sesuai."""
    if not ratings:
        return None
    values = list(ratings.values())
    if Rating.DI_BAWAH in values:
        return Rating.DI_BAWAH
    if values.count(Rating.DI_ATAS) >= above_min_count:
        return Rating.DI_ATAS
    return Rating.SESUAI


def projected_rating(achievement: float | None, settings: TenantSettings) -> Rating | None:
    if achievement is None:
        return None
    if achievement >= settings.rating_above_threshold:
        return Rating.DI_ATAS
    if achievement >= settings.rating_meets_threshold:
        return Rating.SESUAI
    return Rating.DI_BAWAH


# ---------------------------------------------------------------- achievement


def achievement(realisation: float, target: float, direction: Direction, cap: float) -> float:
    """Capaian in percent, capped. Lower-is-better with a realisation of 0 scores the cap."""
    if direction == Direction.LOWER_IS_BETTER:
        if realisation <= 0:
            return cap
        return min(target / realisation * 100.0, cap)
    return min(realisation / target * 100.0, cap)


@dataclass(slots=True)
class IndicatorState:
    """What a projection keeps per indicator to aggregate its realisation."""

    total: float = 0.0
    count: int = 0
    latest: float | None = None
    latest_key: str | None = None  # "<activity date>|<occurred at>|<activity id>"

    def realisation(self, aggregation: Aggregation) -> float | None:
        """sum: total so far (0 without entries); mean/latest: None without entries."""
        if aggregation == Aggregation.SUM:
            return self.total
        if self.count == 0:
            return None
        if aggregation == Aggregation.MEAN:
            return self.total / self.count
        return self.latest


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    indicator_id: str
    name: str
    target: float
    unit: str
    direction: Direction
    aggregation: Aggregation
    weight: float | None = None


@dataclass(frozen=True, slots=True)
class IndicatorFigures:
    indicator_id: str
    realisation: float | None
    achievement: float | None
    expected_to_date: float | None  # sum: target x elapsed share; mean/latest: the target
    projected_realisation: float | None
    projected_achievement: float | None


def indicator_figures(
    spec: IndicatorSpec, state: IndicatorState, share: float, cap: float
) -> IndicatorFigures:
    """Current and projected achievement of one indicator at ``share`` of the period.

    For ``sum`` the end-of-period realisation is projected linearly: realisation / share
    (so for higher-is-better the projected achievement is achievement / share, as
    domain.md says); before the period starts (share 0) nothing is projected. ``mean``
    and ``latest`` project their current value.
    """
    real = state.realisation(spec.aggregation)
    if real is None:
        return IndicatorFigures(spec.indicator_id, None, None, spec.target, None, None)
    current = achievement(real, spec.target, spec.direction, cap)
    if spec.aggregation == Aggregation.SUM:
        expected = spec.target * share
        projected_real = real / share if share > 0 else None
    else:
        expected = spec.target
        projected_real = real
    projected = (
        None
        if projected_real is None
        else achievement(projected_real, spec.target, spec.direction, cap)
    )
    return IndicatorFigures(spec.indicator_id, real, current, expected, projected_real, projected)


def mean_achievement(values: Sequence[tuple[float | None, float | None]]) -> float | None:
    """Mean of (achievement, weight) pairs, skipping unknown achievements.

    Weighted when every counted indicator has a weight, else the plain mean (a partial
    weighting would be a guess about the missing weights).
    """
    known = [(a, w) for a, w in values if a is not None]
    if not known:
        return None
    if all(w is not None for _, w in known):
        total_weight = sum(w for _, w in known if w is not None)
        return sum(a * w for a, w in known if w is not None) / total_weight
    return sum(a for a, _ in known) / len(known)


def overall_achievement(
    rhks: Iterable[tuple[str, float | None]], count_tambahan: bool
) -> float | None:
    """Mean of the RHK achievements of kind utama (and tambahan if the tenant says so)."""
    counted = [a for kind, a in rhks if a is not None and (kind == "utama" or count_tambahan)]
    return sum(counted) / len(counted) if counted else None


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class PeriodSpan:
    kind: str  # annual | monthly | quarterly
    label: str
    start: date
    end: date


def annual_period(year: int) -> PeriodSpan:
    return PeriodSpan("annual", str(year), date(year, 1, 1), date(year, 12, 31))


def cadence_period(day: date, cadence: str) -> PeriodSpan:
    """The tenant's monthly or quarterly assessment period containing ``day``."""
    if cadence == "quarterly":
        quarter = (day.month - 1) // 3
        start = date(day.year, quarter * 3 + 1, 1)
        label = f"{day.year}-Q{quarter + 1}"
        months = 3
    else:
        start = date(day.year, day.month, 1)
        label = f"{day.year}-{day.month:02d}"
        months = 1
    month = start.month + months
    following = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return PeriodSpan(cadence, label, start, following - timedelta(days=1))


def period_share(span: PeriodSpan, today: date) -> float:
    """Share of the period's working days passed by the end of ``today`` (0 before it)."""
    if today < span.start:
        return 0.0
    total = working_days_between(span.start, span.end)
    return working_days_between(span.start, min(today, span.end)) / total if total else 1.0


# ---------------------------------------------------------------- alert conditions

BEHIND_TARGET_BELOW = 80.0
BEHIND_TARGET_AFTER_SHARE = 0.25
SILENT_WORKING_DAYS = 5
DUE_WITHIN_WORKING_DAYS = 5


def behind_target(figures: Iterable[IndicatorFigures], share: float) -> list[str]:
    """Indicators whose projected achievement is below 80 % once 25 % of the period passed."""
    if share < BEHIND_TARGET_AFTER_SHARE:
        return []
    return [
        f.indicator_id
        for f in figures
        if f.projected_achievement is not None and f.projected_achievement < BEHIND_TARGET_BELOW
    ]


def is_silent(since: date, today: date) -> bool:
    """No activity for 5 full working days: counted after ``since`` up to yesterday."""
    return (
        working_days_between(since + timedelta(days=1), today - timedelta(days=1))
        >= SILENT_WORKING_DAYS
    )


def assessment_due(span: PeriodSpan, today: date) -> bool:
    """The period ends within 5 working days (today included) and has not ended."""
    if today > span.end or today < span.start:
        return False
    return working_days_between(today, span.end) <= DUE_WITHIN_WORKING_DAYS


def predikat_drop_from(
    previous: Predikat | None, current: Predikat | None, dropped_from: Predikat | None
) -> Predikat | None:
    """The level a projected predikat fell from, while it stays below it (None: no drop)."""
    if current is None:
        return dropped_from
    if dropped_from is not None:
        return None if current.level >= dropped_from.level else dropped_from
    if previous is not None and current.level < previous.level:
        return previous
    return None


# ---------------------------------------------------------------- alerts: who is told what

# The alert kinds whose subject is an employee (told to the employee's supervisor).
EMPLOYEE_KINDS = ("behind_target", "silent", "assessment_due", "predikat_drop")
OPEN_COMPLAINT = frozenset(
    {ComplaintStatus.RECEIVED, ComplaintStatus.VERIFIED, ComplaintStatus.IN_PROGRESS}
)
# IKM categories (PermenPANRB 14/2017) below "Baik" that alert the unit's head.
POOR_SERVICE_CATEGORIES = ("C", "D")


def employee_alert_recipient(
    supervisor_id: str | None, kepala_daerah: str | None = None
) -> str | None:
    """Employee alerts go to the direct supervisor; for an employee without one, to the
    regency's kepala daerah account (domain.md, "Top of the chain"); else to nobody."""
    return supervisor_id or kepala_daerah or None


# ---------------------------------------------------------------- distribution curve


@dataclass(frozen=True, slots=True)
class Quota:
    """A limit on the share of employees with any of ``predikats``."""

    predikats: frozenset[Predikat]
    at_most: float | None = None  # share 0..1
    at_least: float | None = None  # share 0..1; a tiny value means "some must exist"
    text: str = ""


# The quotas per organisation predikat. Only the two curves domain.md states are filled;
# a regency whose organisation predikat has no curve here is shown without quota checks.
DISTRIBUTION_QUOTAS: dict[Predikat, tuple[Quota, ...]] = {
    Predikat.BAIK: (
        Quota(frozenset({Predikat.BAIK}), at_most=0.70, text="at most 70 % Baik"),
        Quota(
            frozenset({Predikat.BUTUH_PERBAIKAN, Predikat.KURANG}),
            at_least=1e-9,
            text="some Butuh Perbaikan or Kurang must exist",
        ),
    ),
    Predikat.BUTUH_PERBAIKAN: (
        Quota(
            frozenset({Predikat.BUTUH_PERBAIKAN}),
            at_least=0.60,
            text="at least 60 % Butuh Perbaikan",
        ),
        Quota(frozenset({Predikat.SANGAT_BAIK}), at_most=0.10, text="at most 10 % Sangat Baik"),
    ),
}


@dataclass(frozen=True, slots=True)
class QuotaCheck:
    rule: str
    share: float
    breached: bool


def check_distribution(organisation: Predikat, counts: Mapping[Predikat, int]) -> list[QuotaCheck]:
    total = sum(counts.values())
    checks = []
    for quota in DISTRIBUTION_QUOTAS.get(organisation, ()):
        share = sum(counts.get(p, 0) for p in quota.predikats) / total if total else 0.0
        breached = total > 0 and (
            (quota.at_most is not None and share > quota.at_most)
            or (quota.at_least is not None and share < quota.at_least)
        )
        checks.append(QuotaCheck(quota.text, share, breached))
    return checks


# The explanations live in their own module (this one holds the rules); callers keep
# using ``d.explain_*``.
from services.scoring.explain import (  # noqa: E402, I001
    explain_behaviour as explain_behaviour,
    explain_ikm as explain_ikm,
    explain_indicator as explain_indicator,
    explain_overall as explain_overall,
    explain_predikat as explain_predikat,
    explain_projected_rating as explain_projected_rating,
)
