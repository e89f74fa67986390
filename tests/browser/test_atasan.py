"""The supervisor's year by clicks, against the running platform: approve and return SKPs,
a live alert with its bell (marked read, still read after a reload, cleared live), one
person's page with the assessment form, a peer request answered on /rekan, a feedback note,
an objection decided by the supervisor's supervisor, and the kepala daerah's desk."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Page, expect

from services.assessment.models import ApprovedSkp
from services.common.events import AlertCleared, AlertRaised
from services.common.security import Role
from tests.browser.pages import check_page
from tests.browser.steps.atasan import (
    alert_is_cleared,
    open_desk,
    open_person,
    peer_submits_assessment,
    supervisor_approves_skp,
    supervisor_assesses,
    supervisor_decides_objection,
    supervisor_requests_peer,
    supervisor_returns_skp,
    supervisor_waits_for_alert,
)
from tests.gateway.conftest import Stack, use_session
from tests.gateway.harness import SKP_BODY, Regency, call, count, nip, publish, register_regency
from tests.support import bearer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


def token(regency: Regency, who: str) -> str:
    roles = [Role.PEGAWAI] if who in ("pegawai", "rekan") else [Role.PEGAWAI, Role.ATASAN]
    header = bearer(tenant=regency.slug, roles=roles, employee_id=regency.people[who])
    return header["Authorization"].removeprefix("Bearer ")


async def as_(page: Page, stack: Stack, regency: Regency, who: str) -> None:
    await page.context.clear_cookies()
    await use_session(page, stack.gateway_url, token(regency, who))
    await page.goto(stack.gateway_url + "/")  # the steps find the gateway from the page


async def chain(stack: Stack) -> tuple[Regency, dict[str, str]]:
    """kepala (head of the dinas, no supervisor) → atasan → pegawai and rekan (same unit)."""
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", 300)
    admin = regency.admin()
    names = {who: f"{who.title()} {regency.slug.title()}" for who in ("atasan", "pegawai")}
    for i, (who, supervisor) in enumerate((("kepala", None), ("rekan", "atasan")), 3):
        body: dict[str, str | None] = {
            "nip": nip(300 + i),
            "name": f"{who.title()} {regency.slug.title()}",
            "position": "Kepala Dinas" if who == "kepala" else "Pengadministrasi",
            "unit_id": regency.unit_id,
            "supervisor_id": regency.people[supervisor] if supervisor else None,
        }
        created = await call(stack.client, "POST", "/api/identity/employees", admin, 201, json=body)
        regency.people[who] = created["id"]
        names[who] = str(body["name"])
    await call(
        stack.client,
        "PATCH",
        f"/api/identity/employees/{regency.people['atasan']}",
        admin,
        json={"supervisor_id": regency.people["kepala"]},
    )
    await stack.settled(regency)
    return regency, names


async def submitted_skp(stack: Stack, regency: Regency, who: str) -> dict[str, Any]:
    headers = {"Authorization": "Bearer " + token(regency, who)}
    skp = await call(stack.client, "POST", "/api/targets/skp", headers, 201, json=SKP_BODY)
    await call(stack.client, "POST", f"/api/targets/skp/{skp['id']}/submit", headers)
    return skp  # type: ignore[no-any-return]


async def test_the_supervisors_year_by_clicks(stack: Stack, page: Page) -> None:
    regency, names = await chain(stack)
    await submitted_skp(stack, regency, "pegawai")
    await submitted_skp(stack, regency, "rekan")

    # --- approve one SKP, return the other
    await as_(page, stack, regency, "atasan")
    await open_desk(page)
    await check_page(page, "atasan-desk")
    await supervisor_approves_skp(page, names["pegawai"])
    await supervisor_returns_skp(page, names["rekan"], "Target belum terukur.")
    await page.reload()
    row = page.locator("#team tr", has_text=names["rekan"])
    await expect(row).to_contain_text("Draf")

    # --- a live alert: no reload; the bell counts it; it links to the person
    alert = AlertRaised(
        alert_id=str(uuid.uuid4()),
        recipient_id=regency.people["atasan"],
        kind="silent",
        subject_id=regency.people["pegawai"],
        message="silent",
        params={"name": names["pegawai"], "since": "2026-01-05"},
    )
    await publish(stack.bootstrap, stack.prefix, regency.slug, alert)
    # Scoring raises its own alerts about the new SKP too (behind target): the bell counts all.
    text = await supervisor_waits_for_alert(page, "belum mencatat")
    assert text == f"{names['pegawai']} belum mencatat kegiatan sejak 2026-01-05.", text
    bell = page.locator("#bell")
    before = int(await bell.get_attribute("data-count") or 0)
    assert before >= 1
    await expect(bell).to_have_text(f"{before} belum dibaca")
    await page.locator("#alerts").get_by_role("link", name=text).click()
    await expect(page.locator("#person-name")).to_have_text(names["pegawai"])
    silent = page.locator("#person-alerts li.alert", has_text="belum mencatat")
    await expect(silent).to_be_visible()

    # --- marked read from the person's page: the desk's bell agrees after a reload
    await silent.get_by_role("button", name="Tandai sudah dibaca").click()
    await expect(page.locator("#person-alerts li.alert.read")).to_have_count(1)
    await open_desk(page)
    await expect(page.locator("#alerts li.alert.read", has_text="belum mencatat")).to_be_visible()
    await expect(bell).to_have_attribute("data-count", str(before - 1))

    # --- the assessment: projections beside, nothing pre-chosen
    assessment = stack.runtime("assessment")
    pegawai_id = regency.people["pegawai"]
    await wait_until(lambda: count(assessment, ApprovedSkp, employee_id=pegawai_id))
    await open_person(page, names["pegawai"])
    selects = page.locator("#assess-form select:not([name=period])")
    assert await selects.count() == 1 + 1 + 7  # one RHK, the overall, seven values
    for value in await selects.evaluate_all("nodes => nodes.map(n => n.value)"):
        assert value == "", "a rating was pre-chosen"
    await page.locator("#assess-form button[type=submit]").click()
    await expect(page.locator("#assess-message")).to_contain_text("Pilih penilaian")
    await check_page(page, "atasan-person")
    await supervisor_assesses(page, names["pegawai"], rhk_rating="sesuai", result_rating="sesuai")

    # --- a feedback note, still there after a reload
    await page.locator("#feedback-form textarea").fill("Pertahankan ketepatan waktu layanan.")
    await page.locator("#feedback-form button[type=submit]").click()
    await expect(page.locator("#feedback .notes")).to_contain_text("Pertahankan")
    await page.reload()
    await expect(page.locator("#feedback .notes")).to_contain_text("Pertahankan")

    # --- a peer assessment: asked here, answered on /rekan, the assessee never sees it
    await supervisor_requests_peer(page, names["pegawai"], names["rekan"])
    await expect(page.locator("#peers")).to_contain_text("Menunggu")
    await as_(page, stack, regency, "rekan")
    await page.goto(stack.gateway_url + "/rekan")
    await expect(page.locator("#requests")).to_contain_text(names["pegawai"])
    await check_page(page, "rekan")
    await peer_submits_assessment(page, names["pegawai"])
    mine = {"Authorization": "Bearer " + token(regency, "pegawai")}
    seen = await call(stack.client, "GET", "/api/assessment/assessments", mine)
    assert {a["relation"] for a in seen["items"]} == {"supervisor"}, seen

    # --- the cleared alert leaves the panel live
    await as_(page, stack, regency, "atasan")
    await open_desk(page)
    await expect(page.locator("#alerts li.alert", has_text="belum mencatat")).to_have_count(1)
    cleared = AlertCleared(
        alert_id=alert.alert_id,
        recipient_id=alert.recipient_id,
        kind=alert.kind,
        subject_id=alert.subject_id,
    )
    await publish(stack.bootstrap, stack.prefix, regency.slug, cleared)
    await alert_is_cleared(page, "belum mencatat")

    # --- the objection, decided by the supervisor's supervisor
    final = next(a for a in seen["items"] if a["period"]["kind"] == "annual")
    body = {"assessment_id": final["id"], "reason": "Capaian saya di atas target."}
    objection = await call(stack.client, "POST", "/api/assessment/objections", mine, 201, json=body)
    await as_(page, stack, regency, "kepala")
    await open_desk(page)
    await expect(page.locator("#objections")).to_contain_text(names["pegawai"])
    await check_page(page, "atasan-objection")
    await supervisor_decides_objection(page, names["pegawai"], "accept", result_rating="di_atas")
    decided = await call(stack.client, "GET", f"/api/assessment/objections/{objection['id']}", mine)
    assert decided["status"] == "accepted" and decided["result_rating"] == "di_atas"
    await page.reload()
    await expect(page.locator("#objections")).to_contain_text("Tidak ada keberatan")


async def test_the_kepala_daerah_gets_the_desk_and_a_pegawai_a_refusal(
    stack: Stack, page: Page
) -> None:
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", 330)
    await stack.settled(regency)
    head = bearer(tenant=regency.slug, roles=[Role.KEPALA_DAERAH], user_id="kd-" + regency.slug)
    await use_session(page, stack.gateway_url, head["Authorization"].removeprefix("Bearer "))
    await page.goto(stack.gateway_url + "/atasan")
    await expect(page.locator("h1#page-title")).to_have_text("Kepala Daerah")
    await expect(page.locator("#nav a")).to_have_text(
        ["Kepala Daerah", "Tim per periode", "Profil Saya"]
    )
    # Its alert stream opens (no employee id: the account id is the recipient).
    await expect(page.locator("#live-state")).to_have_text("Langsung")
    await check_page(page, "kepala-daerah")

    await page.context.clear_cookies()
    await use_session(page, stack.gateway_url, token(regency, "pegawai"))
    for path in ("/atasan", "/atasan/pegawai?id=" + regency.people["atasan"]):
        await page.goto(stack.gateway_url + path)
        await expect(page.get_by_role("heading")).to_contain_text("bukan untuk akun Anda")
    await page.goto(stack.gateway_url + "/rekan")
    await expect(page.locator("#requests")).to_contain_text(re.compile("Belum ada yang meminta"))
