"""The pure rules of feedback: lifecycle table, deadlines, codes, summaries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.common.events import ComplaintStatus as S
from services.common.refusals import Conflict
from services.common.skm import ELEMENTS
from services.feedback import domain
from services.feedback.models import ComplaintCreate, SurveySubmit

pytestmark = pytest.mark.unit

ALLOWED = [
    (S.RECEIVED, S.VERIFIED),
    (S.VERIFIED, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.RECEIVED, S.REJECTED),
    (S.VERIFIED, S.NOT_OUR_AUTHORITY),
    (S.RESOLVED, S.ARCHIVED),
    (S.REJECTED, S.ARCHIVED),
]
REFUSED = [
    (S.RECEIVED, S.IN_PROGRESS),
    (S.RECEIVED, S.RESOLVED),
    (S.VERIFIED, S.RESOLVED),
    (S.IN_PROGRESS, S.VERIFIED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.ARCHIVED, S.RECEIVED),
    (S.RECEIVED, S.RECEIVED),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_lifecycle_allows(current: S, target: S) -> None:
    domain.check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_lifecycle_refuses_with_reason(current: S, target: S) -> None:
    with pytest.raises(Conflict, match=f"from {current} to {target}"):
        domain.check_transition(current, target)


def test_every_status_has_a_row() -> None:
    assert set(domain.TRANSITIONS) == set(S)
    assert domain.TRANSITIONS[S.ARCHIVED] == frozenset()


def test_verification_due_three_working_days_after_receipt() -> None:
    friday = date(2026, 3, 6)
    due = domain.deadline(S.RECEIVED, received_on=friday, verified_on=None, today=friday)
    assert due == domain.Deadline("verification", date(2026, 3, 11), overdue=False)
    late = domain.deadline(
        S.RECEIVED, received_on=friday, verified_on=None, today=date(2026, 3, 12)
    )
    assert late is not None and late.overdue
    on_due_day = domain.deadline(
        S.RECEIVED, received_on=friday, verified_on=None, today=date(2026, 3, 11)
    )
    assert on_due_day is not None and not on_due_day.overdue


def test_follow_up_plan_due_five_working_days_after_verification() -> None:
    due = domain.deadline(
        S.VERIFIED,
        received_on=date(2026, 3, 2),
        verified_on=date(2026, 3, 4),  # Wednesday
        today=date(2026, 3, 12),
    )
    assert due == domain.Deadline("follow_up_plan", date(2026, 3, 11), overdue=True)


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.RESOLVED, S.REJECTED, S.ARCHIVED])
def test_nothing_due_after_the_plan(status: S) -> None:
    day = date(2026, 1, 1)
    assert domain.deadline(status, received_on=day, verified_on=day, today=date(2027, 1, 1)) is None


def test_tracking_codes_are_unambiguous_and_distinct() -> None:
    codes = {domain.new_tracking_code() for _ in range(1000)}
    assert len(codes) == 1000
    for code in codes:
        assert code.startswith("ADU-") and len(code) == 4 + domain.TRACKING_CODE_LENGTH
        assert not set(code[4:]) & set("01OIL")


def test_summary_is_provisional_below_the_minimum_sample() -> None:
    sums = [10] * 9  # three surveys answering 3, 3, 4 on every element
    below = domain.summarise(sums, 3, min_sample=4)
    assert below.provisional and below.result is not None
    assert below.result.ikm == Decimal("83.33") and below.result.category == "B"
    at = domain.summarise(sums, 3, min_sample=3)
    assert not at.provisional
    empty = domain.summarise([0] * 9, 0, min_sample=1)
    assert empty.result is None and empty.provisional


def test_questions_cover_the_nine_elements_in_order() -> None:
    assert tuple(domain.QUESTIONS) == ELEMENTS
    assert all(q.startswith("Bagaimana") for q in domain.QUESTIONS.values())


def _answers(**changes: object) -> dict[str, object]:
    return {**dict.fromkeys(ELEMENTS, 3), **changes}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"answers": _answers(prosedur=5)}, "prosedur"),
        ({"answers": _answers(biaya_tarif=0)}, "biaya_tarif"),
        ({"answers": {e: 3 for e in ELEMENTS[:-1]}}, "penanganan_pengaduan"),
        ({"answers": _answers(kesan=4)}, "kesan"),
        ({"answers": _answers(), "comment": "x" * 1001}, "comment"),
    ],
)
def test_survey_answers_are_validated(body: dict[str, object], where: str) -> None:
    with pytest.raises(ValidationError, match=where):
        SurveySubmit.model_validate(body)


def test_complaint_text_category_and_length() -> None:
    ok = ComplaintCreate(unit_id="u", category="pungutan_liar", text="  diminta uang  ")
    assert ok.text == "diminta uang"
    for bad in ({"category": "spam"}, {"text": " "}, {"text": "x" * 4001}):
        with pytest.raises(ValidationError):
            ComplaintCreate.model_validate(
                {"unit_id": "u", "category": "lainnya", "text": "ok", **bad}
            )
