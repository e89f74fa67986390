"""Issue 13's year walk: one regency, created in the test, through its whole year by
clicks in Chromium against the running platform (every service on one Kafka), each person
in a browser of their own (cookies are per context). Composed from the role steps in
``tests/browser/steps``; at the end, a user of another regency sees nothing of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from services.assessment.models import ApprovedSkp
from services.identity.app import DEVELOPMENT_PLATFORM_PASSWORD
from tests.browser.pages import login
from tests.browser.steps.admin import (
    admin_creates_kepala_daerah,
    admin_imports_people,
    admin_sets_duty,
    platform_registers_regency,
)
from tests.browser.steps.atasan import (
    alert_is_cleared,
    open_desk,
    supervisor_approves_skp,
    supervisor_assesses,
    supervisor_decides_objection,
    supervisor_waits_for_alert,
)
from tests.browser.steps.desk import (
    citizen_fills_survey,
    counter_issues_token,
    desk_moves_complaint,
)
from tests.browser.steps.pegawai import (
    NONE_SHOWN,
    IndicatorSpec,
    RhkSpec,
    employee_drafts_skp,
    employee_files_objection,
    employee_logs_activity,
    employee_sees_final_predikat,
    employee_sees_objection_decision,
    employee_sees_projection,
    employee_submits_skp,
    open_skp,
)
from tests.gateway.conftest import Stack, use_session
from tests.gateway.harness import YEAR, Regency, count, register_regency
from tests.support import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

FIRST = "sandi-awal-123"  # every imported account's first password, changed at first login
UNIT = "Dinas Kependudukan"
UNITS = f"""code,name,kind,parent,serves_public
SETDA,Sekretariat Daerah,kantor,,false
DUKCAPIL,{UNIT},dinas,SETDA,true
"""
# name -> (nip, position, unit, supervisor's name)
PEOPLE = {
    "Sri Lestari": ("197001012000012001", "Sekretaris Daerah", "SETDA", None),
    "Budi Santoso": ("198001012005011002", "Kepala Dinas", "DUKCAPIL", "Sri Lestari"),
    "Ani Wulandari": ("199001012015012003", "Analis Kependudukan", "DUKCAPIL", "Budi Santoso"),
    "Dedi Kurniawan": ("199101012015011004", "Analis Kependudukan", "DUKCAPIL", "Budi Santoso"),
    "Rina Marlina": ("199201012016012005", "Pengelola Pengaduan", "DUKCAPIL", "Budi Santoso"),
    "Joko Susilo": ("199301012017011006", "Petugas Loket", "DUKCAPIL", "Budi Santoso"),
}
SEKDA, KADIS, PEGAWAI, PEER, DESK, COUNTER = PEOPLE
EMPLOYEES = "nip,name,position,unit,supervisor_nip,password\n" + "".join(
    f"{nip},{name},{position},{unit},{PEOPLE[boss][0] if boss else ''},{FIRST}\n"
    for name, (nip, position, unit, boss) in PEOPLE.items()
)
RHK_SEKDA = "Tata kelola pemerintahan daerah yang akuntabel"
RHK_KADIS = "Layanan administrasi kependudukan tepat waktu"
RHK_PEGAWAI = "Dokumen KTP-el diterbitkan tepat waktu"
INDICATOR = "KTP-el diterbitkan"


class People:
    """One browser context per person (their own cookies), closed at the end."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.pages: list[Page] = []

    async def open(self) -> Page:
        context = await self.browser.new_context(
            viewport={"width": 390, "height": 844}, locale="id-ID"
        )
        page = await context.new_page()
        self.pages.append(page)
        await page.goto(self.base + "/")
        return page

    async def first_login(self, tenant: str, user: str, new_password: str) -> Page:
        """Logs in with the first password and changes it on the form the login shows."""
        page = await self.open()
        await login(page, tenant, user, FIRST)
        await page.locator("#new-password").fill(new_password)
        await page.locator("#new-password-again").fill(new_password)
        await page.locator("#password-form button[type=submit]").click()
        await expect(page.locator("#password-form")).to_be_hidden()
        return page

    async def employee(self, tenant: str, name: str) -> Page:
        return await self.first_login(tenant, PEOPLE[name][0], "sandi-baru-789")

    async def close(self) -> None:
        for page in self.pages:
            await page.context.close()


@pytest.fixture
async def people(stack: Stack, browser: Browser) -> AsyncIterator[People]:
    crowd = People(browser, stack.gateway_url)
    try:
        yield crowd
    finally:
        await crowd.close()


async def drafts_and_submits(page: Page, base: str, title: str, parent: str | None) -> None:
    rhk = RhkSpec(title, parent_title=parent, indicators=(IndicatorSpec(INDICATOR, 100),))
    await employee_drafts_skp(page, base, rhk=[rhk])
    await employee_submits_skp(page, base)


async def test_a_regency_walks_its_year_by_clicks(stack: Stack, page: Page, people: People) -> None:
    base = stack.gateway_url
    slug = f"kab-{uuid.uuid4().hex[:8]}"

    # --- the platform registers the regency; its admin sets a password, imports people,
    # creates the kepala daerah and gives two employees their public-service duties.
    await page.goto(base + "/")
    await login(page, "", "platform", DEVELOPMENT_PLATFORM_PASSWORD)
    await page.wait_for_url("**/platform")
    await platform_registers_regency(
        page, slug, f"Kabupaten {slug.title()}", "Asia/Jakarta", "bkpsdm", FIRST
    )
    admin = await people.first_login(slug, "bkpsdm", "sandi-bkpsdm-456")
    await admin_imports_people(admin, UNITS, EMPLOYEES)
    for name in PEOPLE:
        await expect(admin.locator("#employees")).to_contain_text(name)
    await admin_creates_kepala_daerah(admin, "Halim Dalimunte", "Bupati", "bupati", FIRST)
    await admin_sets_duty(admin, COUNTER, "petugas_loket")
    await admin_sets_duty(admin, DESK, "pengelola_pengaduan")
    found = await admin.request.get(f"{base}/api/identity/employees?q={PEGAWAI}")
    pegawai_id = (await found.json())["items"][0]["id"]
    # The org chart travels by Kafka: the SKP pages need it in targets and assessment.
    await stack.settled(Regency(slug, "", people=dict.fromkeys(PEOPLE, "")))

    # --- the kepala daerah approves the Sekda's SKP; the chain cascades, each approved.
    head = await people.first_login(slug, "bupati", "sandi-bupati-456")
    sekda = await people.employee(slug, SEKDA)
    await drafts_and_submits(sekda, base, RHK_SEKDA, None)
    await supervisor_approves_skp(head, SEKDA)
    kadis = await people.employee(slug, KADIS)
    await drafts_and_submits(kadis, base, RHK_KADIS, RHK_SEKDA)
    await supervisor_approves_skp(sekda, KADIS)
    pegawai = await people.employee(slug, PEGAWAI)
    await drafts_and_submits(pegawai, base, RHK_PEGAWAI, RHK_KADIS)
    await supervisor_approves_skp(kadis, PEGAWAI)  # /atasan stays open, never reloaded

    # --- the pegawai logs activities and sees the projection move.
    await open_skp(pegawai, base)
    figure = pegawai.locator("#figure-achievement .value")
    before = await figure.inner_text() if await figure.count() else NONE_SHOWN
    await employee_logs_activity(pegawai, base, indicator=INDICATOR, value=5, note="Loket pagi")
    await employee_logs_activity(pegawai, base, indicator=INDICATOR, value=5, note="Loket sore")
    moved = await employee_sees_projection(pegawai, base, other_than=before)
    assert "%" in moved and "Capaian" in moved, moved

    # --- the supervisor's desk, open since the approval, shows the alert live.
    behind = await supervisor_waits_for_alert(kadis, PEGAWAI)
    assert PEGAWAI in behind, behind

    # --- the annual assessment; the pegawai sees the predikat explained in Indonesian.
    assessment = stack.runtime("assessment")

    async def rated() -> bool:  # the three approved SKPs reached assessment (Kafka)
        return await count(assessment, ApprovedSkp, tenant=slug, year=YEAR) >= 3

    await wait_until(rated, timeout=60)
    await supervisor_assesses(kadis, PEGAWAI)
    predikat, explanation = await employee_sees_final_predikat(pegawai, base)
    assert predikat == "Baik", predikat
    assert "Predikat akhir Baik" in explanation, explanation
    assert "sesuai ekspektasi" in explanation.lower(), explanation

    # --- the pegawai objects; the supervisor's supervisor (the Sekda) decides.
    await employee_files_objection(pegawai, base, reason="Capaian saya melebihi target.")
    await supervisor_decides_objection(sekda, PEGAWAI, "accept", result_rating="di_atas")
    decided = await employee_sees_objection_decision(pegawai, base)
    assert "Diterima" in decided and "Di atas" in decided, decided

    # --- the counter issues a survey QR; a citizen opens its URL and answers.
    counter = await people.employee(slug, COUNTER)
    survey_url = await counter_issues_token(counter, "KTP-el")
    assert survey_url.startswith(f"{base}/survey/{slug}/"), survey_url
    citizen = await people.open()
    await citizen_fills_survey(citizen, survey_url, 4, comment="Pelayanan cepat")

    # --- a complaint naming the pegawai: the supervisor is alerted live; the complaint
    # desk resolves it and the alert clears, live. The public form names no officer, so
    # the citizen's browser sends what a named complaint sends (the public API).
    await open_desk(kadis)
    units = await (await admin.request.get(f"{base}/api/identity/units")).json()
    unit_id = next(u["id"] for u in units["items"] if u["name"] == UNIT)
    complaint = {
        "unit_id": unit_id,
        "category": "perilaku_petugas",
        "text": f"{PEGAWAI} meminta biaya tambahan",
        "officer_id": pegawai_id,
    }
    filed = await citizen.request.post(
        f"{base}/api/feedback/public/{slug}/complaints", data=complaint
    )
    assert filed.status == 201, await filed.text()
    code = (await filed.json())["tracking_code"]
    told = await supervisor_waits_for_alert(kadis, "pengaduan")
    assert PEGAWAI in told, told
    desk = await people.employee(slug, DESK)
    await desk_moves_complaint(desk, code, "verified", "Pengaduan valid", "LAPOR-101")
    await desk_moves_complaint(desk, code, "in_progress", "Petugas dipanggil atasan")
    await desk_moves_complaint(desk, code, "resolved", "Biaya tambahan dikembalikan")
    await alert_is_cleared(kadis, "pengaduan")

    # --- a user of another regency sees nothing of this one: not the person, not the API.
    other = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", 400)
    stranger = await people.open()
    for who in (other.admin(), other.as_("atasan")):
        await stranger.context.clear_cookies()
        await use_session(stranger, base, who["Authorization"].removeprefix("Bearer "))
        answer = await stranger.request.get(f"{base}/api/identity/employees/{pegawai_id}")
        assert answer.status == 404, (answer.status, await answer.text())
        scores = await stranger.request.get(
            f"{base}/api/scoring/scores/employees/{pegawai_id}?period={YEAR}"
        )
        assert scores.status in (403, 404), (scores.status, await scores.text())
    await stranger.goto(f"{base}/atasan/pegawai?id={pegawai_id}")
    await stranger.wait_for_load_state("networkidle")
    await expect(stranger.locator("body")).not_to_contain_text(PEGAWAI)
