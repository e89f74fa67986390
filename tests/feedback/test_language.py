"""Feedback's refusals are answered by the kernel in the caller's language: the English
template and its parameters for programs, the text in Indonesian for a person."""

from __future__ import annotations

import pytest

from tests.feedback.conftest import ADMIN, BAPPEDA, Feedback
from tests.feedback.helpers import PUBLIC, STAFF, complaint, complaint_id, file

pytestmark = pytest.mark.kafka


async def test_refusals_name_the_unit_and_speak_indonesian(feedback: Feedback) -> None:
    fb = feedback
    # A citizen complains about a unit that does not serve the public: the unit is named.
    refused = await fb.client.post(
        PUBLIC, json=complaint(unit_id=BAPPEDA), headers={"Accept-Language": "id-ID,id;q=0.9"}
    )
    assert refused.status_code == 400, refused.text
    assert refused.json() == {
        "detail": "unit Bappeda Bantul tidak melayani masyarakat: unit ini tidak menerima "
        "survei maupun pengaduan",
        "reason": {
            "message": "unit {name} does not serve the public: it takes no surveys or complaints",
            "params": {"name": "Bappeda Bantul"},
        },
    }

    # A lifecycle jump (the old TransitionRefused) is a Conflict of the same family.
    cid = await complaint_id(fb, await file(fb))
    jump = await fb.client.post(
        f"{STAFF}/{cid}/transitions",
        json={"to_status": "resolved", "reason": "selesai"},
        headers={**ADMIN, "Accept-Language": "id"},
    )
    assert jump.status_code == 409, jump.text
    body = jump.json()
    assert body["reason"]["params"] == {
        "current": "received",
        "target": "resolved",
        "allowed": "archived, not_our_authority, rejected, verified",
    }
    assert body["detail"].startswith("status pengaduan tidak dapat berpindah dari received")
    english = await fb.client.post(
        f"{STAFF}/{cid}/transitions", json={"to_status": "resolved", "reason": "x"}, headers=ADMIN
    )
    assert english.json()["detail"].startswith("a complaint cannot go from received")
