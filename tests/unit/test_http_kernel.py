"""Kernel pieces behind the fuzz fixes, without a server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects import sqlite

from services.common.api import IsoDate
from services.common.pagination import PageParams, page_of
from services.common.storage import UtcDateTime
from services.gateway.domain import last_event_id

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw", [str(2**63), "9" * 5000, "²", "-1", "1e3", ""])
def test_a_reconnect_cursor_out_of_range_is_garbage(raw: str) -> None:
    # 2**63 cannot be bound by SQLite; 5000 digits is over Python's int() limit; "²" is a
    # digit to str.isdigit() but not to int(): all three were 500s.
    assert last_event_id(raw, None) is None
    assert last_event_id(None, raw) is None


def test_a_reconnect_cursor_in_range_is_kept() -> None:
    assert last_event_id(" 42 ", None) == 42
    assert last_event_id(None, str(2**63 - 1)) == 2**63 - 1


def test_date_filters_take_iso_dates_only() -> None:
    adapter = TypeAdapter(IsoDate)
    assert adapter.validate_python("2026-03-01") == date(2026, 3, 1)
    for wrong in ("0", "2026-03-01T00:00:00", "20260301", "2026-02-30"):
        with pytest.raises(ValidationError):
            adapter.validate_python(wrong)


def test_moments_are_stored_and_read_as_utc() -> None:
    kind, dialect = UtcDateTime(), sqlite.dialect()
    jakarta = datetime(2026, 3, 1, 7, 0, tzinfo=timezone(timedelta(hours=7)))
    assert kind.process_bind_param(jakarta, dialect) == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    # SQLite gives the stored value back without a zone: it is UTC.
    read = kind.process_result_value(datetime(2026, 3, 1, 0, 0), dialect)
    assert read is not None and read.tzinfo is UTC and read.isoformat().endswith("+00:00")
    assert kind.process_bind_param(None, dialect) is None


def test_a_page_of_a_list_in_memory() -> None:
    page = page_of(list(range(7)), PageParams(limit=3, offset=6))
    assert (page.items, page.total, page.limit, page.offset) == ([6], 7, 3, 6)
    assert page.map(str).items == ["6"]
