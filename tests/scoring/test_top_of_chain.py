"""The alerts about an employee without a supervisor (the Sekda) go to the regency's
kepala daerah account, whose team view lists the employees at the top of the chain."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.events import KepalaDaerahSet
from services.common.security import Role
from services.scoring.app import Settings
from tests.scoring.helpers import (
    Clock,
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
)
from tests.support import bearer

pytestmark = pytest.mark.kafka


def kd(tenant: str, user_id: str) -> dict[str, str]:
    return bearer(tenant=tenant, roles=[Role.KEPALA_DAERAH], user_id=user_id)


async def test_the_kepala_daerah_receives_the_alerts_about_the_sekda(
    settings: Settings, clock: Clock, kafka_bootstrap: str, topic_prefix: str
) -> None:
    t = "bantul"
    events = [
        tenant_event(t),
        ev(t, KepalaDaerahSet(user_id="kd", title="Bupati Bantul", name="Halim")),
        ev("sleman", KepalaDaerahSet(user_id="kd-s", title="Bupati Sleman", name="Kustini")),
        unit_event(t, "setda", head="sekda"),
        employee_event(t, "sekda", "setda", None, 1),
        employee_event(t, "asisten", "setda", "sekda", 2),
        # Half the year gone and 10 of 1,000 documents: the Sekda is behind target.
        target_event(t, "sekda", [("r1", "utama", [indicator("i1", 1000)])]),
        activity_event(t, "sekda", "a1", "i1", 10, date(2026, 6, 29)),
        target_event(t, "asisten", [("r2", "utama", [indicator("i2", 1000)])]),
        activity_event(t, "asisten", "a2", "i2", 10, date(2026, 6, 29)),
    ]
    async with running(settings, clock) as (app, client):
        await publish(kafka_bootstrap, topic_prefix, events)
        await applied(app, len(events))

        r = await client.get("/api/v1/scores/alerts", headers=kd(t, "kd"))
        assert r.status_code == 200, r.text
        about = {(a["kind"], a["subject_id"]) for a in r.json()["items"]}
        assert ("behind_target", "sekda") in about
        assert all(subject == "sekda" for _, subject in about)  # the asisten's go to the Sekda
        sekda = bearer(tenant=t, roles=[Role.PEGAWAI, Role.ATASAN], employee_id="sekda")
        r = await client.get("/api/v1/scores/alerts", headers=sekda)
        assert ("behind_target", "asisten") in {
            (a["kind"], a["subject_id"]) for a in r.json()["items"]
        }
        # Another regency's KD hears nothing of bantul.
        r = await client.get("/api/v1/scores/alerts", headers=kd("sleman", "kd-s"))
        assert r.json()["items"] == []

        # The team view of the KD: the top of the chain; the Sekda's scores open from it.
        r = await client.get("/api/v1/scores/team", headers=kd(t, "kd"))
        assert [p["employee_id"] for p in r.json()["items"]] == ["sekda"], r.text
        r = await client.get("/api/v1/scores/employees/sekda", headers=kd(t, "kd"))
        assert r.status_code == 200, r.text
        r = await client.get("/api/v1/scores/employees/sekda", headers=kd("sleman", "kd-s"))
        assert r.status_code in (403, 404)
        r = await client.get("/api/v1/scores/team", headers=kd("sleman", "kd-s"))
        assert r.json()["items"] == []
