"""The regency's holidays (``holidays.set``) in every working-day count of scoring: the pace
of the year (a holiday inside the elapsed part of the period slows the expected-to-date),
the assessment-due alert (holidays before the period's end bring it forward) and the
silent alert (a holiday is no day of silence). A new calendar re-evaluates at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.common.events import Holiday, HolidayKind, HolidaysSet
from services.scoring import domain as d
from services.scoring.app import Settings
from tests.scoring.helpers import (
    Clock,
    active,
    activity_event,
    applied,
    employee_event,
    ev,
    indicator,
    publish,
    running,
    target_event,
    tenant_event,
    unit_event,
    who,
)

pytestmark = pytest.mark.kafka
CUTI = [date(2026, 11, 25), date(2026, 11, 26)]  # inside November, before its end
EARLIER = [date(2026, 1, 1), date(2026, 3, 20), date(2026, 8, 17)]  # national holidays


def holidays(days: list[date]) -> HolidaysSet:
    return HolidaysSet(
        year=2026,
        holidays=[
            Holiday(day=day, name=f"Libur {day}", kind=HolidayKind.CUTI_BERSAMA) for day in days
        ],
    )


async def test_holidays_move_pace_and_the_time_based_alerts(
    settings: Settings, kafka_bootstrap: str, topic_prefix: str
) -> None:
    clock = Clock(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))  # Friday 20 Nov in Jakarta
    t = "gunungkidul"
    setup = [
        tenant_event(t),
        unit_event(t, "u1", head="s"),
        employee_event(t, "s", "u1", None, 1),
        employee_event(t, "e1", "u1", "s", 2),
        target_event(t, "e1", [("r1", "utama", [indicator("ktp", 100)])]),
        activity_event(t, "e1", "a1", "ktp", 95, date(2026, 11, 16)),  # Monday
    ]
    today = date(2026, 11, 20)
    year = d.annual_period(2026)

    async def share(client: object) -> float:
        r = await client.get("/api/v1/scores/employees/e1", headers=who(t, "e1"))  # type: ignore[attr-defined]
        assert r.status_code == 200, r.text
        return float(r.json()["elapsed_share"])

    async with running(settings, clock) as (app, client):
        await publish(kafka_bootstrap, topic_prefix, setup)
        await applied(app, len(setup))
        scheduler = app.state.scheduler
        await scheduler.tick()
        # 20, 23, 24, 25, 26, 27, 30 November: 7 working days left, not due; 3 silent days.
        assert await active(app) == set()
        assert await share(client) == pytest.approx(d.period_share(year, today))

        # Cuti bersama on the 25th and 26th: 5 working days left, the assessment is due now,
        # and the year's elapsed share counts two working days fewer in the year.
        await publish(kafka_bootstrap, topic_prefix, [ev(t, holidays(CUTI + EARLIER))])
        await applied(app, len(setup) + 1)
        assert await active(app) == {("s", "assessment_due", "e1")}
        with_days = d.period_share(year, today, frozenset(CUTI + EARLIER))
        assert await share(client) == pytest.approx(with_days)
        # 232 of the year's 261 weekdays passed by the 20th; three holidays before it (1 Jan,
        # 20 Mar, 17 Aug), five in the year.
        assert with_days == pytest.approx((232 - 3) / (261 - 5))
        assert with_days != pytest.approx(d.period_share(year, today))

        # Tuesday 24th: 17, 18, 19, 20, 23 without activity: silent.
        clock.now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
        await scheduler.tick()
        assert await active(app) == {("s", "assessment_due", "e1"), ("s", "silent", "e1")}
        # The 18th becomes a holiday too: four working days of silence, the alert clears.
        await publish(
            kafka_bootstrap, topic_prefix, [ev(t, holidays([date(2026, 11, 18), *CUTI, *EARLIER]))]
        )
        await applied(app, len(setup) + 2)
        assert await active(app) == {("s", "assessment_due", "e1")}
