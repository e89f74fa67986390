"""Out-of-order and broken input: parked until the missing fact arrives or dead-lettered
after a bounded wait; never a crash, never a wrong figure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.common.events import (
    ASSESSMENT_TOPIC,
    TARGETS_TOPIC,
    ObjectionDecided,
    Rating,
    dead_letter_topic,
)
from services.scoring.app import Settings
from tests.scoring.helpers import (
    Clock,
    activity_event,
    applied,
    assessment_event,
    employee_event,
    ev,
    indicator,
    processed,
    publish,
    running,
    target_event,
    tenant_event,
    unit_event,
    who,
)
from tests.support import produce_raw, read_topic

pytestmark = pytest.mark.kafka
D = date(2026, 6, 30)


async def test_out_of_order_events_wait_for_their_facts(
    settings: Settings, clock: Clock, kafka_bootstrap: str, topic_prefix: str
) -> None:
    t = "sleman"
    early = [
        tenant_event(t),
        unit_event(t, "u1", head="s"),
        employee_event(t, "s", "u1", None, 1),
        # e1's activity, then its edit, both before the SKP: the edit must not double it.
        activity_event(t, "e1", "a1", "ktp", 5, D),
        activity_event(t, "e1", "a1", "ktp", 7, D, action="edited"),
        # an activity on an indicator no SKP version will ever have
        activity_event(t, "e1", "ghost", "nope", 99, D),
        # an objection before its assessment, an assessment before its employee
        ev(
            t,
            ObjectionDecided(
                objection_id="o1",
                assessment_id="as1",
                employee_id="e1",
                decided_by="k",
                accepted=True,
                result_rating=Rating.DI_ATAS,
            ),
        ),
        assessment_event(t, "as1", "e1", Rating.SESUAI),
    ]
    late = [
        target_event(t, "e1", [("r1", "utama", [indicator("ktp", 100)])]),
        employee_event(t, "e1", "u1", "s", 2),
    ]
    async with running(settings, clock) as (app, client):
        # Poison first: not JSON, and a valid envelope whose payload breaks the contract.
        bad = (
            activity_event(t, "e1", "a9", "ktp", 1, D)
            .to_bytes()
            .replace(b'"value":1.0', b'"value":-1')
        )
        await produce_raw(
            kafka_bootstrap,
            topic_prefix + TARGETS_TOPIC,
            [(b"sleman:e1", b"{not json"), (b"sleman:e1", bad)],
        )
        await publish(kafka_bootstrap, topic_prefix, early)
        await applied(app, len(early))
        r = await client.get("/api/v1/scores/employees/e1", headers=who(t, "s"))
        assert r.status_code == 404  # nothing known about e1 yet: no guessed figures

        await publish(kafka_bootstrap, topic_prefix, late)
        await applied(app, len(early) + len(late))
        e1 = (await client.get("/api/v1/scores/employees/e1", headers=who(t, "e1"))).json()
        assert e1["rhk"][0]["indicators"][0]["realisation"] == 7  # created 5, edited to 7
        assert e1["final_result_rating"] == "di_atas"  # the objection replaced sesuai
        assert e1["final_source"] == "objection:o1"
        assert e1["final_predikat"] == "baik"

        # The ghost activity still waits; after the bounded wait it is dead-lettered.
        metrics = app.state.runtime.metrics.registry
        labels = {"service": "scoring", "type": "activity.logged"}
        assert (
            metrics.get_sample_value(
                "kinerja_scoring_parked_total", {**labels, "outcome": "parked"}
            )
            == 3
        )
        clock.now += timedelta(hours=2)
        assert await app.state.scheduler.expire_parked() == 1
        assert (
            metrics.get_sample_value(
                "kinerja_scoring_parked_total", {**labels, "outcome": "expired"}
            )
            == 1
        )
        assert await processed(app) == len(early) + len(late)

    dead = await read_topic(
        kafka_bootstrap, dead_letter_topic(topic_prefix + TARGETS_TOPIC), expected=3
    )
    reasons = [dict(r.headers)["dlq-reason"].decode() for r in dead]
    assert len(dead) == 3
    assert "invalid event" in reasons[0] and "payload.value" in reasons[1]
    assert "skp:sleman:e1" in reasons[2] and b'"ghost"' in dead[2].value
    nothing = await read_topic(
        kafka_bootstrap, dead_letter_topic(topic_prefix + ASSESSMENT_TOPIC), expected=1, timeout=1
    )
    assert nothing == []
