"""SKP lifecycle, approval rules, cascading and isolation, against real Kafka and both
databases."""

from __future__ import annotations

import asyncio

import pytest

from services.common.events import TargetRevised, TargetSet
from services.common.security import Role
from tests.targets.harness import ORG, OTHER_TENANT, YEAR, Targets, indicator, rhk

pytestmark = pytest.mark.kafka


async def test_skp_goes_from_draft_to_approved_and_emits_target_set(targets: Targets) -> None:
    content = [
        rhk(),
        rhk(title="Laporan bulanan", kind="tambahan", indicators=[indicator(unit="laporan")]),
    ]
    skp = await targets.new_skp(content=content)
    assert (skp["status"], skp["version"], skp["approved_version"]) == ("draft", 1, None)
    kept = skp["rhk"][0]
    edited = [
        {**kept, "indicators": [{**kept["indicators"][0], "target": 1500}]},
        rhk(title="Laporan bulanan", kind="tambahan", indicators=[indicator(unit="Laporan")]),
    ]
    skp = await targets.call("PUT", f"/skp/{skp['id']}", "pegawai", json={"rhk": edited})
    assert skp["rhk"][0]["rhk_id"] == kept["rhk_id"]  # ids given back are kept
    assert skp["rhk"][0]["indicators"][0]["target"] == 1500
    assert skp["rhk"][1]["indicators"][0]["unit"] == "laporan"

    await targets.call("POST", f"/skp/{skp['id']}/submit", "pegawai")
    returned = await targets.call(
        "POST", f"/skp/{skp['id']}/return", "atasan", json={"comment": "target terlalu rendah"}
    )
    assert returned["status"] == "draft"
    await targets.call("POST", f"/skp/{skp['id']}/submit", "pegawai")
    approved = await targets.call("POST", f"/skp/{skp['id']}/approve", "atasan")
    assert (approved["status"], approved["approved_version"]) == ("approved", 1)

    history = await targets.call("GET", f"/skp/{skp['id']}/history", "pegawai")
    assert [h["action"] for h in history["items"]] == [
        "created",
        "edited",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert history["items"][3]["comment"] == "target terlalu rendah"

    [event] = await targets.kafka(expected=1)
    assert isinstance(event.payload, TargetSet) and event.type == "target.set"
    assert event.key == "bantul:pegawai" and event.tenant == "bantul"
    assert event.payload.approved_by == "atasan" and event.payload.year == YEAR
    assert [r.model_dump(mode="json") for r in event.payload.rhk] == approved["rhk"]


async def test_revision_is_a_new_version_and_emits_target_revised(targets: Targets) -> None:
    skp = await targets.approved_skp()
    revised = await targets.call("POST", f"/skp/{skp['id']}/revise", "pegawai")
    assert (revised["status"], revised["version"], revised["approved_version"]) == ("draft", 2, 1)
    # The approved version stays in force while the revision is a draft.
    await targets.log(skp)
    content = [*revised["rhk"], rhk(title="Inovasi layanan", kind="tambahan")]
    await targets.call("PUT", f"/skp/{skp['id']}", "pegawai", json={"rhk": content})
    await targets.call("POST", f"/skp/{skp['id']}/submit", "pegawai")
    final = await targets.call("POST", f"/skp/{skp['id']}/approve", "atasan")
    assert (final["version"], final["approved_version"], len(final["rhk"])) == (2, 2, 2)

    versions = await targets.call("GET", f"/skp/{skp['id']}/versions", "pegawai")
    assert [(v["version"], v["status"], len(v["rhk"])) for v in versions["items"]] == [
        (2, "approved", 2),
        (1, "approved", 1),
    ]
    first = await targets.call("GET", f"/skp/{skp['id']}/versions/1", "atasan")
    assert first["rhk"] == skp["rhk"]

    events = [e for e in await targets.kafka(expected=3) if e.type != "activity.logged"]
    assert [e.type for e in events] == ["target.set", "target.revised"]
    assert isinstance(events[1].payload, TargetRevised)
    assert (events[1].payload.version, events[1].payload.previous_version) == (2, 1)


async def test_two_concurrent_approvals_one_wins_one_event(targets: Targets) -> None:
    skp = await targets.new_skp()
    await targets.call("POST", f"/skp/{skp['id']}/submit", "pegawai")

    async def approve() -> int:
        response = await targets.client.post(
            f"/api/v1/skp/{skp['id']}/approve",
            headers=targets.auth("atasan"),
        )
        return response.status_code

    statuses = await asyncio.gather(approve(), approve())
    assert sorted(statuses) == [200, 409]
    events = await targets.kafka(expected=2, timeout=2)
    assert [e.type for e in events] == ["target.set"]


BAD_INDICATORS = {
    "zero target": {"target": 0},
    "negative target": {"target": -5},
    "target not a number": {"target": "banyak"},
    "unknown aspect": {"aspect": "kecepatan"},
    "unknown unit": {"unit": "parsec"},
    "zero weight": {"weight": 0},
}


async def test_bad_indicators_are_refused_with_nothing_written(targets: Targets) -> None:
    for case, bad in BAD_INDICATORS.items():
        body = {"year": YEAR, "rhk": [rhk(indicators=[indicator(**bad)])]}
        answer = await targets.call("POST", "/skp", "pegawai", json=body, expect=422)
        field = next(iter(bad))
        assert any(field in err["loc"] for err in answer["detail"]), (case, answer)
        if case == "unknown unit":
            assert "allowed: %, aplikasi" in answer["detail"][0]["msg"]
    assert set((await targets.written()).values()) == {0}
    # The same rules hold when a draft is edited.
    skp = await targets.new_skp()
    before = await targets.written()
    for bad in BAD_INDICATORS.values():
        body = {"rhk": [rhk(indicators=[indicator(**bad)])]}
        await targets.call("PUT", f"/skp/{skp['id']}", "pegawai", json=body, expect=422)
    assert await targets.written() == before
    assert await targets.call("GET", f"/skp/{skp['id']}", "pegawai") == skp
    assert await targets.outbox() == []


async def test_cascade_only_to_the_direct_supervisors_approved_rhk(targets: Targets) -> None:
    kepala = await targets.new_skp("kepala")
    atasan_draft = await targets.new_skp("atasan")
    before = await targets.written()

    async def refused(owner: str, parent: str, year: int = YEAR) -> str:
        body = {"year": year, "rhk": [rhk(parent_rhk_id=parent)]}
        answer = await targets.call("POST", "/skp", owner, json=body, expect=400)
        return str(answer["detail"])

    # The supervisor's RHK exists but is not approved yet.
    assert "direct supervisor's approved SKP" in await refused(
        "pegawai", atasan_draft["rhk"][0]["rhk_id"]
    )
    # kepala is the supervisor's supervisor, not the direct supervisor.
    assert "parent_rhk_id" in await refused("pegawai", kepala["rhk"][0]["rhk_id"])
    assert "parent_rhk_id" in await refused("pegawai", "no-such-rhk")
    assert await targets.written() == before

    # Cascade over three levels: sekda approves kepala's SKP, atasan supports kepala's
    # RHK, pegawai supports atasan's.
    await targets.call("POST", f"/skp/{kepala['id']}/submit", "kepala")
    kepala = await targets.call("POST", f"/skp/{kepala['id']}/approve", "sekda")
    middle = [rhk(parent_rhk_id=kepala["rhk"][0]["rhk_id"])]
    await targets.call("PUT", f"/skp/{atasan_draft['id']}", "atasan", json={"rhk": middle})
    await targets.call("POST", f"/skp/{atasan_draft['id']}/submit", "atasan")
    atasan = await targets.call("POST", f"/skp/{atasan_draft['id']}/approve", "kepala")
    parent = atasan["rhk"][0]["rhk_id"]

    # other (unit B, under kepala) may not support atasan's RHK; nor may next year's SKP.
    await refused("other", parent)
    await refused("pegawai", parent, year=YEAR + 1)
    options = await targets.call("GET", "/skp/parent-options", "pegawai", params={"year": YEAR})
    assert [o["rhk_id"] for o in options] == [parent]

    linked = await targets.approved_skp(content=[rhk(parent_rhk_id=parent)])
    assert linked["rhk"][0]["parent_rhk_id"] == parent
    events = await targets.kafka(expected=3)
    # Different employees, different partitions: compare without order.
    assert sorted((e.type, e.key) for e in events) == [
        ("target.set", "bantul:atasan"),
        ("target.set", "bantul:kepala"),
        ("target.set", "bantul:pegawai"),
    ]


async def test_only_the_direct_supervisor_approves_or_returns(targets: Targets) -> None:
    skp = await targets.new_skp()
    await targets.call("POST", f"/skp/{skp['id']}/submit", "pegawai")
    before = await targets.written()
    for who, roles in [
        ("pegawai", (Role.PEGAWAI,)),  # the owner
        ("peer", (Role.PEGAWAI,)),  # a peer
        ("kepala", (Role.ATASAN,)),  # the supervisor's supervisor
        ("staf", (Role.ATASAN,)),  # an atasan role is not enough
        ("hr", (Role.ADMIN,)),  # the regency HR office
    ]:
        answer = await targets.call(
            "POST", f"/skp/{skp['id']}/approve", who, roles=roles, expect=403
        )
        assert "direct supervisor" in answer["detail"]
        await targets.call(
            "POST", f"/skp/{skp['id']}/return", who, roles=roles, json={"comment": "x"}, expect=403
        )
    assert await targets.written() == before
    current = await targets.call("GET", f"/skp/{skp['id']}", "pegawai")
    assert current["status"] == "submitted"
    # A draft cannot be approved even by the right person.
    other = await targets.new_skp("peer")
    await targets.call("POST", f"/skp/{other['id']}/approve", "atasan", expect=409)
    assert await targets.outbox() == []


async def test_other_tenants_ids_answer_404(targets: Targets) -> None:
    skp = await targets.approved_skp()
    activity = await targets.log(skp)
    before = await targets.written()
    # sleman has employees with the same ids ("atasan" supervises "pegawai" there too).
    for method, path, body in [
        ("GET", f"/skp/{skp['id']}", None),
        ("GET", f"/skp/{skp['id']}/versions", None),
        ("GET", f"/skp/{skp['id']}/history", None),
        ("PUT", f"/skp/{skp['id']}", {"rhk": [rhk()]}),
        ("POST", f"/skp/{skp['id']}/revise", None),
        ("POST", f"/skp/{skp['id']}/approve", None),
        ("GET", f"/activities/{activity['id']}", None),
        ("GET", f"/activities/{activity['id']}/history", None),
        ("PATCH", f"/activities/{activity['id']}", {"value": 1}),
        ("DELETE", f"/activities/{activity['id']}", None),
    ]:
        for who in ("pegawai", "atasan"):
            await targets.call(method, path, who, json=body, tenant=OTHER_TENANT, expect=404)
    log = {
        "skp_id": skp["id"],
        "indicator_id": "x",
        "activity_date": str(activity["activity_date"]),
        "value": 1,
    }
    await targets.call("POST", "/activities", "pegawai", json=log, tenant=OTHER_TENANT, expect=404)
    # Listing by the same employee id shows sleman's own (empty) data, nothing of bantul.
    mine = await targets.call("GET", "/activities", "pegawai", tenant=OTHER_TENANT)
    assert mine["total"] == 0
    skps = await targets.call(
        "GET", "/skp", "atasan", tenant=OTHER_TENANT, params={"employee_id": "pegawai"}
    )
    assert skps["total"] == 0
    await targets.call(
        "GET",
        "/activities",
        "hr",
        tenant=OTHER_TENANT,
        roles=(Role.ADMIN,),
        params={"employee_id": "peer"},
        expect=404,
    )
    assert await targets.written() == before


async def test_one_skp_per_year_and_copy_of_last_year(targets: Targets) -> None:
    await targets.call("POST", "/skp/copy", "pegawai", json={}, expect=404)
    last = await targets.approved_skp(
        year=YEAR - 1, content=[rhk(), rhk(title="Arsip", kind="tambahan")]
    )
    copy = await targets.call("POST", "/skp/copy", "pegawai", json={}, expect=201)
    assert (copy["year"], copy["status"], copy["version"]) == (YEAR, "draft", 1)
    assert [r["title"] for r in copy["rhk"]] == [r["title"] for r in last["rhk"]]
    old_ids = {r["rhk_id"] for r in last["rhk"]}
    assert not old_ids & {r["rhk_id"] for r in copy["rhk"]}
    assert copy["rhk"][0]["indicators"][0]["target"] == last["rhk"][0]["indicators"][0]["target"]

    before = await targets.written()
    answer = await targets.call("POST", "/skp/copy", "pegawai", json={}, expect=409)
    assert str(YEAR) in answer["detail"]
    await targets.call("POST", "/skp", "pegawai", json={"year": YEAR, "rhk": []}, expect=409)
    assert await targets.written() == before
    listed = await targets.call("GET", "/skp", "atasan", params={"employee_id": "pegawai"})
    assert [s["year"] for s in listed["items"]] == [YEAR, YEAR - 1]


async def test_supervisor_sees_where_each_direct_report_stands(targets: Targets) -> None:
    await targets.approved_skp("pegawai")
    peer = await targets.new_skp("peer")
    await targets.call("POST", f"/skp/{peer['id']}/submit", "peer")
    await targets.new_skp("staf", year=YEAR - 1)  # another year: missing for this one
    team = await targets.call("GET", "/skp/team", "atasan", roles=(Role.ATASAN,))
    assert {m["employee_id"]: m["status"] for m in team["items"]} == {
        "pegawai": "approved",
        "peer": "submitted",
        "staf": "missing",
    }
    waiting = await targets.call(
        "GET", "/skp/team", "atasan", roles=(Role.ATASAN,), params={"status": "submitted"}
    )
    assert [m["employee_id"] for m in waiting["items"]] == ["peer"]
    assert waiting["items"][0]["skp_id"] == peer["id"]
    last_year = await targets.call(
        "GET", "/skp/team", "atasan", params={"year": YEAR - 1, "limit": 1}
    )
    assert last_year["total"] == 3 and len(last_year["items"]) == 1
    # kepala's direct reports are atasan and other: no SKP yet.
    top = await targets.call("GET", "/skp/team", "kepala")
    assert {m["employee_id"]: m["status"] for m in top["items"]} == {
        "atasan": "missing",
        "other": "missing",
    }


async def test_hr_lists_who_in_the_regency_has_no_approved_skp(targets: Targets) -> None:
    """BKPSDM's regency-wide list: everyone active, by name, and with ``unapproved`` only
    those whose SKP of the year is missing, a draft or awaiting approval; never another
    regency's people, never for a non-admin."""
    await targets.approved_skp("pegawai")
    peer = await targets.new_skp("peer")
    await targets.call("POST", f"/skp/{peer['id']}/submit", "peer")
    admin = {"roles": (Role.ADMIN,)}
    everyone = await targets.call("GET", "/skp/regency", "hr", **admin)
    assert everyone["total"] == len(ORG)  # sleman's people are not among them
    names = [m["name"] for m in everyone["items"]]
    assert names == sorted(names)
    waiting = await targets.call(
        "GET", "/skp/regency", "hr", params={"unapproved": "true"}, **admin
    )
    statuses = {m["employee_id"]: m["status"] for m in waiting["items"]}
    assert "pegawai" not in statuses and statuses["peer"] == "submitted"
    assert set(statuses) == set(ORG) - {"pegawai"}
    assert {statuses[k] for k in ORG if k not in {"pegawai", "peer"}} == {"missing"}
    await targets.call("GET", "/skp/regency", "atasan", roles=(Role.ATASAN,), expect=403)


async def test_hr_regency_list_pages_in_order_and_counts_the_filtered_total(
    targets: Targets,
) -> None:
    """The regency list is paged in the database: pages of 2 walk everyone in name order
    exactly once, and with ``unapproved`` the total counts only the unapproved."""
    await targets.approved_skp("pegawai")
    admin = {"roles": (Role.ADMIN,)}
    full = await targets.call("GET", "/skp/regency", "hr", **admin)
    walked: list[str] = []
    for offset in range(0, len(ORG), 2):
        page = await targets.call(
            "GET", "/skp/regency", "hr", params={"limit": 2, "offset": offset}, **admin
        )
        assert page["total"] == len(ORG) and len(page["items"]) <= 2
        walked += [m["employee_id"] for m in page["items"]]
    assert walked == [m["employee_id"] for m in full["items"]]
    waiting = await targets.call(
        "GET",
        "/skp/regency",
        "hr",
        params={"unapproved": "true", "limit": 1, "offset": 1},
        **admin,
    )
    assert waiting["total"] == len(ORG) - 1
    [second] = waiting["items"]
    unapproved = [m for m in full["items"] if m["employee_id"] != "pegawai"]
    assert second["employee_id"] == unapproved[1]["employee_id"]
    assert second["status"] == "missing"


async def test_a_refusal_answers_its_template_and_the_callers_language(targets: Targets) -> None:
    """The runtime answers a targets refusal once: the English text by default, the
    Indonesian one for ``Accept-Language: id``, and always the template with its
    parameters for programs."""
    skp = await targets.new_skp(content=[rhk(kind="tambahan")])
    before = await targets.written()
    template = "an SKP needs at least one RHK of kind 'utama' before submission"
    answers = {}
    for language in ("en", "id-ID,id;q=0.9"):
        response = await targets.client.post(
            f"/api/v1/skp/{skp['id']}/submit",
            headers={**targets.auth("pegawai"), "Accept-Language": language},
        )
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["reason"] == {"message": template, "params": {}}
        answers[language[:2]] = body["detail"]
    assert answers == {
        "en": template,
        "id": "SKP wajib memuat sekurang-kurangnya satu RHK berjenis 'utama' sebelum diajukan",
    }
    assert await targets.written() == before
