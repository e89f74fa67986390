"""The legacy PP 46/2011 score, wired: domain.md's vectors through the API (events in
through real Kafka, figures out of /api/v1/scores/legacy), for the year and for a monthly
TPP period, with the tenant's behaviour points; the role checks and tenant isolation."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import pytest

from services.common.events import Envelope, Period, Rating
from services.common.security import Role
from services.scoring.app import Settings
from tests.scoring.helpers import (
    ANNUAL_2026,
    Clock,
    activity_event,
    applied,
    assessment_event,
    employee_event,
    indicator,
    publish,
    running,
    target_event,
    tenant_event,
    unit_event,
    who,
)

pytestmark = pytest.mark.kafka
T = "tanahdatar"
POINTS = {"di_atas": 100.0, "sesuai": 80.0, "di_bawah": 50.0}
MARCH = Period(kind="monthly", label="2026-03", start=date(2026, 3, 1), end=date(2026, 3, 31))


def task(employee: str) -> Envelope:
    """One task measured in quantity (10 documents), quality (100 %) and time (12 months)."""
    return target_event(
        T,
        employee,
        [
            (
                "r1",
                "utama",
                [
                    indicator("qty", 10),
                    indicator("qly", 100, aspect="kualitas", aggregation="mean", unit="%"),
                    indicator(
                        "time",
                        12,
                        aspect="waktu",
                        aggregation="latest",
                        direction="lower",
                        unit="bulan",
                    ),
                ],
            )
        ],
    )


def realised(employee: str, months: float, day: date = date(2026, 6, 1)) -> list[Envelope]:
    return [
        activity_event(T, employee, f"{employee}-q", "qty", 10, day),
        activity_event(T, employee, f"{employee}-l", "qly", 100, day),
        activity_event(T, employee, f"{employee}-t", "time", months, day),
    ]


def assessed(employee: str, rating: Rating, period: Period = ANNUAL_2026) -> Envelope:
    return assessment_event(
        T, f"as-{employee}-{period.label}", employee, Rating.SESUAI, period=period, behaviour=rating
    )


def scenario() -> list[Envelope]:
    tpp = target_event(
        T,
        "e4",
        [
            (
                "r1",
                "utama",
                [
                    indicator("qty", 12),
                    indicator("qly", 100, aspect="kualitas", aggregation="mean", unit="%"),
                ],
            )
        ],
    )
    return [
        tenant_event(T, legacy_score_enabled=True, legacy_behaviour_points=POINTS),
        tenant_event("sijunjung"),  # legacy score off
        tenant_event("agam", legacy_score_enabled=True),
        unit_event(T, "u1", head="s"),
        unit_event("sijunjung", "x1", head=None),
        employee_event(T, "s", "u1", None, 1),
        *(employee_event(T, e, "u1", "s", n) for n, e in enumerate(("e1", "e2", "e3", "e4"), 2)),
        employee_event("sijunjung", "x", "x1", None, 9),
        *(task(e) for e in ("e1", "e2", "e3")),
        # TW = RW = 12 -> time 76, task 92.00; RW = 9 -> time 75.00; RW = 10 -> 92.67
        *realised("e1", 12),
        *realised("e2", 9),
        *realised("e3", 10),
        assessed("e1", Rating.SESUAI),
        assessed("e2", Rating.DI_ATAS),
        # e4: a monthly TPP period; June's entries are not March's
        tpp,
        activity_event(T, "e4", "m1", "qty", 1, date(2026, 3, 10)),
        activity_event(T, "e4", "m2", "qly", 90, date(2026, 3, 11)),
        activity_event(T, "e4", "j1", "qty", 5, date(2026, 6, 10)),
        assessed("e4", Rating.DI_ATAS, MARCH),
    ]


async def legacy(client: Any, employee: str, period: str = "2026", **kw: Any) -> Any:
    headers = kw.pop("headers", None) or who(T, employee)
    return await client.get(
        f"/api/v1/scores/legacy/employees/{employee}?period={period}", headers=headers
    )


@contextlib.asynccontextmanager
async def loaded(settings: Settings, clock: Clock, bootstrap: str, prefix: str) -> Any:
    """The scoring service with the scenario applied; yields its client."""
    events = scenario()
    async with running(settings, clock) as (app, client):
        await publish(bootstrap, prefix, events)
        await applied(app, len(events))
        yield client


async def test_legacy_score_vectors_through_the_api(
    settings: Settings, clock: Clock, kafka_bootstrap: str, topic_prefix: str
) -> None:
    async with loaded(settings, clock, kafka_bootstrap, topic_prefix) as client:
        one = (await legacy(client, "e1")).json()
        assert one["tasks"][0]["aspects"] == {"kuantitas": 100.0, "kualitas": 100.0, "waktu": 76.0}
        assert one["tasks"][0]["score"] == 92.0
        # 60 % of 92 + 40 % of 80 (every value sesuai, worth the tenant's 80 points)
        assert (one["skp_score"], one["behaviour_score"]) == (92.0, 80.0)
        assert (one["total"], one["band"]) == (87.2, "Baik")
        assert one["name"] == "Employee e1" and one["unit_name"] == "Unit u1"
        messages = [p["message"] for p in one["explained"]]
        assert any(m.startswith("Total {total}") for m in messages)

        two = (await legacy(client, "e2")).json()
        assert two["tasks"][0]["aspects"]["waktu"] == 75.0
        assert two["skp_score"] == 91.67  # (100 + 100 + 75) / 3
        assert (two["total"], two["band"]) == (95.0, "Sangat Baik")  # 55.0 + 40.0

        three = (await legacy(client, "e3")).json()
        assert three["tasks"][0]["aspects"]["waktu"] == 92.67
        # not yet assessed: the SKP score only, no total
        assert (three["skp_score"], three["behaviour_score"], three["total"]) == (
            97.56,
            None,
            None,
        )

        # March (TPP): 1 of 12 / 12 documents = 100, quality 90 -> 95.00; behaviour 100
        march = (await legacy(client, "e4", "2026-03")).json()
        assert march["tasks"][0]["aspects"] == {"kuantitas": 100.0, "kualitas": 90.0}
        assert (march["skp_score"], march["behaviour_score"]) == (95.0, 100.0)
        assert (march["total"], march["band"]) == (97.0, "Sangat Baik")
        june = (await legacy(client, "e4", "2026-06")).json()
        assert june["tasks"][0]["aspects"]["kuantitas"] == 500.0
        assert june["total"] is None  # June not assessed

        # the regency listing (admin), by name, every active employee
        page = await client.get(
            "/api/v1/scores/legacy/regency?period=2026", headers=who(T, None, Role.ADMIN)
        )
        assert page.status_code == 200, page.text
        rows = {r["employee_id"]: r for r in page.json()["items"]}
        assert set(rows) == {"s", "e1", "e2", "e3", "e4"}
        assert rows["e1"]["total"] == 87.2 and rows["s"]["skp_score"] is None


async def test_legacy_score_refusals(
    settings: Settings, clock: Clock, kafka_bootstrap: str, topic_prefix: str
) -> None:
    async with loaded(settings, clock, kafka_bootstrap, topic_prefix) as client:
        peer = await legacy(client, "e1", headers=who(T, "e2"))
        assert peer.status_code == 403 and "supervisors" in peer.json()["detail"]
        assert (await legacy(client, "e1", headers=who(T, "s"))).status_code == 200
        listing = await client.get("/api/v1/scores/legacy/regency", headers=who(T, "s"))
        assert listing.status_code == 403
        # another regency's admin finds nobody of this one
        other = await legacy(client, "e1", headers=who("agam", None, Role.ADMIN))
        assert other.status_code == 404 and "employee" in other.json()["detail"]
        # a regency that has not enabled it: 404 with the reason
        off = await legacy(client, "x", headers=who("sijunjung", "x"))
        assert off.status_code == 404 and "not enabled" in off.json()["detail"]
        bad = await legacy(client, "e1", "2026-13")
        assert bad.status_code == 422
