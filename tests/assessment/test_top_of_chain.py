"""The top of the chain: the regency's kepala daerah assesses the employees without a
direct supervisor ("head" here, the Sekda of the regency) and decides the objections whose
decider would be the supervisor's supervisor when that supervisor has none."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.assessment.models import ApprovedSkp
from services.common.events import (
    ASSESSMENT_TOPIC,
    IDENTITY_TOPIC,
    TARGETS_TOPIC,
    KepalaDaerahSet,
    ObjectionDecided,
    decode_event,
)
from services.common.orgchart import OrgKepalaDaerah
from services.common.security import Role
from tests.assessment.world import (
    OTHER_TENANT,
    TENANT,
    Service,
    approved_skp,
    count,
    publish,
    supervisor_body,
)
from tests.support import bearer, read_topic, wait_until

pytestmark = pytest.mark.kafka


async def kd_post(
    svc: Service, path: str, body: dict[str, Any], *, kd: str = "kd", tenant: str = TENANT
) -> httpx.Response:
    headers = bearer(tenant=tenant, roles=(Role.KEPALA_DAERAH,), user_id=kd)
    return await svc.client.post(f"/api/v1{path}", json=body, headers=headers)


async def kd_get(svc: Service, path: str, *, kd: str = "kd") -> httpx.Response:
    headers = bearer(tenant=TENANT, roles=(Role.KEPALA_DAERAH,), user_id=kd)
    return await svc.client.get(f"/api/v1{path}", headers=headers)


async def appoint(svc: Service) -> None:
    """Bantul's KD and Sleman's, and the Sekda's ("head") approved SKP."""
    head_skp = approved_skp("rhk-h").model_copy(
        update={"skp_id": "skp-head", "employee_id": "head", "approved_by": "kd"}
    )
    await publish(
        svc.bootstrap,
        svc.prefix,
        [
            (IDENTITY_TOPIC, KepalaDaerahSet(user_id="kd", title="Bupati", name="Halim"), TENANT),
            (
                IDENTITY_TOPIC,
                KepalaDaerahSet(user_id="kd-s", title="Bupati", name="S"),
                OTHER_TENANT,
            ),
            (TARGETS_TOPIC, head_skp, TENANT),
        ],
    )

    async def applied() -> bool:
        return await count(svc.runtime, OrgKepalaDaerah) == 2 and (
            await count(svc.runtime, ApprovedSkp, employee_id="head") == 1
        )

    await wait_until(applied)


async def approve_sup(svc: Service) -> None:
    """sup's SKP, approved by head (the Sekda), as targets publishes it."""
    skp = approved_skp("rhk-s").model_copy(
        update={"skp_id": "skp-sup", "employee_id": "sup", "approved_by": "head"}
    )
    await publish(svc.bootstrap, svc.prefix, [(TARGETS_TOPIC, skp, TENANT)])

    async def applied() -> bool:
        return await count(svc.runtime, ApprovedSkp, employee_id="sup") == 1

    await wait_until(applied)


def head_body(**changes: Any) -> dict[str, Any]:
    return supervisor_body(
        assessee_id="head", rhk_ratings={"rhk-h": "sesuai"}, special_expectations={}, **changes
    )


async def test_without_a_kepala_daerah_nobody_decides_above_the_top(svc: Service) -> None:
    """head supervises sup and has no supervisor: with no KD account, sup's objection has
    nobody to decide it, and the refusal says what is missing."""
    await approve_sup(svc)
    body = supervisor_body(assessee_id="sup", rhk_ratings={"rhk-s": "sesuai"})
    by_head = await svc.post("head", "/assessments", body)
    assert by_head.status_code == 201, by_head.text
    refused = await svc.post(
        "sup", "/objections", {"assessment_id": by_head.json()["id"], "reason": "too strict"}
    )
    assert refused.status_code == 400 and "no kepala daerah account yet" in refused.text
    # And the KD role alone, without the regency's KD account, assesses nobody.
    head = await kd_post(svc, "/assessments", head_body())
    assert head.status_code == 403, head.text


async def test_the_kepala_daerah_assesses_the_top_and_decides_its_objections(
    svc: Service,
) -> None:
    await appoint(svc)
    todo = await kd_get(svc, "/todo?period=2026")
    assert [i["employee_id"] for i in todo.json()["pending"]] == ["head"], todo.text

    # Only the KD assesses the top: not a pegawai claiming the role, not another regency's
    # KD (the Sekda does not exist there), and the KD assesses nobody who has a supervisor.
    fake = bearer(tenant=TENANT, roles=(Role.PEGAWAI, Role.KEPALA_DAERAH), employee_id="sup")
    refused = await svc.client.post("/api/v1/assessments", json=head_body(), headers=fake)
    assert refused.status_code == 403, refused.text
    foreign = await kd_post(svc, "/assessments", head_body(), kd="kd-s", tenant=OTHER_TENANT)
    assert foreign.status_code == 404, foreign.text
    not_top = await kd_post(svc, "/assessments", supervisor_body())
    assert not_top.status_code == 403 and "Ana" in not_top.json()["detail"]

    assessed = await kd_post(svc, "/assessments", head_body())
    assert assessed.status_code == 201, assessed.text
    assert assessed.json()["assessor_id"] == "kd"
    assert (await kd_get(svc, "/todo?period=2026")).json()["pending"] == []

    # The Sekda objects: the KD decides (nobody stands above the KD).
    body = {"assessment_id": assessed.json()["id"], "reason": "rhk-h was done above target"}
    filed = await svc.post("head", "/objections", body)
    assert filed.status_code == 201, filed.text
    assert filed.json()["decider_id"] == "kd"
    path = f"/objections/{filed.json()['id']}/decision"
    decision = {"accepted": True, "reason": "evidence checked", "result_rating": "di_atas"}
    assert (await svc.post("head", path, decision)).status_code == 403  # not their own case
    assert (await kd_post(svc, path, decision, kd="kd-s", tenant=OTHER_TENANT)).status_code == 404
    decided = await kd_post(svc, path, decision)
    assert decided.status_code == 200 and decided.json()["status"] == "accepted", decided.text
    assert (await kd_get(svc, f"/objections/{filed.json()['id']}")).status_code == 200

    # sup is assessed by head, who has no supervisor: the KD decides sup's objection.
    sup_body = supervisor_body(assessee_id="sup", rhk_ratings={}, special_expectations={})
    await approve_sup(svc)
    by_head = await svc.post(
        "head", "/assessments", {**sup_body, "rhk_ratings": {"rhk-s": "sesuai"}}
    )
    assert by_head.status_code == 201, by_head.text
    sup_objection = await svc.post(
        "sup", "/objections", {"assessment_id": by_head.json()["id"], "reason": "too strict"}
    )
    assert sup_objection.json()["decider_id"] == "kd", sup_objection.text
    rejected = await kd_post(
        svc,
        f"/objections/{sup_objection.json()['id']}/decision",
        {"accepted": False, "reason": "the ratings stand", "behaviour_ratings": {}},
    )
    assert rejected.status_code == 200, rejected.text

    records = await read_topic(svc.bootstrap, svc.prefix + ASSESSMENT_TOPIC, expected=6)
    decided_by = [
        e.payload.decided_by
        for e in (decode_event(r.value) for r in records)
        if isinstance(e.payload, ObjectionDecided)
    ]
    assert decided_by == ["kd", "kd"]
