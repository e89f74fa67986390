"""Survey tokens, QR codes, the public survey and the unit summary, on real Kafka and
both databases."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import segno
from sqlalchemy import update
from sqlmodel import col

from services.common.events import SurveyReceived
from services.common.security import Role
from services.common.skm import ELEMENTS, ikm
from services.feedback.models import Survey, SurveyToken
from tests.feedback.conftest import (
    ADMIN,
    BANTUL,
    COUNTER,
    DUKCAPIL,
    MIN_SAMPLE,
    SLEMAN,
    TOKENS_PER_DAY,
    Feedback,
    K,
    staff,
)
from tests.feedback.helpers import TOKENS, answers, issue, survey_path

pytestmark = pytest.mark.kafka


async def test_token_to_qr_to_survey_reaches_kafka(feedback: Feedback) -> None:
    fb = feedback
    token = await issue(fb, officer_id="e-officer", service_type="KTP-el")
    assert token["unit_id"] == DUKCAPIL and token["issued_by"] == "e-counter"
    url = f"http://127.0.0.1:8000/survey/{BANTUL}/{token['token']}"
    assert token["survey_url"] == url
    expires = datetime.fromisoformat(token["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)

    # The QR codes encode exactly the public survey URL.
    svg = await fb.client.get(f"{TOKENS}/{token['id']}/qr.svg", headers=COUNTER)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="svg", scale=4, border=4)
    assert svg.content == expected.getvalue()
    png = await fb.client.get(f"{TOKENS}/{token['id']}/qr.png", headers=ADMIN)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    # The secret is for the issuer's citizen: colleagues, the officer named and the head
    # never get it back (they could fill the survey themselves).
    for who in ("e-head", "e-officer"):
        seen = await fb.client.get(f"{TOKENS}/{token['id']}", headers=staff(BANTUL, who))
        assert seen.status_code == 404, who

    form = await fb.client.get(survey_path(token["token"]))
    assert form.status_code == 200, form.text
    page = form.json()
    assert page["unit_name"] == "Dinas Dukcapil Bantul" and page["service_type"] == "KTP-el"
    assert [q["element"] for q in page["questions"]] == list(ELEMENTS)
    assert page["questions"][0]["question"].startswith("Bagaimana pendapat Saudara")

    sent = await fb.client.post(
        survey_path(token["token"]), json={**answers(4, 4, 3, 4, 4, 4, 4, 3, 2), "comment": "Cepat"}
    )
    assert sent.status_code == 201, sent.text
    survey_id = sent.json()["survey_id"]

    # Used once: the page and a second submission both refuse, nothing more is written.
    again = await fb.client.post(survey_path(token["token"]), json=answers(1))
    assert again.status_code == 409 and "already been used" in again.json()["detail"]
    assert (await fb.client.get(survey_path(token["token"]))).status_code == 409
    assert await fb.count(Survey) == 1 and await fb.outbox() == 1

    [event] = await fb.events(expected=1)
    assert event.tenant == BANTUL and event.key == f"{BANTUL}:{DUKCAPIL}"
    assert event.payload == SurveyReceived(
        survey_id=survey_id,
        unit_id=DUKCAPIL,
        officer_id="e-officer",
        service_type="KTP-el",
        scores=[4, 4, 3, 4, 4, 4, 4, 3, 2],
    )
    # The citizen is anonymous: the stored row holds the answers and nothing about them.
    [row] = await fb.rows(Survey)
    assert row.comment == "Cepat" and row.token_id == token["id"]


async def test_bad_survey_submissions_write_nothing(feedback: Feedback) -> None:
    fb = feedback
    token = (await issue(fb))["token"]
    expired = await issue(fb)
    async with fb.runtime.sessions.begin() as session:
        row = await session.get(SurveyToken, expired["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(row)
    missing = answers(3)
    del missing["answers"]["sarana_prasarana"]
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        (survey_path(token), answers(3, 3, 3, 3, 5, 3, 3, 3, 3), 422, "produk_layanan"),
        (survey_path(token), answers(0), 422, "persyaratan"),
        (survey_path(token), missing, 422, "sarana_prasarana"),
        (survey_path(token), {**answers(3), "comment": "x" * 1001}, 422, "comment"),
        (survey_path(token), {"answers": [3] * 9}, 422, "answers"),
        (survey_path(expired["token"]), answers(3), 409, "expired"),
        (survey_path(token, tenant=SLEMAN), answers(3), 404, "not found"),  # foreign tenant
        (survey_path("no-such-token"), answers(3), 404, "not found"),
    ]
    for path, body, code, reason in cases:
        response = await fb.client.post(path, json=body)
        assert response.status_code == code, (body, response.text)
        assert reason in str(response.json()["detail"]), response.text
    assert (await fb.client.get(survey_path(token, tenant=SLEMAN))).status_code == 404
    assert (await fb.client.get(survey_path(expired["token"]))).status_code == 409

    assert await fb.count(Survey) == 0 and await fb.outbox() == 0
    assert all(t.used_at is None for t in await fb.rows(SurveyToken))
    # The token refused above is still good for its one real submission.
    assert (await fb.client.post(survey_path(token), json=answers(2))).status_code == 201
    assert [e.payload.scores for e in await fb.events(expected=1)] == [[2] * 9]


async def test_two_concurrent_submissions_only_one_counts(feedback: Feedback) -> None:
    fb = feedback
    token = (await issue(fb))["token"]
    first, second = await asyncio.gather(
        fb.client.post(survey_path(token), json=answers(4)),
        fb.client.post(survey_path(token), json=answers(1)),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert await fb.count(Survey) == 1 and await fb.outbox() == 1


async def test_token_issue_refusals_write_nothing(feedback: Feedback) -> None:
    fb = feedback
    counter_elsewhere = staff(BANTUL, "e-planner", Role.PEGAWAI, Role.PETUGAS_LOKET)
    cases: list[tuple[dict[str, str], dict[str, Any], int, str]] = [
        (counter_elsewhere, {}, 400, "does not serve the public"),  # Bappeda
        (ADMIN, {"unit_id": "u-bappeda"}, 400, "does not serve the public"),
        (COUNTER, {"officer_id": "e-retired"}, 400, "not an active employee"),
        (COUNTER, {"officer_id": "s-counter"}, 400, "not an active employee"),  # sleman's
        (COUNTER, {"officer_id": "e-planner"}, 400, "does not work in the unit"),  # Bappeda's
        (COUNTER, {"officer_id": "e-counter"}, 400, "cannot name themselves"),
        (staff(), {}, 403, "only a petugas loket"),  # same unit, no counter duty
        (staff(BANTUL, "e-retired", Role.PETUGAS_LOKET), {"unit_id": DUKCAPIL}, 403, "only a"),
        (staff(BANTUL, "nobody", Role.PETUGAS_LOKET), {"unit_id": DUKCAPIL}, 403, "only a"),
        (counter_elsewhere, {"unit_id": DUKCAPIL}, 403, "only a petugas loket"),
        (COUNTER, {"unit_id": "u-nowhere"}, 404, "not found"),
        (COUNTER, {"service_type": "x" * 101}, 422, "service_type"),
    ]
    for headers, body, code, reason in cases:
        response = await fb.client.post(TOKENS, json=body, headers=headers)
        assert response.status_code == code, (body, response.text)
        assert reason in str(response.json()["detail"]), response.text
    assert await fb.count(SurveyToken) == 0
    assert (await fb.client.post(TOKENS, json={})).status_code == 401

    # Admin may issue for any public unit; a token is invisible to another regency.
    made = await fb.client.post(TOKENS, json={"unit_id": DUKCAPIL}, headers=ADMIN)
    assert made.status_code == 201, made.text
    token_id = made.json()["id"]
    for suffix in ("", "/qr.svg", "/qr.png"):
        foreign = await fb.client.get(
            f"{TOKENS}/{token_id}{suffix}", headers=staff(SLEMAN, "s-counter")
        )
        assert foreign.status_code == 404, foreign.text
    other_unit = await fb.client.get(f"{TOKENS}/{token_id}", headers=staff(BANTUL, "e-planner"))
    assert other_unit.status_code == 404


async def test_survey_tokens_only_by_counter_officers_for_colleagues_within_a_daily_cap(
    feedback: Feedback,
) -> None:
    """Issue 11 item 7: a plain employee cannot mint tokens, nobody names themselves or
    someone of another unit, and one issuer mints at most the tenant's daily cap."""
    fb = feedback
    plain = await fb.client.post(TOKENS, json={"officer_id": "e-officer"}, headers=staff())
    assert plain.status_code == 403, plain.text
    for officer in ("e-counter", "e-planner"):
        named = await fb.client.post(TOKENS, json={"officer_id": officer}, headers=COUNTER)
        assert named.status_code == 400, (officer, named.text)
    assert await fb.count(SurveyToken) == 0

    for _ in range(TOKENS_PER_DAY):
        await issue(fb, officer_id="e-officer")
    over = await fb.client.post(TOKENS, json={"officer_id": "e-officer"}, headers=COUNTER)
    assert over.status_code == 429, over.text
    assert f"{TOKENS_PER_DAY} survey tokens per issuer per day" in over.json()["detail"]
    assert await fb.count(SurveyToken) == TOKENS_PER_DAY
    # The cap is per issuer: the admin still issues.
    made = await fb.client.post(TOKENS, json={"unit_id": DUKCAPIL}, headers=ADMIN)
    assert made.status_code == 201, made.text

    # BKPSDM sees per issuer how many tokens were issued and how many used.
    [first, *_] = [t for t in await fb.rows(SurveyToken) if t.issued_by == "e-counter"]
    sent = await fb.client.post(survey_path(first.token), json=answers(4))
    assert sent.status_code == 201, sent.text
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    window = {"from": str(today), "to": str(today)}
    stats = await fb.client.get(f"{TOKENS}/by-issuer", params=window, headers=ADMIN)
    assert stats.status_code == 200, stats.text
    assert stats.json() == [
        {"issued_by": "e-admin", "issued": 1, "used": 0},
        {"issued_by": "e-counter", "issued": TOKENS_PER_DAY, "used": 1},
    ]
    refused = await fb.client.get(f"{TOKENS}/by-issuer", params=window, headers=COUNTER)
    assert refused.status_code == 403
    backwards = {"from": str(today), "to": str(today - timedelta(days=1))}
    assert (
        await fb.client.get(f"{TOKENS}/by-issuer", params=backwards, headers=ADMIN)
    ).status_code == 400


async def test_unit_summary_is_exact_and_provisional_below_the_sample(feedback: Feedback) -> None:
    fb = feedback
    submitted = [[4, 4, 4, 4, 4, 4, 4, 4, 1], [3] * 9, [2, 3, 4, 3, 2, 3, 4, 3, 2]]
    summary_path = f"/api/v1/units/{DUKCAPIL}/survey-summary"
    empty = (await fb.client.get(summary_path, headers=ADMIN)).json()
    assert empty["responses"] == 0 and empty["ikm"] is None and empty["provisional"]

    for i, scores in enumerate(submitted, start=1):
        token = (await issue(fb))["token"]
        assert (await fb.client.post(survey_path(token), json=answers(*scores))).status_code == 201
        body = (await fb.client.get(summary_path, headers=ADMIN)).json()
        assert body["responses"] == i
        assert body["provisional"] is (i < MIN_SAMPLE)

    expected = ikm(submitted)
    assert Decimal(str(body["ikm"])) == expected.ikm == Decimal("79.63")
    assert (body["category"], body["label"]) == ("B", "Baik")
    assert [e["element"] for e in body["elements"]] == list(ELEMENTS)
    assert body["elements"][6]["nrr"] == pytest.approx(11 / 3, abs=1e-4)
    assert body["min_sample"] == MIN_SAMPLE and body["unit_name"] == "Dinas Dukcapil Bantul"

    today = datetime.now(UTC).date()
    window = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
    assert (await fb.client.get(summary_path, params=window, headers=ADMIN)).json()[
        "responses"
    ] == 3
    later = {"from": str(today + timedelta(days=2))}
    assert (await fb.client.get(summary_path, params=later, headers=ADMIN)).json()["responses"] == 0
    backwards = {"from": str(today), "to": str(today - timedelta(days=1))}
    assert (await fb.client.get(summary_path, params=backwards, headers=ADMIN)).status_code == 400
    # Another regency's unit with the same id has no surveys: nothing leaks across.
    sleman_admin = staff(SLEMAN, "s-admin", Role.ADMIN)
    sleman = await fb.client.get(summary_path, headers=sleman_admin)
    assert sleman.status_code == 200 and sleman.json()["responses"] == 0
    assert (
        await fb.client.get("/api/v1/units/u-nowhere/survey-summary", headers=ADMIN)
    ).status_code == 404


async def _surveys_on(fb: Feedback, day: date, *scores: list[int]) -> None:
    """Surveys answered through real tokens, then dated ``day`` (noon, Jakarta)."""
    for answers_of_one in scores:
        token = await issue(fb, officer_id="e-officer")
        sent = await fb.client.post(survey_path(token["token"]), json=answers(*answers_of_one))
        assert sent.status_code == 201, sent.text
        async with fb.runtime.sessions.begin() as session:
            row = await session.get(SurveyToken, token["id"])
            assert row is not None
            await session.exec(
                update(Survey)
                .where(col(Survey.token_id) == row.id)
                .values(submitted_at=datetime.combine(day, time(5), tzinfo=UTC))
            )


async def test_unit_summary_outside_admin_is_one_ended_month_of_k_responses(
    feedback: Feedback,
) -> None:
    """Issue 11 item 7: outside admin a summary covers one whole ended month and shows
    figures only from k responses, so no reading isolates one citizen's answers."""
    fb = feedback
    path = f"/api/v1/units/{DUKCAPIL}/survey-summary"
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    month_end = today.replace(day=1) - timedelta(days=1)
    month = {"from": str(month_end.replace(day=1)), "to": str(month_end)}
    await _surveys_on(fb, month_end, [4] * 9)
    await _surveys_on(fb, today, [1] * 9)

    # A one-day window, a part of a month or the running month are refused: each could
    # be read before and after one token is used.
    for window in (
        {"from": str(today), "to": str(today)},
        {"from": str(month_end), "to": str(month_end)},
        {"from": month["from"]},
        {"from": str(today.replace(day=1)), "to": str(today)},
    ):
        refused = await fb.client.get(path, params=window, headers=COUNTER)
        assert refused.status_code == 400, (window, refused.text)
    this_month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    running = {"from": str(today.replace(day=1)), "to": str(this_month_end)}
    refused = await fb.client.get(path, params=running, headers=COUNTER)
    assert refused.status_code == 400 and "once the month has ended" in refused.json()["detail"]

    # The ended month with fewer than k responses: not enough data, no figure at all.
    for params in (month, {}):  # no dates: the last ended month
        few = (await fb.client.get(path, params=params, headers=COUNTER)).json()
        assert few["suppressed"] is True and few["responses"] == 0, few
        assert few["ikm"] is None and few["elements"] == []
        assert (few["date_from"], few["date_to"]) == (month["from"], month["to"])
    # k responses: the figures.
    await _surveys_on(fb, month_end, *([[3] * 9] * (K - 1)))
    enough = (await fb.client.get(path, params=month, headers=COUNTER)).json()
    assert enough["suppressed"] is False and enough["responses"] == K
    assert Decimal(str(enough["ikm"])) == ikm([[4] * 9] + [[3] * 9] * (K - 1)).ikm
    # Admin reads any window, live.
    live = {"from": str(today), "to": str(today)}
    assert (await fb.client.get(path, params=live, headers=ADMIN)).json()["responses"] == 1
