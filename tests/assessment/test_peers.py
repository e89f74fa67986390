"""Peer requests, peer assessments, and the anonymity rule: an assessee never learns who
wrote a peer assessment, through any endpoint."""

from __future__ import annotations

import json

import pytest

from services.assessment.models import Assessment, PeerRequest
from services.common.events import ASSESSMENT_TOPIC, AssessmentSubmitted, decode_event
from tests.assessment.world import YEAR, Service, count, peer_body
from tests.support import read_topic

pytestmark = pytest.mark.kafka

PERIOD = f"{YEAR}-12"
REQUEST = {"period": PERIOD, "assessee_id": "ana", "peer_id": "peer"}


async def test_peer_request_then_assessment(svc: Service) -> None:
    requested = await svc.post("sup", "/peer-requests", REQUEST)
    assert requested.status_code == 201, requested.text
    assert requested.json()["status"] == "requested"
    todo = (await svc.get("peer", "/todo")).json()
    assert [r["id"] for r in todo["peer_requests"]] == [requested.json()["id"]]
    again = await svc.post("sup", "/peer-requests", REQUEST)
    assert again.status_code == 409
    response = await svc.post("peer", "/assessments", peer_body(rhk_ratings={"rhk-1": "sesuai"}))
    assert response.status_code == 201, response.text
    mine = (await svc.get("peer", "/peer-requests")).json()["items"]
    assert [(r["status"], r["assessment_id"]) for r in mine] == [
        ("submitted", response.json()["id"])
    ]
    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=1)
    event = decode_event(records[0].value)
    assert isinstance(event.payload, AssessmentSubmitted)
    assert (event.payload.relation, event.payload.assessor_id) == ("peer", "peer")


async def test_bad_peer_requests_and_peers_are_refused(svc: Service) -> None:
    bad_requests = [
        ("head", REQUEST, 403, "direct supervisor"),  # not ana's direct supervisor
        ("sup", {**REQUEST, "peer_id": "out"}, 400, "Out does not work in the unit of Ana"),
        ("sup", {**REQUEST, "peer_id": "ana"}, 400, "own peer"),
        ("sup", {**REQUEST, "peer_id": "ghost"}, 404, "not found"),
        ("sup", {**REQUEST, "period": "2026-Q4"}, 400, "assesses monthly"),
    ]
    for who, body, status, reason in bad_requests:
        response = await svc.post(who, "/peer-requests", body)
        assert response.status_code == status, (body, response.text)
        assert reason in response.text
    assert await count(svc.runtime, PeerRequest) == 0
    # Without a request, and from outside the unit even with a request for someone else.
    no_request = await svc.post("peer", "/assessments", peer_body())
    assert no_request.status_code == 403 and "no peer request" in no_request.text
    outside = await svc.post("out", "/assessments", peer_body())
    assert outside.status_code == 403 and "unit" in outside.text
    assert (await svc.post("sup", "/peer-requests", REQUEST)).status_code == 201
    missing_value = await svc.post(
        "peer", "/assessments", peer_body(behaviour_ratings={"loyal": "sesuai"})
    )
    assert missing_value.status_code == 400 and "missing" in missing_value.text
    unknown_rhk = await svc.post("peer", "/assessments", peer_body(rhk_ratings={"x": "sesuai"}))
    assert unknown_rhk.status_code == 400 and "approved SKP" in unknown_rhk.text
    self_as_peer = await svc.post("ana", "/assessments", peer_body())
    assert self_as_peer.status_code == 403
    assert await count(svc.runtime, Assessment) == 0
    assert await svc.outbox() == 0
    requests = (await svc.get("sup", "/peer-requests")).json()["items"]
    assert [r["status"] for r in requests] == ["requested"]


async def test_assessee_never_learns_a_peer_author(svc: Service) -> None:
    """Anonymity: ana sees only counts; sup (her supervisor), head and HR see authors."""
    await svc.post("sup", "/peer-requests", REQUEST)
    peer_sheet = await svc.post("peer", "/assessments", peer_body())
    assert peer_sheet.status_code == 201
    peer_id = peer_sheet.json()["id"]
    # Everything ana can ask: no peer author, no peer sheet.
    seen_by_ana = [
        await svc.get("ana", f"/assessments/{peer_id}"),
        await svc.get("ana", "/assessments"),
        await svc.get("ana", "/assessments", params={"relation": "peer"}),
        await svc.get("ana", "/assessments", params={"include_superseded": True}),
        await svc.get("ana", "/peer-requests"),
        await svc.get("ana", "/todo"),
        await svc.get("ana", "/objections"),
        await svc.get("ana", "/feedback-notes"),
        await svc.get("ana", "/employees/ana/peer-summary", params={"period": PERIOD}),
    ]
    assert seen_by_ana[0].status_code == 404
    for response in seen_by_ana[1:]:
        assert response.status_code == 200, response.text
        assert '"peer"' not in response.text.replace('"relation":"peer"', "")
        assert peer_id not in response.text
    assert seen_by_ana[1].json()["total"] == 0
    assert seen_by_ana[4].json()["total"] == 0
    # One peer only: ana learns neither the counts (they would be the sheet) nor how many.
    assert seen_by_ana[-1].json() == {
        "employee_id": "ana",
        "period": seen_by_ana[-1].json()["period"],
        "responses": 0,
        "hidden": True,
    }
    # The supervisor chain and HR see the author.
    for who, admin in [("sup", False), ("head", False), ("hr", True)]:
        detail = await svc.get(who, f"/assessments/{peer_id}", admin=admin)
        assert detail.status_code == 200 and detail.json()["assessor_id"] == "peer"
        listing = await svc.get(who, "/assessments", params={"relation": "peer"}, admin=admin)
        assert [a["assessor_id"] for a in listing.json()["items"]] == ["peer"]
    # Someone unrelated sees neither the sheet nor the summary.
    assert (await svc.get("out", f"/assessments/{peer_id}")).status_code == 404
    other = await svc.get("out", "/employees/ana/peer-summary", params={"period": PERIOD})
    assert other.status_code == 404
    assert json.loads((await svc.get("out", "/assessments")).text)["total"] == 0


async def test_a_refusal_names_people_in_the_callers_language(svc: Service) -> None:
    """A refusal says who, by name, never by id: in English by default and in Indonesian
    for ``Accept-Language: id``; programs get the template and its parameters."""
    body = {**REQUEST, "peer_id": "out"}
    english = await svc.post("sup", "/peer-requests", body)
    indonesian = await svc.client.post(
        "/api/v1/peer-requests",
        json=body,
        headers={**svc.as_("sup"), "Accept-Language": "id"},
    )
    reason = {
        "message": "{peer} does not work in the unit of {assessee}",
        "params": {"peer": "Out", "assessee": "Ana"},
    }
    assert english.status_code == indonesian.status_code == 400, indonesian.text
    assert english.json() == {"detail": "Out does not work in the unit of Ana", "reason": reason}
    assert indonesian.json() == {"detail": "Out tidak bekerja di unit kerja Ana", "reason": reason}
    assert await count(svc.runtime, PeerRequest) == 0
