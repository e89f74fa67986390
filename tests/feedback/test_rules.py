"""The pure who-may rules of feedback (issue 11 items 6, 7) and the small-numbers helpers."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.events import ComplaintStatus as S
from services.common.privacy import enough_contributors, published_count, unit_aggregates
from services.common.refusals import BadRequest, TooManyRequests
from services.feedback import domain
from services.feedback.domain import Staff

pytestmark = pytest.mark.unit

U = "u-loket"
HEAD = Staff(employee_id="head", unit_id="u-elsewhere")
OFFICER = Staff(employee_id="pengelola", unit_id=U, complaint_officer=True)
COLLEAGUE = Staff(employee_id="rekan", unit_id=U)
ADMIN = Staff(employee_id=None, unit_id=None, admin=True)


def handles(staff: Staff, named: str | None = "petugas") -> bool:
    return domain.may_handle_complaint(staff, unit_id=U, unit_head_id="head", officer_id=named)


def test_complaints_are_handled_by_head_complaint_officer_and_admin_only() -> None:
    assert handles(HEAD) and handles(OFFICER) and handles(ADMIN)
    assert not handles(COLLEAGUE)
    assert not handles(Staff(employee_id="x", unit_id="u-other", complaint_officer=True))
    # Never by the officer named, whatever their duties or position.
    assert not handles(OFFICER, named="pengelola")
    assert not handles(HEAD, named="head")
    assert not handles(Staff(employee_id="a", unit_id=None, admin=True), named="a")


@pytest.mark.parametrize("target", [S.REJECTED, S.NOT_OUR_AUTHORITY, S.ARCHIVED])
def test_closing_unresolved_needs_head_or_admin(target: S) -> None:
    def refusal(staff: Staff) -> str | None:
        reason = domain.may_move_complaint(
            staff, target, unit_id=U, unit_head_id="head", officer_id=None
        )
        return reason.text() if reason else None

    assert refusal(HEAD) is None and refusal(ADMIN) is None
    assert "needs the unit head or the HR admin" in (refusal(OFFICER) or "")
    assert (
        domain.may_move_complaint(
            OFFICER, S.VERIFIED, unit_id=U, unit_head_id="head", officer_id=None
        )
        is None
    )


def test_survey_token_rules() -> None:
    counter = Staff(employee_id="loket", unit_id=U, counter_officer=True)

    def refusal(
        staff: Staff, officer: str | None = "rekan", unit: str | None = U, n: int = 0
    ) -> str:
        reason = domain.survey_token_refusal(
            staff, unit_id=U, officer_id=officer, officer_unit_id=unit, issued_today=n, daily_cap=3
        )
        return str(reason) if reason else ""

    assert refusal(counter) == refusal(counter, officer=None) == refusal(ADMIN) == ""
    assert "only a petugas loket" in refusal(COLLEAGUE)
    assert "only a petugas loket" in refusal(HEAD)
    assert "does not work in the unit" in refusal(counter, unit="u-other")
    assert "not an active employee" in refusal(counter, unit=None)
    assert "cannot name themselves" in refusal(counter, officer="loket")
    assert "daily limit reached: 3" in refusal(counter, n=3)
    limit = domain.survey_token_refusal(
        counter, unit_id=U, officer_id=None, officer_unit_id=None, issued_today=3, daily_cap=3
    )
    assert isinstance(limit, TooManyRequests) and limit.status == 429
    assert refusal(counter, n=2) == ""


def test_summaries_outside_admin_cover_one_ended_month() -> None:
    today = date(2026, 3, 15)
    assert domain.whole_month(None, None, today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert domain.whole_month(date(2026, 1, 1), date(2026, 1, 31), today) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )
    for start, end, reason in (
        (date(2026, 2, 10), date(2026, 2, 10), "exactly one calendar month"),
        (date(2026, 1, 1), date(2026, 2, 28), "exactly one calendar month"),
        (date(2026, 3, 1), date(2026, 3, 31), "once the month has ended"),
        (date(2026, 2, 1), None, "give both"),
    ):
        with pytest.raises(BadRequest, match=reason):
            domain.whole_month(start, end, today)


def test_small_numbers_helpers() -> None:
    assert not enough_contributors(4, 5) and enough_contributors(5, 5)
    assert [published_count(n, 3) for n in range(8)] == [0, 0, 0, 3, 3, 3, 6, 6]
    member = unit_aggregates(
        chain=False, minimum=5, employees=6, achieved=6, finals=5, projected=4, survey_responses=9
    )
    assert member.suppressed == ["predikat_distribution", "projected_predikat_distribution"]
    head = unit_aggregates(
        chain=True, minimum=5, employees=2, achieved=2, finals=1, projected=2, survey_responses=1
    )
    assert head.suppressed == []
