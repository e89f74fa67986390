"""Periodic evaluation for a monthly and for a quarterly regency: each period of the
cadence gets its own projection (its activities against its part of the year's targets,
its pace), the behind-target alert of the current period (``behind_target_period``) and
the assessment-due alert name the period, and the supervisor's periodic assessment gives
that period's final predikat while the year's stays the annual assessment's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from services.common.events import Rating
from services.common.security import Role
from services.scoring import domain as d
from services.scoring.app import Settings
from services.scoring.models import ScoreAlert
from tests.scoring.helpers import (
    Clock,
    activity_event,
    applied,
    assessment_event,
    employee_event,
    indicator,
    month,
    publish,
    running,
    target_event,
    tenant_event,
    unit_event,
    who,
)

pytestmark = pytest.mark.kafka
TARGET = 250.0  # documents a year
MONTHLY, QUARTERLY = "kab-bulanan", "kab-triwulan"


def regency(t: str, cadence: str) -> list:
    return [
        tenant_event(t, evaluation_cadence=cadence),
        unit_event(t, "u1", head="s"),
        employee_event(t, "s", "u1", None, 1),
        employee_event(t, "e1", "u1", "s", 2),
        target_event(t, "e1", [("r1", "utama", [indicator("ktp", TARGET)])]),
        activity_event(t, "e1", "a1", "ktp", 20, date(2026, 2, 10)),
        activity_event(t, "e1", "a2", "ktp", 3, date(2026, 3, 13)),
    ]


async def alerts(app: object) -> dict[tuple[str, str], str]:
    async with app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        rows = (await session.exec(select(ScoreAlert))).all()
    return {(a.tenant, a.kind): a.message for a in rows if a.subject_id == "e1"}


async def test_periods_of_a_monthly_and_of_a_quarterly_regency(
    settings: Settings, kafka_bootstrap: str, topic_prefix: str
) -> None:
    clock = Clock(datetime(2026, 3, 16, 3, 0, tzinfo=UTC))  # Monday 16 March in Jakarta
    today = date(2026, 3, 16)
    setup = regency(MONTHLY, "monthly") + regency(QUARTERLY, "quarterly")
    march = d.period_of_label("2026-03")
    q1 = d.period_of_label("2026-Q1")
    assert march is not None and q1 is not None

    async with running(settings, clock) as (app, client):
        await publish(kafka_bootstrap, topic_prefix, setup)
        await applied(app, len(setup))

        async def score(t: str, period: str) -> dict:
            r = await client.get(
                f"/api/v1/scores/employees/e1?period={period}", headers=who(t, "e1")
            )
            assert r.status_code == 200, r.text
            return r.json()

        # March of the monthly regency: 3 of its part of the year's target, half of its
        # working days passed (11 of 22), so 6 projected.
        got = await score(MONTHLY, "2026-03")
        [ind] = got["rhk"][0]["indicators"]
        march_target = TARGET * d.period_target_share(march)
        assert march_target == pytest.approx(TARGET * 22 / 261)
        assert ind["target"] == pytest.approx(march_target)
        assert ind["realisation"] == 3
        assert got["elapsed_share"] == pytest.approx(d.period_share(march, today)) == 0.5
        assert ind["expected_to_date"] == pytest.approx(march_target * 0.5)
        assert ind["projected_achievement"] == pytest.approx(6 / march_target * 100)
        assert got["period_kind"] == "monthly"
        # February, ended: its 20 against its own part.
        february = await score(MONTHLY, "2026-02")
        assert february["achievement"] == pytest.approx(20 / (TARGET * 20 / 261) * 100)
        # The quarter of the quarterly regency: both entries, 53 of 64 working days.
        quarter = await score(QUARTERLY, "2026-Q1")
        [qind] = quarter["rhk"][0]["indicators"]
        assert qind["realisation"] == 23 and quarter["period_kind"] == "quarterly"
        assert qind["target"] == pytest.approx(TARGET * 64 / 261)
        assert quarter["elapsed_share"] == pytest.approx(53 / 64)
        # The year as before: 23 of 250, 53 of 261 working days.
        year = await score(MONTHLY, "2026")
        assert year["rhk"][0]["indicators"][0]["target"] == TARGET
        assert year["elapsed_share"] == pytest.approx(53 / 261)

        # Behind in the period (projected 28 % and 45 %), not yet in the year (20 % of it
        # passed): the period's alert, naming the period, for each regency.
        found = await alerts(app)
        assert set(found) == {
            (MONTHLY, "behind_target_period"),
            (QUARTERLY, "behind_target_period"),
        }
        assert "of period 2026-03 passed" in found[(MONTHLY, "behind_target_period")]
        assert "of period 2026-Q1 passed" in found[(QUARTERLY, "behind_target_period")]

        # Catching up in March clears the monthly one; the quarter is still behind.
        catch_up = [activity_event(MONTHLY, "e1", "a3", "ktp", 20, date(2026, 3, 16))]
        await publish(kafka_bootstrap, topic_prefix, catch_up)
        await applied(app, len(setup) + 1)
        assert set(await alerts(app)) == {(QUARTERLY, "behind_target_period")}

        # Wednesday 25 March: 5 working days left in March and in Q1: assessment due, for
        # the period of each regency's cadence.
        clock.now = datetime(2026, 3, 25, 3, 0, tzinfo=UTC)
        await app.state.scheduler.tick()
        found = await alerts(app)
        assert "for period 2026-03 " in found[(MONTHLY, "assessment_due")]
        assert "for period 2026-Q1 " in found[(QUARTERLY, "assessment_due")]

        # The supervisor's periodic assessment: March's final predikat; the alert clears;
        # the year has no final predikat until the annual assessment.
        assessed = assessment_event(MONTHLY, "m03", "e1", Rating.DI_ATAS, period=month("2026-03"))
        await publish(kafka_bootstrap, topic_prefix, [assessed])
        await applied(app, len(setup) + 2)
        assert (MONTHLY, "assessment_due") not in await alerts(app)
        periods = await client.get(
            "/api/v1/scores/employees/e1/periods?year=2026", headers=who(MONTHLY, "s", Role.ATASAN)
        )
        assert periods.status_code == 200, periods.text
        body = periods.json()
        assert body["cadence"] == "monthly" and len(body["periods"]) == 12
        by_label = {p["period"]: p for p in body["periods"]}
        assert by_label["2026-03"]["final_predikat"] == "baik"
        assert by_label["2026-03"]["supervisor_assessed"] is True
        assert by_label["2026-03"]["achievement"] == pytest.approx(23 / march_target * 100)
        assert by_label["2026-02"]["final_predikat"] is None
        assert by_label["2026-04"]["achievement"] is None
        assert (await score(MONTHLY, "2026"))["final_predikat"] is None
        quarters = await client.get(
            "/api/v1/scores/employees/e1/periods", headers=who(QUARTERLY, "e1")
        )
        assert [p["period"] for p in quarters.json()["periods"]] == [
            "2026-Q1",
            "2026-Q2",
            "2026-Q3",
            "2026-Q4",
        ]
        # The team of the supervisor, for the period.
        team = await client.get(
            "/api/v1/scores/team?period=2026-03", headers=who(MONTHLY, "s", Role.ATASAN)
        )
        [member] = team.json()["items"]
        assert member["final_predikat"] == "baik"
        assert member["achievement"] == pytest.approx(23 / march_target * 100)
        outsider = await client.get(
            "/api/v1/scores/employees/e1/periods", headers=who(MONTHLY, "s2")
        )
        assert outsider.status_code in (403, 404)
