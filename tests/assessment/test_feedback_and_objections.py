"""Continuous feedback notes and objections (keberatan) with their final decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assessment.models import FeedbackNote, Objection
from services.common.events import (
    ASSESSMENT_TOPIC,
    FeedbackNoted,
    ObjectionDecided,
    ObjectionFiled,
    decode_event,
)
from tests.assessment.world import START, YEAR, Service, count, supervisor_body
from tests.support import read_topic

pytestmark = pytest.mark.kafka


async def test_feedback_notes_by_the_direct_supervisor_only(svc: Service) -> None:
    for who, employee, status in [("head", "ana", 403), ("peer", "ana", 403), ("sup", "zz", 404)]:
        refused = await svc.post(who, "/feedback-notes", {"employee_id": employee, "text": "x"})
        assert refused.status_code == status, refused.text
    empty = await svc.post("sup", "/feedback-notes", {"employee_id": "ana", "text": ""})
    assert empty.status_code == 422
    assert await count(svc.runtime, FeedbackNote) == 0 and await svc.outbox() == 0
    note = await svc.post("sup", "/feedback-notes", {"employee_id": "ana", "text": "Good queue"})
    assert note.status_code == 201, note.text
    assert note.json()["noted_on"] == "2026-12-20"
    for who, admin, total in [("ana", False, 1), ("sup", False, 1), ("hr", True, 1)]:
        listing = await svc.get(who, "/feedback-notes", admin=admin)
        assert listing.json()["total"] == total, who
    assert (await svc.get("peer", "/feedback-notes")).json()["total"] == 0
    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=1)
    event = decode_event(records[0].value)
    assert isinstance(event.payload, FeedbackNoted)
    assert (event.payload.supervisor_id, event.payload.employee_id) == ("sup", "ana")


async def _annual(svc: Service) -> str:
    response = await svc.post("sup", "/assessments", supervisor_body())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_objection_filed_and_decided_once(svc: Service) -> None:
    assessment_id = await _annual(svc)
    body = {"assessment_id": assessment_id, "reason": "rhk-2 was done above target"}
    by_other = await svc.post("sup", "/objections", body)
    assert by_other.status_code == 403 and "only the assessed employee" in by_other.text
    assert (await svc.post("peer", "/objections", body)).status_code == 404
    filed = await svc.post("ana", "/objections", body)
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert (objection["decider_id"], objection["status"]) == ("head", "pending")
    assert (await svc.post("ana", "/objections", body)).status_code == 409
    path = f"/objections/{objection['id']}/decision"
    decision = {"accepted": True, "reason": "evidence checked", "result_rating": "di_atas"}
    for who in ("sup", "ana"):
        refused = await svc.post(who, path, decision)
        assert refused.status_code == 403, refused.text
    assert (await svc.post("out", path, decision)).status_code == 404
    no_change = await svc.post("head", path, {"accepted": True, "reason": "ok"})
    assert no_change.status_code == 400
    decided = await svc.post("head", path, decision)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "accepted"
    assert decided.json()["result_rating"] == "di_atas"
    second = await svc.post("head", path, {"accepted": False, "reason": "changed my mind"})
    assert second.status_code == 409 and "final" in second.text
    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=3)
    events = [decode_event(r.value).payload for r in records]
    filed_event = next(e for e in events if isinstance(e, ObjectionFiled))
    decided_event = next(e for e in events if isinstance(e, ObjectionDecided))
    assert (filed_event.decider_id, filed_event.assessment_id) == ("head", assessment_id)
    assert decided_event.accepted and decided_event.result_rating == "di_atas"
    assert decided_event.decided_by == "head"
    assert len(events) == 3


async def test_objection_window_and_target_are_enforced(svc: Service) -> None:
    assessment_id = await _annual(svc)
    body = {"assessment_id": assessment_id, "reason": "late"}
    # 2027-01-04 00:30 in Jakarta: the 14 days ended on 2027-01-03.
    svc.clock.now = START + timedelta(days=14, hours=7, minutes=30)
    late = await svc.post("ana", "/objections", body)
    assert late.status_code == 400 and "closed on 2027-01-03" in late.text
    # Not the annual supervisor assessment: a monthly one, or a self assessment.
    svc.clock.now = START
    monthly = await svc.post("sup", "/assessments", supervisor_body(period=f"{YEAR}-12"))
    refused = await svc.post("ana", "/objections", {**body, "assessment_id": monthly.json()["id"]})
    assert refused.status_code == 400 and "annual supervisor" in refused.text
    # Superseded: object to the current one.
    await svc.post("sup", "/assessments", supervisor_body(result_rating="di_bawah"))
    superseded = await svc.post("ana", "/objections", body)
    assert superseded.status_code == 409
    assert await count(svc.runtime, Objection) == 0
    outbox_before = await svc.outbox()
    # The last minute of the last day (Jakarta) is still inside the window.
    current = (await svc.get("ana", "/assessments", params={"period": str(YEAR)})).json()
    svc.clock.now = START + timedelta(days=14, hours=6, minutes=59)
    on_time = await svc.post(
        "ana", "/objections", {**body, "assessment_id": current["items"][0]["id"]}
    )
    assert on_time.status_code == 201, on_time.text
    assert await svc.outbox() == outbox_before + 1
