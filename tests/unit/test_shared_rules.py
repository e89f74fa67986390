"""The shared pure rules: IKM exactly as PermenPANRB 14/2017, and working days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.common.api import forwarded_client
from services.common.skm import category_of, ikm, ikm_from_sums
from services.common.workdays import (
    add_working_days,
    local_today,
    working_days_between,
)

pytestmark = pytest.mark.unit


def test_all_threes_is_75_category_c() -> None:
    result = ikm([[3] * 9] * 10)
    assert (result.ikm, result.category, result.label) == (Decimal("75.00"), "C", "Kurang Baik")


def test_all_fours_is_100_category_a() -> None:
    result = ikm([[4] * 9])
    assert (result.ikm, result.category) == (Decimal("100.00"), "A")


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
    ],
)
def test_category_boundaries(value: str, letter: str) -> None:
    assert category_of(Decimal(value))[0] == letter


def test_exact_ninths_not_rounded_weights() -> None:
    # One survey: eight 4s and one 1 -> 25 * (33/9) = 91.666.. -> 91.67 (0.111 weights: 91.57)
    assert ikm([[4] * 8 + [1]]).ikm == Decimal("91.67")
    # From stored totals, as a projection keeps them: 3 surveys answering 3,3,4 everywhere.
    assert ikm_from_sums([10] * 9, 3).ikm == Decimal("83.33")


def test_invalid_answers_are_refused() -> None:
    with pytest.raises(ValueError):
        ikm([[5] * 9])
    with pytest.raises(ValueError):
        ikm([[3] * 8])
    with pytest.raises(ValueError):
        ikm([])


def test_working_days() -> None:
    # Monday 2 March 2026 .. Friday 13 March 2026: two working weeks.
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 13)) == 10
    assert working_days_between(date(2026, 3, 7), date(2026, 3, 8)) == 0  # a weekend
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 6), {date(2026, 3, 3)}) == 4
    assert add_working_days(date(2026, 3, 6), 3) == date(2026, 3, 11)  # Fri + 3 -> Wed


def test_local_today_follows_the_tenant_time_zone() -> None:
    from datetime import UTC, datetime

    late_evening_utc = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 23:30 WIB, 01:30 WIT
    assert local_today("Asia/Jakarta", late_evening_utc) == date(2026, 3, 1)
    assert local_today("Asia/Jayapura", late_evening_utc) == date(2026, 3, 2)


def test_the_client_address_is_read_rightmost_first_past_the_trusted_proxies() -> None:
    claimed = "6.6.6.6, 203.0.113.5"  # the client wrote 6.6.6.6; our proxy appended the rest
    assert forwarded_client("10.0.0.1", claimed, 0) == "10.0.0.1"  # header not believed
    assert forwarded_client("10.0.0.1", claimed, 1) == "203.0.113.5"
    assert forwarded_client("10.0.0.1", claimed, 2) == "6.6.6.6"
    assert forwarded_client("10.0.0.1", "203.0.113.5", 3) == "203.0.113.5"  # short chain
    assert forwarded_client(None, None, 1) == "unknown"
    assert forwarded_client("10.0.0.1", " , 203.0.113.5,", 1) == "203.0.113.5"
    assert len(forwarded_client("10.0.0.1", "x" * 1000, 1)) == 64
