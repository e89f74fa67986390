"""Public complaints, their lifecycle by staff, isolation and rate limits, on real Kafka and
both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.common.events import ComplaintFiled, ComplaintStatusChanged
from services.common.security import Role
from services.common.workdays import add_working_days
from services.feedback.models import Complaint, ComplaintStep
from tests.feedback.conftest import (
    ADMIN,
    BANTUL,
    BAPPEDA,
    COMPLAINT_OFFICER,
    DUKCAPIL,
    SLEMAN,
    Feedback,
    running_feedback,
    staff,
)
from tests.feedback.helpers import CONTACT, PUBLIC, STAFF, complaint, complaint_id, file

pytestmark = pytest.mark.kafka


async def move(fb: Feedback, cid: str, to: str, headers: dict[str, str], **extra: Any) -> Any:
    body = {"to_status": to, "reason": f"alasan: {to}", **extra}
    return await fb.client.post(f"{STAFF}/{cid}/transitions", json=body, headers=headers)


async def test_complaint_whole_lifecycle_reaches_kafka(feedback: Feedback) -> None:
    fb = feedback
    code = await file(fb)
    assert code.startswith("ADU-")
    cid = await complaint_id(fb, code)

    # The citizen's contact is accepted but stored nowhere.
    for model in (Complaint, ComplaintStep):
        assert CONTACT not in repr(await fb.rows(model))

    listed = await fb.client.get(STAFF, headers=COMPLAINT_OFFICER)
    assert listed.status_code == 200 and listed.json()["total"] == 1
    [item] = listed.json()["items"]
    assert (item["status"], item["pending_step"], item["overdue"]) == (
        "received",
        "verification",
        False,
    )

    steps = [
        ("verified", COMPLAINT_OFFICER, {"lapor_reference": "LAPOR-2026-0042"}),
        ("in_progress", staff(BANTUL, "e-head"), {}),  # the unit's head
        ("resolved", ADMIN, {}),
        ("archived", staff(BANTUL, "e-head"), {}),
    ]
    for to, headers, extra in steps:
        response = await move(fb, cid, to, headers, **extra)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == to
    detail = (await fb.client.get(f"{STAFF}/{cid}", headers=ADMIN)).json()
    assert detail["lapor_reference"] == "LAPOR-2026-0042" and detail["overdue"] is False
    assert [(h["from_status"], h["to_status"]) for h in detail["history"]] == [
        (None, "received"),
        ("received", "verified"),
        ("verified", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "archived"),
    ]
    assert detail["history"][2]["actor_employee_id"] == "e-head"

    # The citizen follows it by code: statuses and reasons, no staff names or ids.
    tracked = await fb.client.get(f"{PUBLIC}/{code.lower()}")
    assert tracked.status_code == 200, tracked.text
    public = tracked.json()
    assert public["status"] == "archived" and public["unit_name"] == "Dinas Dukcapil Bantul"
    assert [h["status"] for h in public["history"]] == [
        "received",
        "verified",
        "in_progress",
        "resolved",
        "archived",
    ]
    assert public["history"][3]["reason"] == "alasan: resolved"
    assert "e-" not in tracked.text
    assert (await fb.client.get(f"/api/v1/public/{SLEMAN}/complaints/{code}")).status_code == 404

    events = await fb.events(expected=5)
    assert [e.type for e in events] == ["complaint.filed"] + ["complaint.status_changed"] * 4
    assert events[0].payload == ComplaintFiled(
        complaint_id=cid, unit_id=DUKCAPIL, officer_id="e-officer", category="pungutan_liar"
    )
    assert events[2].payload == ComplaintStatusChanged(
        complaint_id=cid,
        unit_id=DUKCAPIL,
        officer_id="e-officer",
        from_status="verified",
        to_status="in_progress",
        reason="alasan: in_progress",
    )
    assert {e.key for e in events} == {f"{BANTUL}:{DUKCAPIL}"}


async def test_bad_complaints_and_jumps_write_nothing(feedback: Feedback) -> None:
    fb = feedback
    refused: list[tuple[dict[str, Any], int, str]] = [
        (complaint(unit_id=BAPPEDA), 400, "does not serve the public"),
        (complaint(unit_id="u-nowhere"), 404, "not found"),
        (complaint(officer_id="s-counter"), 400, "not an active employee"),
        (complaint(officer_id="e-retired"), 400, "not an active employee"),
        (complaint(category="spam"), 422, "category"),
        (complaint(text="x" * 4001), 422, "text"),
        (complaint(unit_id="u" * 65), 422, "at most 64"),
        (complaint(officer_id="o" * 65), 422, "at most 64"),
        (complaint(text="x" * 2_000_000), 413, "larger than 1048576 bytes"),
        (complaint(text="   "), 422, "text"),
        (complaint(tenant="sleman"), 422, "tenant"),
    ]
    for body, code, reason in refused:
        response = await fb.client.post(PUBLIC, json=body)
        assert response.status_code == code, (body, response.text)
        assert reason in str(response.json()["detail"]), response.text
    assert (
        await fb.client.post("/api/v1/public/NOT A SLUG/complaints", json=complaint())
    ).status_code == 422
    assert await fb.count(Complaint) == 0 and await fb.outbox() == 0

    cid = await complaint_id(fb, await file(fb))
    jumps = [
        ({"to_status": "resolved", "reason": "selesai"}, 409, "cannot go from received"),
        ({"to_status": "in_progress", "reason": "mulai"}, 409, "cannot go from received"),
        ({"to_status": "received", "reason": "lagi"}, 409, "cannot go from received"),
        ({"to_status": "verified"}, 422, "reason"),
        ({"to_status": "verified", "reason": "  "}, 422, "reason"),
        ({"to_status": "closed", "reason": "x"}, 422, "to_status"),
    ]
    for body, code, reason in jumps:
        response = await fb.client.post(f"{STAFF}/{cid}/transitions", json=body, headers=ADMIN)
        assert response.status_code == code, (body, response.text)
        assert reason in str(response.json()["detail"]), response.text
    [row] = await fb.rows(Complaint)
    assert row.status == "received" and await fb.count(ComplaintStep) == 1
    assert await fb.outbox() == 1  # only complaint.filed

    # A closed complaint stays closed.
    assert (await move(fb, cid, "rejected", ADMIN)).status_code == 200
    assert (await move(fb, cid, "verified", ADMIN)).status_code == 409
    assert await fb.outbox() == 2


async def test_staff_see_and_move_only_their_own_complaints(feedback: Feedback) -> None:
    fb = feedback
    cid = await complaint_id(fb, await file(fb))
    outsiders = {
        "sleman staff": staff(SLEMAN, "s-counter"),
        "sleman admin": staff(SLEMAN, "s-admin", Role.ADMIN),
        "bantul, other unit": staff(BANTUL, "e-planner"),
        "bantul, inactive": staff(BANTUL, "e-retired"),
        "bantul, inactive complaint officer": staff(
            BANTUL, "e-retired", Role.PEGAWAI, Role.PENGELOLA_PENGADUAN
        ),
        "bantul, complaint officer elsewhere": staff(
            BANTUL, "e-planner", Role.PEGAWAI, Role.PENGELOLA_PENGADUAN
        ),
        "same unit, no complaint duty": staff(),
    }
    for who, headers in outsiders.items():
        seen = await fb.client.get(f"{STAFF}/{cid}", headers=headers)
        assert seen.status_code == 404, who
        moved = await move(fb, cid, "verified", headers)
        assert moved.status_code == 404, who
        assert moved.json()["detail"] == "complaint not found"
        listed = await fb.client.get(STAFF, headers=headers)
        assert listed.status_code == 200 and listed.json()["total"] == 0, who
    assert (await fb.client.get(f"{STAFF}/{cid}")).status_code == 401
    [row] = await fb.rows(Complaint)
    assert row.status == "received" and await fb.outbox() == 1

    # Sleman's own complaint at its unit with the same id is Sleman's only.
    sleman = await fb.client.post(
        f"/api/v1/public/{SLEMAN}/complaints", json=complaint(officer_id=None)
    )
    assert sleman.status_code == 201, sleman.text
    sleman_officer = staff(SLEMAN, "s-counter", Role.PEGAWAI, Role.PENGELOLA_PENGADUAN)
    mine = await fb.client.get(STAFF, headers=sleman_officer)
    assert mine.json()["total"] == 1 and mine.json()["items"][0]["id"] != cid
    for headers in (COMPLAINT_OFFICER, ADMIN, staff(BANTUL, "e-head")):
        assert (await fb.client.get(STAFF, headers=headers)).json()["total"] == 1
    filtered = await fb.client.get(STAFF, params={"status": "verified"}, headers=ADMIN)
    assert filtered.json()["total"] == 0


async def test_the_officer_named_never_handles_the_complaint(feedback: Feedback) -> None:
    """Issue 11 item 6: only the unit head, the unit's pengelola pengaduan and admin handle
    a complaint, never the officer it names; closing it unresolved needs head or admin."""
    fb = feedback
    cid = await complaint_id(fb, await file(fb))  # names e-officer
    named = {
        "named officer": staff(BANTUL, "e-officer"),
        # A duty does not lift the rule: the named complaint officer still may not.
        "named officer with the duty": staff(
            BANTUL, "e-officer", Role.PEGAWAI, Role.PENGELOLA_PENGADUAN
        ),
    }
    for who, headers in named.items():
        assert (await fb.client.get(f"{STAFF}/{cid}", headers=headers)).status_code == 404, who
        for to in ("verified", "rejected", "not_our_authority", "archived"):
            assert (await move(fb, cid, to, headers)).status_code == 404, (who, to)
        listed = await fb.client.get(STAFF, headers=headers)
        assert listed.json()["total"] == 0, who
    # The named officer learns how many complaints name them and in which state; not the
    # text, the history or anything about the citizen.
    naming = await fb.client.get(f"{STAFF}/naming-me", headers=staff(BANTUL, "e-officer"))
    assert naming.status_code == 200, naming.text
    assert naming.json() == {"total": 1, "by_status": {"received": 1}}
    assert (await fb.client.get(f"{STAFF}/naming-me", headers=COMPLAINT_OFFICER)).json() == {
        "total": 0,
        "by_status": {},
    }

    # The complaint officer handles it, but closing it unresolved is for the head or admin.
    for to in ("rejected", "not_our_authority", "archived"):
        refused = await move(fb, cid, to, COMPLAINT_OFFICER)
        assert refused.status_code == 403, (to, refused.text)
        assert "needs the unit head or the HR admin" in refused.json()["detail"]
    [row] = await fb.rows(Complaint)
    assert row.status == "received" and await fb.outbox() == 1
    assert (await move(fb, cid, "verified", COMPLAINT_OFFICER)).status_code == 200
    rejected = await move(fb, cid, "rejected", staff(BANTUL, "e-head"))
    assert rejected.status_code == 200, rejected.text
    naming = await fb.client.get(f"{STAFF}/naming-me", headers=staff(BANTUL, "e-officer"))
    assert naming.json() == {"total": 1, "by_status": {"rejected": 1}}

    # A complaint naming the complaint officer is handled by the head, not by them.
    other = await complaint_id(fb, await file(fb, officer_id="e-pengaduan"))
    assert (await fb.client.get(f"{STAFF}/{other}", headers=COMPLAINT_OFFICER)).status_code == 404
    assert (await move(fb, other, "verified", COMPLAINT_OFFICER)).status_code == 404
    assert (await move(fb, other, "verified", staff(BANTUL, "e-head"))).status_code == 200


async def test_overdue_steps_are_visible(feedback: Feedback) -> None:
    fb = feedback
    cid = await complaint_id(fb, await file(fb))
    long_ago = datetime.now(UTC) - timedelta(days=10)
    async with fb.runtime.sessions.begin() as session:
        row = await session.get(Complaint, cid)
        assert row is not None
        row.received_at = long_ago
        session.add(row)
    due = add_working_days(long_ago.astimezone(ZoneInfo("Asia/Jakarta")).date(), 3)
    [item] = (await fb.client.get(STAFF, headers=COMPLAINT_OFFICER)).json()["items"]
    assert (item["pending_step"], item["due_on"], item["overdue"]) == (
        "verification",
        str(due),
        True,
    )
    verified = (await move(fb, cid, "verified", COMPLAINT_OFFICER)).json()
    assert verified["pending_step"] == "follow_up_plan" and verified["overdue"] is False
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    assert verified["due_on"] == str(add_working_days(today, 5))
    planned = (await move(fb, cid, "in_progress", COMPLAINT_OFFICER)).json()
    assert (planned["pending_step"], planned["due_on"], planned["overdue"]) == (None, None, False)


async def test_burst_beyond_the_limit_gets_429_and_keeps_the_rest(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    async with running_feedback(
        database_url, kafka_bootstrap, topic_prefix, public_submit_rate="5/minute"
    ) as fb:
        burst = await asyncio.gather(*(fb.client.post(PUBLIC, json=complaint()) for _ in range(8)))
        codes = sorted(r.status_code for r in burst)
        assert codes == [201] * 5 + [429] * 3
        for limited in (r for r in burst if r.status_code == 429):
            assert 1 <= int(limited.headers["Retry-After"]) <= 60
            assert "too many requests" in limited.json()["detail"]
        # Survey submissions share the address's submit budget; reads have their own.
        survey = await fb.client.post(f"/api/v1/public/{BANTUL}/surveys/x", json={})
        assert survey.status_code == 429
        codes_filed = {r.json()["tracking_code"] for r in burst if r.status_code == 201}
        track = await fb.client.get(f"{PUBLIC}/{next(iter(codes_filed))}")
        assert track.status_code == 200
        assert {c.tracking_code for c in await fb.rows(Complaint)} == codes_filed
        events = await fb.events(expected=5)
        assert len(events) == 5 and all(e.type == "complaint.filed" for e in events)
