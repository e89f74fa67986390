"""Hardening of assessment: peer counts hidden below k responses and then in steps of k,
deactivated
employees, and the final result an accepted objection sets; both databases, real Kafka."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.assessment.models import Assessment, FeedbackNote, Objection, PeerRequest
from services.common.events import ASSESSMENT_TOPIC, ObjectionDecided, decode_event
from tests.assessment.world import (
    VALUES,
    YEAR,
    K,
    Service,
    count,
    peer_body,
    supervisor_body,
)
from tests.support import read_topic

pytestmark = pytest.mark.kafka

PERIOD = f"{YEAR}-12"


async def _created(svc: Service, who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await svc.post(who, path, body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_peer_counts_reach_the_assessee_from_k_sheets_in_steps_of_k(
    svc: Service,
) -> None:
    """Issue 11 item 8 (with the tenant's k = 2): nothing below k sheets, and then only
    whole steps of k, so two readings of the assessee never differ by one sheet."""
    assert K == 2
    peers = ("peer", "rekan", "teman", "kawan")
    for peer in peers[1:]:
        await svc.hire(peer, "dinas", "sup")
    for peer in peers:
        await _created(
            svc, "sup", "/peer-requests", {"period": PERIOD, "assessee_id": "ana", "peer_id": peer}
        )
    path, params = "/employees/ana/peer-summary", {"period": PERIOD}

    async def summary(who: str, admin: bool = False) -> dict[str, Any]:
        response = await svc.get(who, path, params=params, admin=admin)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def submit(peer: str, body: dict[str, Any]) -> None:
        svc.clock.now += timedelta(minutes=1)  # sheets are stepped in submission order
        await _created(svc, peer, "/assessments", body)

    nobody = await summary("ana")
    assert (nobody["responses"], nobody["hidden"]) == (0, True)
    await submit("peer", peer_body())
    one = await summary("ana")
    assert set(one) == {"employee_id", "period", "responses", "hidden"}
    assert (one["responses"], one["hidden"]) == (0, True)
    # The supervisor chain and HR see the counts (and the authors) as before.
    for who, admin in (("sup", False), ("head", False), ("hr", True)):
        seen = await summary(who, admin)
        assert (seen["responses"], seen["hidden"]) == (1, False), who
        assert seen["behaviour"]["loyal"] == {"di_atas": 1, "sesuai": 0, "di_bawah": 0}
    # A resubmission by the same peer supersedes: still one response.
    await submit("peer", peer_body())
    assert (await summary("ana"))["hidden"] is True

    sesuai = peer_body(behaviour_ratings=dict.fromkeys(VALUES, "sesuai"))
    await submit("rekan", sesuai)
    two = await summary("ana")
    assert (two["responses"], two["hidden"]) == (2, False)
    assert two["behaviour"]["loyal"] == {"di_atas": 1, "sesuai": 1, "di_bawah": 0}
    assert "rekan" not in str(two) and '"peer"' not in str(two)

    # The third sheet does not show: the figure would move by exactly that sheet.
    di_bawah = peer_body(behaviour_ratings=dict.fromkeys(VALUES, "di_bawah"))
    await submit("teman", di_bawah)
    assert await summary("ana") == two
    assert (await summary("sup"))["responses"] == 3
    # A resubmission keeps its author's place in the published steps.
    await submit("peer", peer_body())
    assert await summary("ana") == two
    # The fourth completes the next step: two more sheets at once.
    await submit("kawan", di_bawah)
    four = await summary("ana")
    assert four["responses"] == 4
    assert four["behaviour"]["loyal"] == {"di_atas": 1, "sesuai": 1, "di_bawah": 2}


async def test_deactivated_employees_cannot_assess_object_decide_or_be_assessed(
    svc: Service,
) -> None:
    await svc.hire("rekan", "dinas", "sup")
    annual = await _created(svc, "sup", "/assessments", supervisor_body())
    objection = await _created(
        svc, "ana", "/objections", {"assessment_id": annual["id"], "reason": "rhk-2 above"}
    )
    before = {
        model.__name__: await count(svc.runtime, model)
        for model in (Assessment, Objection, FeedbackNote, PeerRequest)
    }
    outbox = await svc.outbox()

    # ana (assessee), peer and head (the objection's decider) leave.
    await svc.deactivate("ana", "peer", "head")
    self_body = {
        "period": PERIOD,
        "relation": "self",
        "assessee_id": "ana",
        "behaviour_ratings": dict.fromkeys(VALUES, "sesuai"),
        "report": {"achievements": "a", "obstacles": "b", "solutions": "c"},
    }
    refusals: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("sup", "/assessments", supervisor_body(), 409, "Ana is deactivated"),
        ("ana", "/assessments", self_body, 403, "your employee record is deactivated"),
        ("ana", "/objections", {"assessment_id": annual["id"], "reason": "again"}, 403, "your"),
        ("sup", "/feedback-notes", {"employee_id": "ana", "text": "x"}, 409, "Ana is"),
        (
            "sup",
            "/peer-requests",
            {"period": PERIOD, "assessee_id": "ana", "peer_id": "rekan"},
            409,
            "Ana is deactivated",
        ),
        (
            "sup",
            "/peer-requests",
            {"period": PERIOD, "assessee_id": "rekan", "peer_id": "peer"},
            409,
            "Peer is deactivated",
        ),
        ("peer", "/assessments", peer_body(assessee_id="rekan"), 403, "your employee record"),
        (
            "head",
            f"/objections/{objection['id']}/decision",
            {"accepted": True, "reason": "ok", "result_rating": "di_atas"},
            403,
            "your employee record",
        ),
    ]
    for who, path, body, status, reason in refusals:
        response = await svc.post(who, path, body)
        assert response.status_code == status, (who, path, response.text)
        assert reason in response.json()["detail"], (who, path, response.text)

    # The supervisor leaves too: no assessment or note of the remaining report.
    await svc.deactivate("sup")
    rekan_body = supervisor_body(assessee_id="rekan", rhk_ratings={}, period=PERIOD)
    for path, body in (
        ("/assessments", rekan_body),
        ("/feedback-notes", {"employee_id": "rekan", "text": "x"}),
    ):
        response = await svc.post("sup", path, body)
        assert response.status_code == 403 and "deactivated" in response.text, response.text
    after = {
        model.__name__: await count(svc.runtime, model)
        for model in (Assessment, Objection, FeedbackNote, PeerRequest)
    }
    assert after == before and await svc.outbox() == outbox
    assert await count(svc.runtime, Objection, status="pending") == 1
    # What was written stays readable.
    kept = await svc.get("hr", f"/assessments/{annual['id']}", admin=True)
    assert kept.status_code == 200


async def test_an_accepted_objection_sets_the_final_result(svc: Service) -> None:
    annual = await _created(svc, "sup", "/assessments", supervisor_body())
    assert annual["final_result_rating"] == "sesuai"
    assert annual["final_behaviour_ratings"] == dict.fromkeys(VALUES, "sesuai")
    assert annual["changed_by_objection"] is None
    objection = await _created(
        svc, "ana", "/objections", {"assessment_id": annual["id"], "reason": "rhk-2 above"}
    )
    decision = {
        "accepted": True,
        "reason": "evidence checked",
        "result_rating": "di_atas",
        "behaviour_ratings": {"loyal": "di_atas"},
    }
    decided = await svc.post("head", f"/objections/{objection['id']}/decision", decision)
    assert decided.status_code == 200, decided.text

    final_behaviour = {**dict.fromkeys(VALUES, "sesuai"), "loyal": "di_atas"}
    for who, admin in (("ana", False), ("sup", False), ("head", False), ("hr", True)):
        one = (await svc.get(who, f"/assessments/{annual['id']}", admin=admin)).json()
        listed = (
            await svc.get(who, "/assessments", params={"period": str(YEAR)}, admin=admin)
        ).json()["items"]
        for read in (one, next(a for a in listed if a["id"] == annual["id"])):
            # The supervisor's ratings stay as given; the final ones are the decided ones.
            assert (read["result_rating"], read["final_result_rating"]) == ("sesuai", "di_atas")
            assert read["behaviour_ratings"]["loyal"] == "sesuai"
            assert read["final_behaviour_ratings"] == final_behaviour, who
            assert read["changed_by_objection"] == objection["id"]

    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=3)
    decided_events = [
        e.payload
        for e in (decode_event(r.value) for r in records)
        if isinstance(e.payload, ObjectionDecided)
    ]
    assert len(decided_events) == 1
    event = decided_events[0]
    assert event.accepted and event.result_rating == "di_atas"
    assert {str(k): str(v) for k, v in event.behaviour_ratings.items()} == final_behaviour
