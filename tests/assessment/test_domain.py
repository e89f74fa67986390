"""Pure rules of assessment: periods, what each relation rates, aggregation, objection window."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.assessment import domain
from services.common.events import BerAkhlak, Rating, Relation, SelfReport
from services.common.orgchart import check_may_act, check_may_be_acted_upon
from services.common.refusals import BadRequest, Conflict, Forbidden

pytestmark = pytest.mark.unit

ALL_VALUES = {v: Rating.SESUAI for v in BerAkhlak}
RHK = {"r1", "r2"}


def submission(relation: Relation, **changes: object) -> None:
    fields: dict[str, object] = {
        "rhk_ratings": {"r1": Rating.SESUAI, "r2": Rating.DI_ATAS},
        "result_rating": Rating.SESUAI,
        "behaviour_ratings": ALL_VALUES,
        "special_expectations": {},
        "development_recommendation": "",
        "report": None,
        "approved_rhk": RHK,
    }
    fields.update(changes)
    domain.validate_submission(relation, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "cadence", "kind", "start", "end"),
    [
        ("2026-03", "monthly", "monthly", date(2026, 3, 1), date(2026, 3, 31)),
        ("2024-02", "monthly", "monthly", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-Q1", "quarterly", "quarterly", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", "quarterly", "quarterly", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", "monthly", "annual", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026", "quarterly", "annual", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_period_labels(label: str, cadence: str, kind: str, start: date, end: date) -> None:
    period = domain.parse_period(label, cadence)  # type: ignore[arg-type]
    assert (period.kind, period.label, period.start, period.end) == (kind, label, start, end)


@pytest.mark.parametrize(
    ("label", "cadence", "reason"),
    [
        ("2026-13", "monthly", "no month 13"),
        ("2026-00", "monthly", "no month 0"),
        ("2026-Q5", "quarterly", "no quarter 5"),
        ("march", "monthly", "not a label"),
        ("2026-3", "monthly", "not a label"),
        ("1999", "monthly", "between 2000 and 2100"),
        ("2026-03", "quarterly", "use 2026-Q1"),
        ("2026-Q2", "monthly", "assesses monthly"),
    ],
)
def test_bad_period_labels_are_refused(label: str, cadence: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=reason):
        domain.parse_period(label, cadence)  # type: ignore[arg-type]


def test_current_periods_follow_the_cadence() -> None:
    today = date(2026, 5, 20)
    assert [p.label for p in domain.current_periods("monthly", today)] == ["2026-05", "2026"]
    assert [p.label for p in domain.current_periods("quarterly", today)] == ["2026-Q2", "2026"]


def test_a_period_not_yet_started_is_refused() -> None:
    period = domain.parse_period("2026-06", "monthly")
    domain.check_period_started(period, date(2026, 6, 1))
    with pytest.raises(BadRequest, match="not started"):
        domain.check_period_started(period, date(2026, 5, 31))


def test_complete_supervisor_assessment_passes() -> None:
    submission(Relation.SUPERVISOR, special_expectations={BerAkhlak.LOYAL: "lead the team"})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"rhk_ratings": {"r1": Rating.SESUAI}}, "missing: r2"),
        (
            {"rhk_ratings": {"r1": Rating.SESUAI, "r2": Rating.SESUAI, "r9": Rating.SESUAI}},
            "not in the assessee's approved SKP: r9",
        ),
        ({"approved_rhk": None}, "no approved SKP"),
        ({"result_rating": None}, "result_rating"),
        (
            {"behaviour_ratings": {v: Rating.SESUAI for v in BerAkhlak if v != BerAkhlak.LOYAL}},
            "missing: loyal",
        ),
        ({"report": SelfReport(achievements="x")}, "only a self assessment"),
    ],
)
def test_incomplete_supervisor_assessment_is_refused(
    changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(BadRequest, match=reason):
        submission(Relation.SUPERVISOR, **changes)


def test_peer_rates_the_seven_values_and_optionally_rhk() -> None:
    submission(Relation.PEER, result_rating=None, rhk_ratings={})
    submission(Relation.PEER, result_rating=None, rhk_ratings={"r1": Rating.DI_ATAS})
    with pytest.raises(BadRequest, match="missing: adaptif"):
        submission(
            Relation.PEER,
            result_rating=None,
            behaviour_ratings={BerAkhlak.LOYAL: Rating.SESUAI},
        )
    with pytest.raises(BadRequest, match="may not give: result_rating"):
        submission(Relation.PEER)
    with pytest.raises(BadRequest, match="not in the assessee's approved SKP"):
        submission(Relation.PEER, result_rating=None, rhk_ratings={"zz": Rating.SESUAI})


def test_self_assessment_carries_the_report() -> None:
    report = SelfReport(achievements="120 KTP", obstacles="printer", solutions="borrowed one")
    submission(Relation.SELF, report=report, behaviour_ratings={}, rhk_ratings={})
    with pytest.raises(BadRequest, match="periodic report"):
        submission(Relation.SELF, report=None)
    with pytest.raises(BadRequest, match="periodic report"):
        submission(Relation.SELF, report=SelfReport())
    with pytest.raises(BadRequest, match="may not give: special_expectations"):
        submission(Relation.SELF, report=report, special_expectations={BerAkhlak.LOYAL: "x"})


def test_aggregation_counts_levels_without_authors() -> None:
    counts = domain.aggregate_ratings(
        [
            {"loyal": Rating.DI_ATAS, "adaptif": Rating.SESUAI},
            {"loyal": Rating.DI_ATAS, "adaptif": Rating.DI_BAWAH},
        ]
    )
    assert counts == {
        "adaptif": {Rating.DI_ATAS: 0, Rating.SESUAI: 1, Rating.DI_BAWAH: 1},
        "loyal": {Rating.DI_ATAS: 2, Rating.SESUAI: 0, Rating.DI_BAWAH: 0},
    }
    assert domain.aggregate_ratings([]) == {}


def test_objection_window_is_fourteen_tenant_local_days() -> None:
    # Submitted 2026-12-20 17:00 in Jakarta (UTC+7): the last day is 2027-01-03 there.
    submitted = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
    assert domain.objection_deadline(submitted, "Asia/Jakarta") == date(2027, 1, 3)
    domain.check_objection_window(
        submitted, datetime(2027, 1, 3, 16, 59, tzinfo=UTC), "Asia/Jakarta"
    )
    with pytest.raises(BadRequest, match="closed on 2027-01-03"):
        domain.check_objection_window(
            submitted, datetime(2027, 1, 3, 17, 0, tzinfo=UTC), "Asia/Jakarta"
        )
    # In Jayapura (UTC+9) the same UTC instant is already 2027-01-04.
    with pytest.raises(BadRequest):
        domain.check_objection_window(
            submitted, datetime(2027, 1, 3, 15, 30, tzinfo=UTC), "Asia/Jayapura"
        )


def test_naive_datetimes_are_read_as_utc() -> None:
    naive = datetime(2026, 12, 20, 10, 0)
    assert domain.as_utc(naive) == datetime(2026, 12, 20, 10, 0, tzinfo=UTC)


def test_decisions_carry_changes_only_when_accepted() -> None:
    domain.check_decision(True, Rating.DI_ATAS, {})
    domain.check_decision(True, None, {BerAkhlak.LOYAL: Rating.DI_ATAS})
    domain.check_decision(False, None, {})
    with pytest.raises(BadRequest, match="accepted objection gives"):
        domain.check_decision(True, None, {})
    with pytest.raises(BadRequest, match="rejected objection keeps"):
        domain.check_decision(False, Rating.DI_ATAS, {})


def test_peer_sheets_reach_the_assessee_from_k_in_steps_of_k() -> None:
    shown = [domain.peer_sheets_shown(n, viewer_is_assessee=True, minimum=5) for n in range(12)]
    assert shown == [0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10]
    # The supervisor chain and HR see the authors anyway: every sheet.
    assert domain.peer_sheets_shown(1, viewer_is_assessee=False, minimum=5) == 1
    assert domain.peer_sheets_shown(7, viewer_is_assessee=False, minimum=5) == 7


def test_final_ratings_lay_an_accepted_decision_over_the_supervisors() -> None:
    behaviour = {"loyal": "sesuai", "adaptif": "di_bawah"}
    assert domain.final_ratings("sesuai", behaviour) == ("sesuai", behaviour)
    assert domain.final_ratings("sesuai", behaviour, "di_atas", {}) == ("di_atas", behaviour)
    assert domain.final_ratings("sesuai", behaviour, None, {"adaptif": "sesuai"}) == (
        "sesuai",
        {"loyal": "sesuai", "adaptif": "sesuai"},
    )


def test_deactivated_employees_neither_act_nor_are_acted_upon() -> None:
    check_may_act(True)
    check_may_act(None)  # not in the org chart copy yet: other rules decide
    with pytest.raises(Forbidden, match="deactivated"):
        check_may_act(False)
    check_may_be_acted_upon("Ana", True)
    with pytest.raises(Conflict, match="Ana is deactivated"):
        check_may_be_acted_upon("Ana", False)


def test_objections_above_the_top_go_to_the_kepala_daerah() -> None:
    decide = domain.objection_decider
    # The assessing supervisor's own supervisor, as before.
    assert (
        decide(assessor_is_employee=True, assessor_supervisor="head", kepala_daerah="kd") == "head"
    )
    # The assessor heads the chain (the Sekda): the regency's kepala daerah decides.
    assert decide(assessor_is_employee=True, assessor_supervisor=None, kepala_daerah="kd") == "kd"
    # The kepala daerah assessed: nobody stands above, the kepala daerah decides.
    assert decide(assessor_is_employee=False, assessor_supervisor=None, kepala_daerah="kd") == "kd"
    with pytest.raises(BadRequest, match="no kepala daerah account yet"):
        decide(assessor_is_employee=True, assessor_supervisor=None, kepala_daerah=None)
