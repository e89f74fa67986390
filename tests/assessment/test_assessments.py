"""Supervisor and self assessments over HTTP: rules, supersession, isolation, events."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.assessment.models import Assessment
from services.common.events import (
    ASSESSMENT_TOPIC,
    TARGETS_TOPIC,
    ActivityLogged,
    AssessmentSubmitted,
    TargetSet,
    decode_event,
)
from services.common.messaging import ProcessedEvent
from services.common.security import Role
from tests.assessment.world import (
    OTHER_TENANT,
    TENANT,
    VALUES,
    YEAR,
    Service,
    approved_skp,
    count,
    publish,
    supervisor_body,
)
from tests.support import bearer, read_topic, wait_until

pytestmark = pytest.mark.kafka


async def test_supervisor_assessment_is_stored_and_reaches_kafka(svc: Service) -> None:
    response = await svc.post("sup", "/assessments", supervisor_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["period"] == {
        "kind": "annual",
        "label": "2026",
        "start": "2026-01-01",
        "end": "2026-12-31",
    }
    assert body["assessor_id"] == "sup" and body["superseded"] is False
    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=1)
    assert len(records) == 1 and records[0].key == b"bantul:ana"
    event = decode_event(records[0].value)
    assert isinstance(event.payload, AssessmentSubmitted)
    assert event.payload.assessment_id == body["id"]
    assert event.payload.rhk_ratings == {"rhk-1": "sesuai", "rhk-2": "di_atas"}
    assert event.payload.special_expectations == {"kolaboratif": "mentor the new counter staff"}
    assert event.payload.supersedes is None


async def test_resubmission_supersedes_and_keeps_history(svc: Service) -> None:
    first = (await svc.post("sup", "/assessments", supervisor_body())).json()
    second = await svc.post("sup", "/assessments", supervisor_body(result_rating="di_atas"))
    assert second.status_code == 201, second.text
    assert second.json()["supersedes"] == first["id"]
    current = (await svc.get("sup", "/assessments", params={"assessee_id": "ana"})).json()
    assert [a["id"] for a in current["items"]] == [second.json()["id"]]
    history = await svc.get(
        "sup", "/assessments", params={"assessee_id": "ana", "include_superseded": True}
    )
    items = {a["id"]: a for a in history.json()["items"]}
    assert items[first["id"]]["superseded"] is True
    assert items[second.json()["id"]]["superseded"] is False
    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=2)
    supersedes = [decode_event(r.value).payload.supersedes for r in records]  # type: ignore[attr-defined]
    assert sorted(supersedes, key=str) == sorted([None, first["id"]], key=str)


def _without_value(name: str) -> dict[str, Any]:
    return supervisor_body(behaviour_ratings={v: "sesuai" for v in VALUES if v != name})


BAD_SUPERVISOR_INPUT = [
    ("sup", supervisor_body(result_rating="luar_biasa"), 422, "result_rating"),
    (
        "sup",
        supervisor_body(behaviour_ratings={**dict.fromkeys(VALUES, "sesuai"), "loyal": "baik"}),
        422,
        "loyal",
    ),
    ("sup", supervisor_body(rhk_ratings={"rhk-1": "sangat"}), 422, "rhk-1"),
    ("sup", _without_value("harmonis"), 400, "missing: harmonis"),
    (
        "sup",
        supervisor_body(rhk_ratings={"rhk-1": "sesuai", "rhk-2": "sesuai", "rhk-x": "sesuai"}),
        400,
        "not in the assessee's approved SKP: rhk-x",
    ),
    ("sup", supervisor_body(rhk_ratings={"rhk-1": "sesuai"}), 400, "missing: rhk-2"),
    ("sup", supervisor_body(result_rating=None), 400, "result_rating"),
    ("sup", supervisor_body(assessee_id="peer"), 400, "no approved SKP"),
    ("head", supervisor_body(), 403, "direct supervisor"),
    ("peer", supervisor_body(), 403, "direct supervisor"),
    ("ana", supervisor_body(), 403, "direct supervisor"),
    ("sup", supervisor_body(period="2026-13"), 400, "no month 13"),
    ("sup", supervisor_body(period="2026-Q1"), 400, "assesses monthly"),
    ("sup", supervisor_body(period="last year"), 400, "not a label"),
    ("sup", supervisor_body(period="2027-01"), 400, "not started"),
    ("sup", supervisor_body(assessee_id="nobody"), 404, "not found"),
    ("sup", supervisor_body(relation="boss"), 422, "relation"),
]


async def test_bad_assessments_are_refused_with_nothing_written(svc: Service) -> None:
    for who, body, status, reason in BAD_SUPERVISOR_INPUT:
        response = await svc.post(who, "/assessments", body)
        assert response.status_code == status, (who, body, response.text)
        assert reason in response.text, response.text
    assert await count(svc.runtime, Assessment) == 0
    assert await svc.outbox() == 0


async def test_self_assessment_only_by_oneself_with_report(svc: Service) -> None:
    report = {"achievements": "1,200 KTP", "obstacles": "blanks ran out", "solutions": "queue"}
    body = {"period": f"{YEAR}-12", "relation": "self", "assessee_id": "ana", "report": report}
    refused = await svc.post("peer", "/assessments", body)
    assert refused.status_code == 403 and "only by the assessee" in refused.text
    no_report = await svc.post("ana", "/assessments", {**body, "report": None})
    assert no_report.status_code == 400 and "periodic report" in no_report.text
    assert await svc.outbox() == 0
    created = await svc.post("ana", "/assessments", body)
    assert created.status_code == 201, created.text
    assert created.json()["report"] == report
    mine = (await svc.get("ana", "/assessments")).json()
    assert [a["relation"] for a in mine["items"]] == ["self"]


async def test_cross_tenant_ids_answer_404(svc: Service) -> None:
    created = (await svc.post("sup", "/assessments", supervisor_body())).json()
    # Same employee id, other regency's token: nothing of bantul is visible.
    for who in ("sup", "x-1"):
        response = await svc.get(who, f"/assessments/{created['id']}", tenant=OTHER_TENANT)
        assert response.status_code == 404
        listing = await svc.get(who, "/assessments", tenant=OTHER_TENANT, admin=True)
        assert listing.json()["total"] == 0
    foreign = await svc.post("x-1", "/assessments", supervisor_body(), tenant=OTHER_TENANT)
    assert foreign.status_code == 404  # ana does not exist in sleman
    objection = await svc.post(
        "ana", "/objections", {"assessment_id": created["id"], "reason": "x"}, tenant=OTHER_TENANT
    )
    assert objection.status_code == 404
    missing = await svc.get("sup", "/assessments/does-not-exist")
    assert missing.status_code == 404


async def test_reading_is_limited_to_the_people_concerned(svc: Service) -> None:
    created = (await svc.post("sup", "/assessments", supervisor_body())).json()
    for who, status in [("ana", 200), ("sup", 200), ("head", 200), ("peer", 404), ("out", 404)]:
        response = await svc.get(who, f"/assessments/{created['id']}")
        assert response.status_code == status, who
    assert (await svc.get("hr", f"/assessments/{created['id']}", admin=True)).status_code == 200
    assert (await svc.get("peer", "/assessments")).json()["total"] == 0
    unauthenticated = await svc.client.get("/api/v1/assessments")
    assert unauthenticated.status_code == 401


async def test_todo_lists_direct_reports_not_yet_assessed(svc: Service) -> None:
    todo = await svc.get("sup", "/todo", params={"period": str(YEAR)})
    assert todo.status_code == 200, todo.text
    assert [p["employee_id"] for p in todo.json()["pending"]] == ["ana", "peer"]
    await svc.post("sup", "/assessments", supervisor_body())
    todo = await svc.get("sup", "/todo", params={"period": str(YEAR)})
    assert [p["employee_id"] for p in todo.json()["pending"]] == ["peer"]
    current = (await svc.get("sup", "/todo")).json()
    assert current["period"]["label"] == f"{YEAR}-12"
    assert [p["employee_id"] for p in current["pending"]] == ["ana", "peer"]
    periods = (await svc.get("ana", "/periods")).json()
    assert [p["label"] for p in periods] == [f"{YEAR}-12", str(YEAR)]
    bad = await svc.get("sup", "/todo", params={"period": "2026-Q9"})
    assert bad.status_code == 400


async def test_revised_skp_replaces_the_rhk_to_rate(svc: Service) -> None:
    activity = ActivityLogged(
        activity_id="act-1",
        employee_id="ana",
        skp_id="skp-ana",
        indicator_id="rhk-1-i",
        activity_date=date(YEAR, 12, 1),
        value=3,
    )
    # v2 replaces the list; a late duplicate of v1 and an activity change nothing.
    await publish(
        svc.bootstrap,
        svc.prefix,
        [
            (TARGETS_TOPIC, approved_skp("rhk-1", "rhk-3", version=2), TENANT),
            (TARGETS_TOPIC, approved_skp("rhk-1", "rhk-2"), TENANT),
            (TARGETS_TOPIC, activity, TENANT),
        ],
    )

    async def applied() -> bool:
        # Same key, same partition: once the late v1 is applied, so is v2 (and the activity
        # after it was read and skipped: the service does not subscribe to that type).
        return await count(svc.runtime, ProcessedEvent, type=TargetSet.TYPE) == 2

    await wait_until(applied)
    old_list = await svc.post("sup", "/assessments", supervisor_body())
    assert old_list.status_code == 400, old_list.text
    assert "not in the assessee's approved SKP: rhk-2" in old_list.text
    new_list = supervisor_body(rhk_ratings={"rhk-1": "sesuai", "rhk-3": "di_bawah"})
    assert (await svc.post("sup", "/assessments", new_list)).status_code == 201


async def test_accounts_without_an_employee_or_tenant_are_refused(svc: Service) -> None:
    hr_only = bearer(tenant=TENANT, roles=[Role.ADMIN])
    response = await svc.client.post("/api/v1/assessments", json=supervisor_body(), headers=hr_only)
    assert response.status_code == 403 and "not an employee" in response.text
    platform = bearer(tenant=None, roles=[Role.PLATFORM])
    response = await svc.client.get("/api/v1/assessments", headers=platform)
    assert response.status_code == 403 and "no tenant" in response.text


async def test_openapi_documents_every_route(svc: Service) -> None:
    spec = (await svc.client.get("/openapi.json")).json()
    routes = {
        (method, path): op
        for path, ops in spec["paths"].items()
        if path.startswith("/api/v1")
        for method, op in ops.items()
    }
    assert len(routes) == 14
    for (method, path), op in routes.items():
        assert "401" in op["responses"], (method, path)
        assert any(code.startswith("2") for code in op["responses"]), (method, path)
