"""The citizens' suggestions (saran) to a unit: read by the unit's head, its complaint
officer and admin only, one ended month at a time, none below k responses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col

from services.common.security import Role
from services.feedback.models import Survey
from tests.feedback.conftest import (
    ADMIN,
    BANTUL,
    COMPLAINT_OFFICER,
    COUNTER,
    DUKCAPIL,
    SLEMAN,
    Feedback,
    K,
    staff,
)
from tests.feedback.helpers import answers, issue, survey_path

pytestmark = pytest.mark.kafka

PATH = f"/api/v1/units/{DUKCAPIL}/survey-comments"
HEAD = staff(BANTUL, "e-head", Role.PEGAWAI, Role.ATASAN)


async def _commented(fb: Feedback, day: date, comment: str) -> None:
    token = await issue(fb)
    body = {**answers(3), "comment": comment}
    sent = await fb.client.post(survey_path(token["token"]), json=body)
    assert sent.status_code == 201, sent.text
    async with fb.runtime.sessions.begin() as session:
        await session.exec(
            update(Survey)
            .where(col(Survey.token_id) == token["id"])
            .values(submitted_at=datetime.combine(day, time(5), tzinfo=UTC))
        )


async def test_comments_go_to_the_units_handlers_with_k_responses(feedback: Feedback) -> None:
    fb = feedback
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    month_end = today.replace(day=1) - timedelta(days=1)
    month = {"from": str(month_end.replace(day=1)), "to": str(month_end)}
    await _commented(fb, month_end, "Toilet perlu dibersihkan")
    await _commented(fb, today, "Bulan ini belum selesai")

    # Below k responses in the month: not enough data, no text at all.
    few = (await fb.client.get(PATH, params=month, headers=HEAD)).json()
    assert few["suppressed"] is True and few["comments"] == [] and few["responses"] == 0
    for i in range(K - 1):  # one without a comment: it counts, shows nothing
        await _commented(fb, month_end, "" if i == 0 else "Antrean terlalu panjang")
    for reader in (HEAD, COMPLAINT_OFFICER):
        got = await fb.client.get(PATH, params=month, headers=reader)
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["suppressed"] is False and body["responses"] == K
        # Alphabetical, not in the order they came: no time order ties a text to a token.
        assert body["comments"] == ["Antrean terlalu panjang", "Toilet perlu dibersihkan"]
    # The running month stays closed outside admin; admin reads it live.
    running = {"from": str(today), "to": str(today)}
    assert (await fb.client.get(PATH, params=running, headers=HEAD)).status_code == 400
    live = (await fb.client.get(PATH, params=running, headers=ADMIN)).json()
    assert live["comments"] == ["Bulan ini belum selesai"]

    # The counter officer and a colleague do not read them; nor another regency.
    for outsider in (COUNTER, staff(BANTUL, "e-officer")):
        refused = await fb.client.get(PATH, params=month, headers=outsider)
        assert refused.status_code == 403, refused.text
        assert refused.json()["reason"]["message"].startswith("the citizens' comments")
    sleman = staff(SLEMAN, "s-counter", Role.PEGAWAI, Role.PENGELOLA_PENGADUAN)
    other = (await fb.client.get(PATH, params=month, headers=sleman)).json()
    assert other["comments"] == [] and other["responses"] == 0
