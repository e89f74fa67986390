"""The top of the chain: the regency's kepala daerah approves the SKP of the employees
without a direct supervisor (the Sekda), so the chain below can cascade from it."""

from __future__ import annotations

import pytest

from services.common.events import TargetSet
from services.common.security import Role
from tests.targets.harness import OTHER_TENANT, YEAR, Targets, rhk

pytestmark = pytest.mark.kafka

KD = "kd-bantul"


async def test_without_a_kepala_daerah_the_top_cannot_submit(targets: Targets) -> None:
    skp = await targets.new_skp("sekda")
    answer = await targets.call("POST", f"/skp/{skp['id']}/submit", "sekda", expect=400)
    assert "no kepala daerah account yet" in answer["detail"]
    assert answer["reason"]["message"].startswith("you have no direct supervisor, and your")


async def test_the_kepala_daerah_approves_the_sekda_and_the_chain_cascades(
    targets: Targets,
) -> None:
    await targets.appoint(KD)
    await targets.appoint("kd-sleman", tenant=OTHER_TENANT)
    sekda = await targets.new_skp("sekda", content=[rhk(title="Tata kelola pemerintahan")])
    await targets.call("POST", f"/skp/{sekda['id']}/submit", "sekda")

    # The team list of the KD is the employees without a supervisor.
    team = await targets.as_kd("GET", "/skp/team", KD, params={"year": YEAR})
    assert [(m["employee_id"], m["status"]) for m in team["items"]] == [("sekda", "submitted")]

    # Nobody else approves it: not a pegawai, not a KD-role token that is not the regency's
    # KD, not a pegawai token claiming the KD role, not another regency's KD (404).
    await targets.call("POST", f"/skp/{sekda['id']}/approve", "kepala", expect=403)
    await targets.as_kd("POST", f"/skp/{sekda['id']}/approve", "somebody", expect=403)
    await targets.call(
        "POST",
        f"/skp/{sekda['id']}/approve",
        "kepala",
        roles=(Role.PEGAWAI, Role.KEPALA_DAERAH),
        expect=403,
    )
    await targets.as_kd(
        "POST", f"/skp/{sekda['id']}/approve", "kd-sleman", tenant=OTHER_TENANT, expect=404
    )
    other_team = await targets.as_kd("GET", "/skp/team", "kd-sleman", tenant=OTHER_TENANT)
    assert [m["employee_id"] for m in other_team["items"]] == ["atasan"]  # sleman's own top

    approved = await targets.as_kd("POST", f"/skp/{sekda['id']}/approve", KD)
    assert (approved["status"], approved["approved_version"]) == ("approved", 1)
    history = await targets.call("GET", f"/skp/{sekda['id']}/history", "sekda")
    assert history["items"][-1]["action"] == "approved"
    assert history["items"][-1]["actor_id"] == KD
    # The KD sees the Sekda's SKP like a supervisor does.
    await targets.as_kd("GET", f"/skp/{sekda['id']}", KD)

    # The head below cascades from the Sekda's RHK and the Sekda approves it.
    options = await targets.call("GET", "/skp/parent-options", "kepala", params={"year": YEAR})
    parent = approved["rhk"][0]["rhk_id"]
    assert [o["rhk_id"] for o in options] == [parent]
    kepala = await targets.new_skp("kepala", content=[rhk(parent_rhk_id=parent)])
    await targets.call("POST", f"/skp/{kepala['id']}/submit", "kepala")
    # The KD approves only the top: the head's SKP is the Sekda's to approve.
    refused = await targets.as_kd("POST", f"/skp/{kepala['id']}/approve", KD, expect=403)
    assert "direct supervisor" in refused["detail"] and "Kepala" in refused["detail"]
    refused = await targets.as_kd(
        "POST", f"/skp/{kepala['id']}/return", KD, json={"comment": "x"}, expect=403
    )
    assert refused["reason"]["message"].startswith("the kepala daerah returns only")
    kepala = await targets.call("POST", f"/skp/{kepala['id']}/approve", "sekda")
    assert kepala["rhk"][0]["parent_rhk_id"] == parent
    # The top has nothing above to cascade from.
    assert await targets.call("GET", "/skp/parent-options", "sekda", params={"year": YEAR}) == []

    events = await targets.kafka(expected=2)
    by_key = {e.key: e.payload for e in events}
    top = by_key["bantul:sekda"]
    assert isinstance(top, TargetSet) and top.approved_by == KD
    assert by_key["bantul:kepala"].approved_by == "sekda"  # type: ignore[attr-defined]


async def test_a_deactivated_kepala_daerah_approves_nothing(targets: Targets) -> None:
    await targets.appoint(KD)
    sekda = await targets.new_skp("sekda")
    await targets.call("POST", f"/skp/{sekda['id']}/submit", "sekda")
    await targets.appoint(KD, active=False)
    await targets.as_kd("POST", f"/skp/{sekda['id']}/approve", KD, expect=403)
    assert (await targets.as_kd("GET", "/skp/team", KD))["items"] == []
