"""Deactivated employees in the targets service, and concurrent edits of one activity
entry (revision guard), on both databases against real Kafka."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.common.events import ActivityLogged
from tests.targets.harness import YEAR, Targets, rhk

pytestmark = pytest.mark.kafka


async def test_deactivated_employees_cannot_act_or_be_acted_upon(targets: Targets) -> None:
    mine = await targets.approved_skp("pegawai")
    entry = await targets.log(mine, "pegawai")
    draft = await targets.new_skp("pegawai", year=YEAR + 1)
    waiting = {}
    for owner in ("peer", "staf"):
        skp = await targets.new_skp(owner)
        await targets.call("POST", f"/skp/{skp['id']}/submit", owner)
        waiting[owner] = skp["id"]
    published = len(await targets.outbox())

    # Phase 1: pegawai and peer leave; their supervisor (atasan) is still active.
    await targets.deactivate("pegawai", "peer")
    before = await targets.written()
    refused_to_act: list[tuple[str, str, Any]] = [
        ("POST", "/skp", {"year": YEAR + 2, "rhk": [rhk()]}),
        ("POST", "/skp/copy", {"year": YEAR + 2}),
        ("PUT", f"/skp/{draft['id']}", {"rhk": [rhk()]}),
        ("POST", f"/skp/{draft['id']}/submit", None),
        ("POST", f"/skp/{mine['id']}/revise", None),
        ("PATCH", f"/activities/{entry['id']}", {"value": 3}),
        ("DELETE", f"/activities/{entry['id']}", None),
    ]
    for method, path, body in refused_to_act:
        answer = await targets.call(method, path, "pegawai", json=body, expect=403)
        assert "deactivated" in answer["detail"], (method, path, answer)
    answer = await targets.log(mine, "pegawai", expect=403)
    assert "deactivated" in answer["detail"]
    for action, body in (("approve", None), ("return", {"comment": "lengkapi"})):
        answer = await targets.call(
            "POST", f"/skp/{waiting['peer']}/{action}", "atasan", json=body, expect=409
        )
        assert "Peer is deactivated" in answer["detail"], answer

    # Phase 2: the supervisor leaves too; staf's SKP waits for a new supervisor.
    await targets.deactivate("atasan")
    for action, body in (("approve", None), ("return", {"comment": "lengkapi"})):
        answer = await targets.call(
            "POST", f"/skp/{waiting['staf']}/{action}", "atasan", json=body, expect=403
        )
        assert "your employee record is deactivated" in answer["detail"]
    assert await targets.written() == before
    assert len(await targets.outbox()) == published
    # Reading stays possible (history is kept), and the active colleague still works.
    assert (await targets.call("GET", f"/skp/{mine['id']}", "atasan"))["status"] == "approved"
    await targets.new_skp("staf", year=YEAR + 1)


async def test_two_concurrent_edits_of_one_entry_one_wins_one_event(targets: Targets) -> None:
    skp = await targets.approved_skp()
    entry = await targets.log(skp, value=5)
    path = f"/activities/{entry['id']}"

    async def edit(value: int) -> tuple[int, Any]:
        response = await targets.client.patch(
            f"/api/v1{path}", json={"revision": 1, "value": value}, headers=targets.auth("pegawai")
        )
        return response.status_code, response.json()

    answers = await asyncio.gather(edit(7), edit(9))
    assert sorted(status for status, _ in answers) == [200, 409], answers
    won = next(body for status, body in answers if status == 200)
    lost = next(body for status, body in answers if status == 409)
    assert won["revision"] == 2 and "changed since revision 1" in lost["detail"]
    history = await targets.call("GET", f"{path}/history", "pegawai")
    assert [(h["revision"], h["value"]) for h in history["items"]] == [
        (1, 5),
        (2, won["value"]),
    ]
    # A real consumer sees target.set, created, and exactly one edited event.
    events = await targets.kafka(expected=4, timeout=2)
    actions = [e.payload.action for e in events if isinstance(e.payload, ActivityLogged)]
    assert actions == ["created", "edited"]

    # A stale revision is refused with nothing written; the current one passes.
    before = await targets.written()
    stale = await targets.call(
        "PATCH", path, "pegawai", json={"revision": 1, "value": 1}, expect=409
    )
    assert "reload" in stale["detail"]
    await targets.call("DELETE", path, "pegawai", params={"revision": 1}, expect=409)
    assert await targets.written() == before
    edited = await targets.call("PATCH", path, "pegawai", json={"revision": 2, "value": 4})
    assert edited["revision"] == 3
    deleted = await targets.call("DELETE", path, "pegawai", params={"revision": 3})
    assert deleted["deleted"] and deleted["revision"] == 4
