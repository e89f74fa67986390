"""The daily activity log: rules, edit window with history, visibility, and events in
order per employee on a real Kafka, on both databases."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from services.common.events import ActivityLogged
from services.common.security import Role
from services.common.workdays import local_today
from services.targets.models import Activity
from tests.targets.harness import TIME_ZONE, YEAR, Targets, rhk

pytestmark = pytest.mark.kafka


async def test_activities_reach_a_kafka_consumer_in_order_per_employee(targets: Targets) -> None:
    mine = await targets.approved_skp("pegawai")
    theirs = await targets.approved_skp("peer")
    logged: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for value in range(1, 7):  # interleave two employees
        for owner, skp in (("pegawai", mine), ("peer", theirs)):
            entry = await targets.log(skp, owner, value=value)
            logged[owner].append((entry["id"], "created", value))
    first = logged["pegawai"][0][0]
    await targets.call("PATCH", f"/activities/{first}", "pegawai", json={"value": 99})
    await targets.call("DELETE", f"/activities/{first}", "pegawai")
    logged["pegawai"] += [(first, "edited", 99), (first, "deleted", 99)]

    events = await targets.kafka(expected=2 + 12 + 2)
    seen: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for event in events:
        if isinstance(event.payload, ActivityLogged):
            assert event.key == f"bantul:{event.payload.employee_id}"
            p = event.payload
            seen[p.employee_id].append((p.activity_id, p.action, p.value))
    assert seen == logged
    approved = {e.payload.employee_id for e in events if e.type == "target.set"}
    assert approved == {"pegawai", "peer"}


async def test_no_activity_on_an_unapproved_skp(targets: Targets) -> None:
    draft = await targets.new_skp()
    before = await targets.written()
    answer = await targets.log(draft, expect=409)
    assert "approved" in answer["detail"]
    await targets.call("POST", f"/skp/{draft['id']}/submit", "pegawai")
    await targets.log(draft, expect=409)  # submitted is not approved either
    assert await targets.written() == before
    assert await targets.outbox() == []


async def test_no_activity_on_someone_elses_skp_or_indicator(targets: Targets) -> None:
    mine = await targets.approved_skp("pegawai")
    theirs = await targets.approved_skp("peer")
    before = await targets.written()
    answer = await targets.log(theirs, "pegawai", expect=403)
    assert "own SKP" in answer["detail"]
    foreign_indicator = theirs["rhk"][0]["indicators"][0]["indicator_id"]
    answer = await targets.log(mine, "pegawai", indicator_id=foreign_indicator, expect=400)
    assert "not in your approved SKP" in answer["detail"]
    await targets.log(mine, "pegawai", skp_id="no-such-skp", expect=404)
    assert await targets.written() == before


async def test_activity_date_value_and_link_rules(targets: Targets) -> None:
    skp = await targets.approved_skp()
    before = await targets.written()
    today = local_today(TIME_ZONE)
    answer = await targets.log(skp, activity_date=str(date(YEAR - 1, 12, 31)), expect=400)
    assert "outside the SKP year" in answer["detail"]
    answer = await targets.log(skp, activity_date=str(today + timedelta(days=1)), expect=400)
    assert "future" in answer["detail"] or "outside the SKP year" in answer["detail"]
    await targets.log(skp, value=-1, expect=422)
    await targets.log(skp, evidence_url="javascript:alert(1)", expect=422)
    assert await targets.written() == before
    # The tenant-local today (Asia/Jakarta, UTC+7) is accepted: from 17:00 UTC on, it is
    # already the next day there.
    entry = await targets.log(skp, activity_date=str(today), evidence_url="https://drive/x.pdf")
    assert entry["activity_date"] == str(today)


async def test_edits_and_deletions_within_the_window_keep_the_history(targets: Targets) -> None:
    skp = await targets.approved_skp()
    entry = await targets.log(skp, value=5, note="pagi")
    path = f"/activities/{entry['id']}"
    edited = await targets.call("PATCH", path, "pegawai", json={"value": 7, "note": "koreksi"})
    assert (edited["value"], edited["note"], edited["revision"]) == (7, "koreksi", 2)
    await targets.call("PATCH", path, "peer", json={"value": 1}, expect=403)
    await targets.call("PATCH", path, "pegawai", json={}, expect=400)
    deleted = await targets.call("DELETE", path, "pegawai")
    assert deleted["deleted"] is True
    await targets.call("PATCH", path, "pegawai", json={"value": 8}, expect=409)

    history = await targets.call("GET", f"{path}/history", "atasan")
    assert [(h["action"], h["value"], h["note"]) for h in history["items"]] == [
        ("created", 5, "pagi"),
        ("edited", 7, "koreksi"),
        ("deleted", 7, "koreksi"),
    ]
    listed = await targets.call("GET", "/activities", "pegawai")
    assert listed["total"] == 0
    listed = await targets.call("GET", "/activities", "pegawai", params={"include_deleted": True})
    assert [a["id"] for a in listed["items"]] == [entry["id"]]

    # An entry logged before the tenant's window (7 days by default) is frozen.
    old = await targets.log(skp, value=3)
    async with targets.runtime.sessions.begin() as session:
        await session.exec(
            update(Activity)
            .where(Activity.id == old["id"])
            .values(logged_at=datetime.now(UTC) - timedelta(days=8))
        )
    before = await targets.written()
    for method, body in (("PATCH", {"value": 4}), ("DELETE", None)):
        answer = await targets.call(
            method, f"/activities/{old['id']}", "pegawai", json=body, expect=409
        )
        assert "within 7 days" in answer["detail"]
    assert await targets.written() == before
    actions = [e.payload.action for e in await targets.outbox() if e.type == "activity.logged"]
    assert actions == ["created", "edited", "deleted", "created"]


async def test_log_is_visible_to_chain_and_unit_peers_only(targets: Targets) -> None:
    skp = await targets.approved_skp(content=[rhk()])
    entry = await targets.log(skp)
    params = {"employee_id": "pegawai"}
    for who, roles in [
        ("pegawai", (Role.PEGAWAI,)),
        ("atasan", (Role.ATASAN,)),  # direct supervisor
        ("kepala", (Role.ATASAN,)),  # the supervisor's supervisor
        ("sekda", (Role.ATASAN,)),  # and above, any depth
        ("peer", (Role.PEGAWAI,)),  # same unit
        ("hr", (Role.ADMIN,)),  # regency HR
    ]:
        page = await targets.call("GET", "/activities", who, roles=roles, params=params)
        assert [a["id"] for a in page["items"]] == [entry["id"]], who
        await targets.call("GET", f"/activities/{entry['id']}", who, roles=roles)
    # A peer of another unit cannot read the log, the entry or the SKP.
    answer = await targets.call("GET", "/activities", "other", params=params, expect=403)
    assert "same unit" in answer["detail"]
    await targets.call("GET", f"/activities/{entry['id']}", "other", expect=403)
    await targets.call("GET", f"/skp/{skp['id']}", "other", expect=403)
    # Platform and ops accounts carry no tenant or no staff role.
    await targets.call("GET", "/activities", "x", roles=(Role.OPS,), params=params, expect=403)
    await targets.call("GET", "/activities", "ghost", params={"employee_id": "nobody"}, expect=404)


def _entry(skp: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "skp_id": skp["id"],
        "indicator_id": skp["rhk"][0]["indicators"][0]["indicator_id"],
        "activity_date": str(local_today(TIME_ZONE)),
        "value": 3,
        "note": "loket pagi",
        **changes,
    }


async def test_a_batch_logs_every_entry_with_its_event_or_none_of_them(targets: Targets) -> None:
    mine = await targets.approved_skp("pegawai")
    theirs = await targets.approved_skp("peer")
    approved = len(await targets.outbox())

    # One bad entry (the third: someone else's SKP) refuses the batch: nothing written.
    before = await targets.written()
    bad = [_entry(mine, value=1), _entry(mine, value=2), _entry(theirs)]
    refused = await targets.call(
        "POST", "/activities/batch", "pegawai", json={"activities": bad}, expect=403
    )
    assert refused["reason"]["params"]["item"] == 3
    assert refused["detail"].startswith("item 3 of the batch: ") and "own SKP" in refused["detail"]
    future = _entry(mine, activity_date=str(local_today(TIME_ZONE) + timedelta(days=1)))
    indonesian = await targets.client.post(
        "/api/v1/activities/batch",
        json={"activities": [_entry(mine), future]},
        headers={**targets.auth("pegawai"), "Accept-Language": "id"},
    )
    assert indonesian.status_code == 400
    assert indonesian.json()["detail"].startswith("butir ke-2 dari kiriman: ")
    assert await targets.written() == before

    # Over the bound, or empty: 422 before anything is read.
    for size in (0, 101):
        body = {"activities": [_entry(mine)] * size}
        await targets.call("POST", "/activities/batch", "pegawai", json=body, expect=422)

    # A good batch: every entry, in order, each with its own activity.logged.
    good = [_entry(mine, value=v, note=f"hari {v}") for v in range(1, 6)]
    logged = await targets.call(
        "POST", "/activities/batch", "pegawai", json={"activities": good}, expect=201
    )
    assert [e["value"] for e in logged["items"]] == [1, 2, 3, 4, 5]
    events = [e.payload for e in (await targets.outbox())[approved:]]
    assert [(p.activity_id, p.action) for p in events if isinstance(p, ActivityLogged)] == [
        (e["id"], "created") for e in logged["items"]
    ]
    listed = await targets.call("GET", "/activities", "pegawai")
    assert listed["total"] == 5
