"""Working days in a tenant's time zone: Monday to Friday, minus the tenant's holidays.

Used for the pace of sum indicators (share of the period elapsed), complaint deadlines
(3 and 5 working days) and the silent-employee and assessment-due alerts.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.clock import utcnow


def local_today(time_zone: str, now: datetime | None = None) -> date:
    """Today's date where the tenant is (Asia/Jayapura is 2 hours ahead of Jakarta)."""
    moment = now or utcnow()
    return moment.astimezone(ZoneInfo(time_zone)).date()


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_days_between(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """Working days in the closed range [start, end]; 0 when end < start."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count - sum(1 for h in holidays if start <= h <= end and h.weekday() < 5)


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (start itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current
