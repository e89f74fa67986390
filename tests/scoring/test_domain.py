"""The pure scoring rules, against domain.md's vectors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.common.events import Aggregation, BerAkhlak, Direction, Rating, TenantSettings
from services.common.skm import ikm
from services.scoring import alert_text as at
from services.scoring import domain as d
from services.scoring import legacy as lg
from services.scoring.domain import Predikat

pytestmark = pytest.mark.unit

A, S, B = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH


@pytest.mark.parametrize(
    ("result", "behaviour", "expected"),
    [
        (A, B, Predikat.KURANG),  # the corner a max() implementation gets wrong
        (S, B, Predikat.KURANG),  # the other one
        (A, S, Predikat.BAIK),
        (A, A, Predikat.SANGAT_BAIK),
        (S, S, Predikat.BAIK),
        (S, A, Predikat.BAIK),
        (B, B, Predikat.SANGAT_KURANG),
        (B, S, Predikat.BUTUH_PERBAIKAN),
        (B, A, Predikat.BUTUH_PERBAIKAN),
    ],
)
def test_predikat_matrix(result: Rating, behaviour: Rating, expected: Predikat) -> None:
    assert d.predikat(result, behaviour) is expected


def _values(*ratings: Rating) -> dict[BerAkhlak, Rating]:
    return dict(zip(BerAkhlak, ratings, strict=False))


def test_overall_behaviour() -> None:
    assert d.overall_behaviour(_values(A, A, A, A, A, A, B), 4) is B
    assert d.overall_behaviour(_values(A, A, A, A, S, S, S), 4) is A
    assert d.overall_behaviour(_values(A, A, A, S, S, S, S), 4) is S
    assert d.overall_behaviour(_values(A, A, A, S, S, S, S), 3) is A  # per tenant
    assert d.overall_behaviour({}, 4) is None


def test_achievement_direction_and_cap() -> None:
    up, down = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
    assert d.achievement(180, 200, up, 120) == 90
    assert d.achievement(300, 200, up, 120) == 120
    assert d.achievement(300, 200, up, 150) == 150
    assert d.achievement(4, 3, down, 120) == 75
    assert d.achievement(2, 3, down, 120) == 120  # 150 capped
    assert d.achievement(0, 3, down, 120) == 120  # zero days where lower is better: the cap


def test_aggregation_sum_mean_latest() -> None:
    state = d.IndicatorState(total=12, count=3, latest=2)
    assert state.realisation(Aggregation.SUM) == 12
    assert state.realisation(Aggregation.MEAN) == 4
    assert state.realisation(Aggregation.LATEST) == 2
    empty = d.IndicatorState()
    assert empty.realisation(Aggregation.SUM) == 0
    assert empty.realisation(Aggregation.MEAN) is None


def _spec(aggregation: Aggregation, direction: Direction = Direction.HIGHER_IS_BETTER):
    return d.IndicatorSpec("i", "KTP", 200, "dokumen", direction, aggregation)


def test_pace_of_a_sum_indicator() -> None:
    figures = d.indicator_figures(_spec(Aggregation.SUM), d.IndicatorState(60, 6), 0.5, 120)
    assert figures.achievement == 30
    assert figures.expected_to_date == 100
    assert figures.projected_realisation == 120
    assert figures.projected_achievement == 60  # achievement / elapsed share
    capped = d.indicator_figures(_spec(Aggregation.SUM), d.IndicatorState(150, 1), 0.5, 120)
    assert capped.projected_achievement == 120
    before = d.indicator_figures(_spec(Aggregation.SUM), d.IndicatorState(0, 0), 0.0, 120)
    assert before.projected_achievement is None


def test_mean_and_latest_project_the_current_value() -> None:
    spec = d.IndicatorSpec("i", "days", 3, "hari", Direction.LOWER_IS_BETTER, Aggregation.MEAN)
    figures = d.indicator_figures(spec, d.IndicatorState(total=8, count=2, latest=5), 0.3, 120)
    assert figures.realisation == 4
    assert figures.achievement == figures.projected_achievement == 75
    assert figures.expected_to_date == 3


def test_rhk_and_overall_achievement() -> None:
    assert d.mean_achievement([(80, None), (100, 3)]) == 90  # not all weighted: plain mean
    assert d.mean_achievement([(80, 1), (100, 3)]) == 95
    assert d.mean_achievement([(None, 1), (100, 3)]) == 100
    assert d.mean_achievement([(None, None)]) is None
    rhks = [("utama", 90.0), ("utama", 110.0), ("tambahan", 10.0)]
    assert d.overall_achievement(rhks, count_tambahan=False) == 100
    assert d.overall_achievement(rhks, count_tambahan=True) == 70


def test_projected_rating_thresholds_per_tenant() -> None:
    default = TenantSettings()
    assert d.projected_rating(110, default) is A
    assert d.projected_rating(109.99, default) is S
    assert d.projected_rating(90, default) is S
    assert d.projected_rating(89.9, default) is B
    strict = TenantSettings(rating_above_threshold=115, rating_meets_threshold=95)
    assert d.projected_rating(110, strict) is S
    assert d.projected_rating(None, default) is None


def test_legacy_time_vectors() -> None:
    assert lg.legacy_efficiency(12, 12) == Decimal(76)
    assert lg.legacy_efficiency(12, 9).quantize(Decimal("0.01")) == Decimal("75.00")
    assert lg.legacy_efficiency(12, 10).quantize(Decimal("0.01")) == Decimal("92.67")
    task = lg.legacy_task_score(quantity=(10, 10), quality=(100, 100), time=(12, 12))
    assert task == Decimal("92.00")
    with_zero_cost = lg.legacy_task_score(
        quantity=(10, 10), quality=(100, 100), time=(12, 12), cost=(0, 0)
    )
    assert with_zero_cost == Decimal("92.00")  # cost skipped when its target is 0


def test_legacy_total_and_bands() -> None:
    assert lg.legacy_total([Decimal("92.00")], 80) == Decimal("87.20")
    assert [lg.legacy_band(Decimal(v)) for v in (91, 90, 76, 75, 61, 60, 51, 50)] == [
        "Sangat Baik",
        "Baik",
        "Baik",
        "Cukup",
        "Cukup",
        "Kurang",
        "Kurang",
        "Buruk",
    ]


def test_ikm_is_the_shared_exact_rule() -> None:
    assert ikm([[3] * 9]).ikm == Decimal("75.00") and ikm([[3] * 9]).category == "C"
    assert ikm([[4] * 9]).category == "A"


@pytest.mark.parametrize(
    ("organisation", "counts", "breaches"),
    [
        # Baik organisation: 80 % Baik breaks "at most 70 %", and none below Baik.
        (Predikat.BAIK, {Predikat.BAIK: 8, Predikat.SANGAT_BAIK: 2}, [True, True]),
        (
            Predikat.BAIK,
            {Predikat.BAIK: 7, Predikat.SANGAT_BAIK: 2, Predikat.KURANG: 1},
            [False, False],
        ),
        # Butuh Perbaikan: >= 60 % Butuh Perbaikan and <= 10 % Sangat Baik.
        (
            Predikat.BUTUH_PERBAIKAN,
            {Predikat.BUTUH_PERBAIKAN: 6, Predikat.BAIK: 3, Predikat.SANGAT_BAIK: 1},
            [False, False],
        ),
        (
            Predikat.BUTUH_PERBAIKAN,
            {Predikat.BUTUH_PERBAIKAN: 5, Predikat.BAIK: 3, Predikat.SANGAT_BAIK: 2},
            [True, True],
        ),
        (Predikat.SANGAT_BAIK, {Predikat.BAIK: 1}, []),  # no curve defined: no checks
    ],
)
def test_distribution_curve(
    organisation: Predikat, counts: dict[Predikat, int], breaches: list[bool]
) -> None:
    assert [c.breached for c in d.check_distribution(organisation, counts)] == breaches


def test_periods_and_share() -> None:
    assert d.cadence_period(date(2026, 2, 10), "monthly").label == "2026-02"
    assert d.cadence_period(date(2026, 2, 10), "monthly").end == date(2026, 2, 28)
    q = d.cadence_period(date(2026, 11, 23), "quarterly")
    assert (q.label, q.start, q.end) == ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    year = d.annual_period(2026)
    assert d.period_share(year, date(2025, 12, 31)) == 0
    assert d.period_share(year, date(2026, 12, 31)) == 1
    assert 0.49 < d.period_share(year, date(2026, 7, 1)) < 0.51


def test_alert_conditions() -> None:
    low = d.IndicatorFigures("i", 10, 10, 50, 40, 79.9)
    ok = d.IndicatorFigures("j", 10, 10, 50, 40, 80)
    assert d.behind_target([low, ok], 0.25) == ["i"]
    assert d.behind_target([low], 0.2) == []
    # Last activity on Monday 2026-11-16: Tue..Fri are 4 days; silent from Tuesday 24th.
    assert not d.is_silent(date(2026, 11, 16), date(2026, 11, 23))
    assert d.is_silent(date(2026, 11, 16), date(2026, 11, 24))
    november = d.cadence_period(date(2026, 11, 1), "monthly")
    assert d.assessment_due(november, date(2026, 11, 24))  # 24..30: 5 working days
    assert not d.assessment_due(november, date(2026, 11, 23))  # 6 working days left
    assert not d.assessment_due(november, date(2026, 12, 1))


def test_predikat_drop_holds_until_it_recovers() -> None:
    baik, bp = Predikat.BAIK, Predikat.BUTUH_PERBAIKAN
    assert d.predikat_drop_from(None, baik, None) is None
    assert d.predikat_drop_from(baik, bp, None) is baik
    assert d.predikat_drop_from(bp, Predikat.KURANG, baik) is baik
    assert d.predikat_drop_from(bp, baik, baik) is None


def test_explanations_name_the_figures() -> None:
    spec = _spec(Aggregation.SUM)
    figures = d.indicator_figures(spec, d.IndicatorState(60, 6), 0.5, 120)
    text = d.explain_indicator(spec, figures, 0.5, 120)
    assert "realisation 60 / target 200 x 100" in text and "projected achievement of 60.0%" in text
    assert "Kurang" in d.explain_predikat(S, B, Predikat.KURANG, final=True)


def test_satisfaction_alert_tells_the_head_of_a_poor_unit_over_the_sample() -> None:
    def told(category: str, responses: int = 30, head: str | None = "h1") -> object:
        return at.satisfaction_alert(
            head_id=head,
            unit_name="Dukcapil",
            ikm=61.5,
            category=category,
            responses=responses,
            min_sample=30,
        )

    assert told("C") == ("h1", "IKM of Dukcapil is 61.50 (category C) from 30 responses.")
    assert told("D") is not None
    assert told("B") is None  # Baik: nothing to act on
    assert told("D", responses=29) is None  # below the regency's minimum sample
    assert told("D", head=None) is None  # nobody to tell


def test_complaint_alert_falls_back_to_the_unit_head() -> None:
    def told(status: str, name: str | None, supervisor: str | None, head: str | None) -> object:
        return at.complaint_alert(
            status=status,
            unit_id="u1",
            officer_name=name,
            officer_supervisor_id=supervisor,
            unit_head_id=head,
        )

    assert told("received", "Budi", "s1", "h1") == ("s1", "A complaint (received) names Budi.")
    # An officer without a supervisor: the unit's head, still naming the officer.
    assert told("verified", "Budi", None, "h1") == ("h1", "A complaint (verified) names Budi.")
    # No officer known: the unit's head, naming the unit.
    assert told("in_progress", None, None, "h1") == (
        "h1",
        "A complaint (in_progress) names unit u1.",
    )
    assert told("received", None, None, None) is None  # nobody to tell
    # With the org chart's unit, a person reads its name, never its id.
    named = at.complaint_told(
        status="received",
        unit_id="u1",
        unit_name="Dukcapil",
        officer_name=None,
        officer_supervisor_id=None,
        unit_head_id="h1",
    )
    assert named == ("h1", {"status": "received", "about": "unit Dukcapil"})
    for closed in ("resolved", "rejected", "not_our_authority", "archived"):
        assert told(closed, "Budi", "s1", "h1") is None


def test_employee_alert_messages() -> None:
    assert d.employee_alert_recipient("s1") == "s1"
    assert d.employee_alert_recipient(None) is None
    assert d.employee_alert_recipient("") is None
    # The top of the chain: the regency's kepala daerah hears about them.
    assert d.employee_alert_recipient(None, "kd") == "kd"
    assert d.employee_alert_recipient("s1", "kd") == "s1"
    assert at.behind_target_message("Budi", [("Reports", 42.4), ("Visits", 79.6)], 0.5, 2026) == (
        "Budi is projected below 80% on: Reports (42%), Visits (80%) (50% of 2026 passed)."
    )
    assert at.silent_message("Budi", date(2026, 3, 2)) == (
        "Budi has logged no activity since 2026-03-02."
    )
    span = d.annual_period(2026)
    assert at.assessment_due_message("Budi", [span]) == (
        "Assess Budi for period 2026 (ends 2026-12-31)."
    )
    assert at.predikat_drop_message("Budi", Predikat.BAIK, Predikat.BUTUH_PERBAIKAN) == (
        f"Budi's projected predikat fell from {Predikat.BAIK.label} to "
        f"{Predikat.BUTUH_PERBAIKAN.label}."
    )
    assert at.predikat_drop_message("Budi", Predikat.BAIK, None).endswith(" to -.")
