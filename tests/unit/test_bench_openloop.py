"""The alert latency benchmark's schedule and matching (bench/openloop.py): what its figures
rest on. No timing here: the schedule is checked as numbers, the matching with given times."""

from __future__ import annotations

import pytest

from bench.openloop import CLEARED, HIGH, KIND, LOW, RAISED, Matcher, Plan, due_times

pytestmark = pytest.mark.unit


def test_requests_are_due_on_a_fixed_grid_whatever_the_answers() -> None:
    due = list(due_times(200, 2.5))
    assert len(due) == 500
    assert due[0] == 0.0
    assert due[1] == pytest.approx(0.005)
    assert due[-1] == pytest.approx(499 / 200)
    assert list(due_times(0, 10)) == []
    # A second stream at the same rate, half an interval later: the two interleave.
    assert list(due_times(2, 2, phase=0.5)) == [0.25, 0.75, 1.25, 1.75]


def test_every_nth_request_toggles_an_alert_back_and_forth() -> None:
    plan = Plan(togglers=["t1"], steady=["s1", "s2"], every=3)
    first = [plan.next(float(i)) for i in range(3)]
    assert [(k, v) for k, v, _ in first[:2]] == [("s1", HIGH), ("s2", HIGH)]
    key, value, expected = first[2]
    assert (key, value) == ("t1", LOW)
    assert expected is not None and expected.action == RAISED and expected.due == 2.0
    matcher = Matcher(plan)
    expected.accepted = 2.1
    assert matcher.arrived(KIND, RAISED, "t1", 2.3) is expected
    assert Matcher.latency_ms(expected) == pytest.approx(200.0)
    # The next toggle of t1 clears what the first raised.
    for i in range(3, 5):
        assert plan.next(float(i))[2] is None
    key, value, again = plan.next(5.0)
    assert (key, value) == ("t1", HIGH) and again is not None and again.action == CLEARED


def test_a_toggler_with_an_alert_in_flight_is_not_toggled_again() -> None:
    plan = Plan(togglers=["t1"], steady=["s1"], every=1)
    _, _, first = plan.next(0.0)
    assert first is not None
    key, value, second = plan.next(1.0)
    assert (key, value, second) == ("s1", HIGH, None)
    assert plan.skipped == 1


def test_a_refused_toggle_frees_its_employee_and_keeps_its_state() -> None:
    plan = Plan(togglers=["t1"], steady=["s1"], every=1)
    _, _, first = plan.next(0.0)
    assert first is not None
    plan.failed(first)
    _, value, retry = plan.next(1.0)
    assert retry is not None and retry.action == RAISED and value == LOW


def test_alerts_nobody_waits_for_are_counted_not_matched() -> None:
    plan = Plan(togglers=["t1"], steady=["s1"], every=1)
    _, _, expected = plan.next(0.0)
    matcher = Matcher(plan)
    assert matcher.arrived("behind_target_period", RAISED, "t1", 1.0) is None  # other kind
    assert matcher.arrived(KIND, CLEARED, "t1", 1.0) is None  # wrong action
    assert matcher.arrived(KIND, RAISED, "t2", 1.0) is None  # nobody toggled t2
    assert matcher.unexpected == 2
    assert expected is not None and expected.arrived is None


def test_an_alert_faster_than_the_http_answer_counts_zero_and_an_unanswered_one_none() -> None:
    plan = Plan(togglers=["t1", "t2"], steady=["s1"], every=1)
    _, _, fast = plan.next(0.0)
    _, _, never = plan.next(0.0)
    assert fast is not None and never is not None
    matcher = Matcher(plan)
    matcher.arrived(KIND, RAISED, fast.subject, 1.0)
    fast.accepted = 1.5
    assert Matcher.latency_ms(fast) == 0.0
    never.accepted = 1.0
    assert Matcher.latency_ms(never) is None
    assert matcher.overdue(now=40.0, bound=30.0) == [never]
    assert matcher.overdue(now=20.0, bound=30.0) == []
