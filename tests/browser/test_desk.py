"""The counter, the citizen's survey and complaint, the complaint desk and the unit IKM,
by clicks in Chromium against the running platform."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import update
from sqlmodel import col, select

from services.common.orgchart import OrgUnit
from services.common.security import Role
from services.feedback.models import Complaint, Survey
from tests.browser.pages import check_page
from tests.browser.steps.desk import (
    citizen_files_complaint,
    citizen_fills_survey,
    counter_issues_token,
    desk_moves_complaint,
    unit_ikm_shown,
)
from tests.gateway.conftest import Stack, use_session
from tests.gateway.harness import Regency, call, register_regency
from tests.support import bearer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]
UNIT = "Dinas Kependudukan"


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def as_duty(regency: Regency, who: str, *duties: Role) -> str:
    """A session of ``who`` with designated duties (identity would put them in the token)."""
    return token_of(
        bearer(tenant=regency.slug, roles=[Role.PEGAWAI, *duties], employee_id=regency.people[who])
    )


async def regency_with_head(stack: Stack, offset: int) -> Regency:
    """A regency whose public unit is headed by its atasan, settled in feedback and gateway."""
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", offset)
    await stack.settled(regency)
    head = {"head_employee_id": regency.people["atasan"]}
    await call(
        stack.client, "PATCH", f"/api/identity/units/{regency.unit_id}", regency.admin(), json=head
    )

    async def headed() -> bool:
        for name in ("feedback", "gateway"):
            async with stack.runtime(name).sessions() as session:
                unit = await session.get(OrgUnit, (regency.slug, regency.unit_id))
                if unit is None or unit.head_employee_id != regency.people["atasan"]:
                    return False
        return True

    await wait_until(headed, timeout=60)
    return regency


async def test_counter_survey_complaint_and_desk(
    stack: Stack, page: Page, browser: Browser
) -> None:
    regency = await regency_with_head(stack, 200)
    base = stack.gateway_url

    # The counter: the officer list offers colleagues, never the issuer.
    await use_session(page, base, as_duty(regency, "pegawai", Role.PETUGAS_LOKET))
    await page.goto(base + "/loket")
    await expect(page.locator("#counter-unit")).to_contain_text(UNIT)
    options = await page.locator("#token-officer option").all_text_contents()
    assert f"Atasan {regency.slug.title()}" in options
    assert f"Pegawai {regency.slug.title()}" not in options
    await check_page(page, "loket")
    # Naming oneself anyway (a tampered list): feedback refuses, the page says why.
    await page.locator("#token-officer").evaluate(
        "(s, id) => s.append(new Option('me', id, true, true))", regency.people["pegawai"]
    )
    await page.locator("#token-service").fill("KTP-el")
    await page.locator("#token-form button[type=submit]").click()
    await expect(page.locator("#counter-message")).to_contain_text("tidak dapat menyebut dirinya")
    await expect(page.locator("#slip")).to_be_hidden()

    url = await counter_issues_token(page, "KTP-el", officer=f"Atasan {regency.slug.title()}")
    assert url.startswith(f"{base}/survey/{regency.slug}/")
    await expect(page.locator("#slip")).to_contain_text(regency.name)
    await expect(page.locator("#slip")).to_contain_text("Berlaku sampai")
    assert (await page.locator("#slip-qr").bounding_box() or {"width": 0})["width"] >= 250
    await check_page(page, "loket-slip")
    # Printed: only the slip (no top bar, no form, no buttons).
    await page.emulate_media(media="print")
    await expect(page.locator("header.topbar")).to_be_hidden()
    await expect(page.locator("#slip-print")).to_be_hidden()
    await expect(page.locator("#slip-qr")).to_be_visible()
    await page.emulate_media(media="screen")

    # The citizen, in a browser of their own: the survey from the QR, then a complaint.
    citizen = await (await browser.new_context(locale="id-ID")).new_page()
    try:
        await citizen.goto(base + f"/pengaduan/{regency.slug}")
        await citizen_fills_survey(citizen, url, 4, comment="Cepat dan ramah")
        await citizen.goto(url)
        await expect(citizen.locator("#survey-message")).to_contain_text("sudah diisi")
        code = await citizen_files_complaint(
            citizen, regency.slug, UNIT, "Antrean KTP-el tidak bergerak dua jam"
        )
    finally:
        await citizen.context.close()
    # A complaint naming the complaint officer (filed through the API: the form names no
    # officer), and one filed long ago whose verification is overdue.
    public = f"/api/feedback/public/{regency.slug}/complaints"
    naming = {"unit_id": regency.unit_id, "category": "perilaku_petugas", "text": "Petugas kasar"}
    naming["officer_id"] = regency.people["pegawai"]
    await call(stack.client, "POST", public, {}, 201, json=naming)
    late = {"unit_id": regency.unit_id, "category": "lainnya", "text": "Toilet rusak"}
    late_code = (await call(stack.client, "POST", public, {}, 201, json=late))["tracking_code"]
    async with stack.runtime("feedback").sessions.begin() as session:
        await session.exec(
            update(Complaint)
            .where(col(Complaint.tracking_code) == late_code)
            .values(received_at=datetime.now(UTC) - timedelta(days=21))
        )

    # The complaint officer's desk: the two complaints, the late one flagged; the one
    # naming them absent, only counted, with no button to act on it.
    await page.context.clear_cookies()
    await use_session(page, base, as_duty(regency, "pegawai", Role.PENGELOLA_PENGADUAN))
    await page.goto(base + "/meja-pengaduan")
    rows = page.locator("#complaints tbody tr")
    await expect(rows).to_have_count(2)
    await expect(page.locator(f'tr[data-tracking="{late_code}"]')).to_have_class("overdue")
    await expect(page.locator(f'tr[data-tracking="{late_code}"]')).to_contain_text("terlambat")
    await expect(page.locator(f'tr[data-tracking="{code}"]')).to_contain_text("paling lambat")
    await expect(rows.filter(has_text="Petugas kasar")).to_have_count(0)
    await expect(page.locator("#naming-me-note")).to_contain_text("1 pengaduan menyebut nama Anda")
    await check_page(page, "meja-pengaduan")

    # Not the head: closing unresolved is not offered; verifying is.
    await page.locator(f'tr[data-tracking="{code}"] button').click()
    await expect(page.locator("#detail-title")).to_contain_text(code)
    offered = await page.locator("#move-status option").evaluate_all("os => os.map(o => o.value)")
    assert offered == ["verified"], offered
    await check_page(page, "meja-pengaduan-detail")
    await desk_moves_complaint(page, code, "verified", "Pengaduan valid, diteruskan", "LAPOR-77")
    await desk_moves_complaint(page, code, "in_progress", "Antrean ditambah satu loket", "")
    await page.reload()
    await page.locator("#desk-status").select_option("")
    await expect(page.locator(f'tr[data-tracking="{code}"]')).to_contain_text("Sedang")

    # The unit head may close unresolved; the head resolves it.
    await page.context.clear_cookies()
    await use_session(page, base, as_duty(regency, "atasan", Role.ATASAN))
    await page.goto(base + "/meja-pengaduan")
    await page.locator(f'tr[data-tracking="{late_code}"] button').click()
    await expect(page.locator("#detail-title")).to_contain_text(late_code)
    offered = await page.locator("#move-status option").evaluate_all("os => os.map(o => o.value)")
    assert "rejected" in offered and "archived" in offered
    await desk_moves_complaint(page, code, "resolved", "Loket tambahan sudah dibuka", "")
    await expect(page.locator("#detail-body")).to_contain_text("LAPOR-77")
    await expect(page.locator("#detail-body .timeline")).to_contain_text(
        f"Pegawai {regency.slug.title()}"  # who verified: a name, never an id
    )

    # The citizen's tracking page shows the steps and the LAPOR! reference.
    await page.context.clear_cookies()
    await page.goto(f"{base}/pengaduan/{regency.slug}/lacak?kode={code}")
    await expect(page.locator("#track-result")).to_contain_text("Loket tambahan sudah dibuka")
    await expect(page.locator("#track-result")).to_contain_text("LAPOR-77")
    await check_page(page, "lacak-hasil")


async def test_unit_ikm_page_and_who_sees_it(stack: Stack, page: Page) -> None:
    regency = await regency_with_head(stack, 210)
    base = stack.gateway_url
    feedback = stack.runtime("feedback")
    zone = ZoneInfo("Asia/Jakarta")
    last_day = datetime.now(zone).date().replace(day=1) - timedelta(days=1)
    scores = [4, 4, 3, 3, 3]  # five surveys: the default k; every element alike
    for n, score in enumerate(scores):
        token = await call(
            stack.client,
            "POST",
            "/api/feedback/survey-tokens",
            regency.admin(),
            201,
            json={"unit_id": regency.unit_id, "service_type": "KK"},
        )
        path = f"/api/feedback/public/{regency.slug}/surveys/{token['token']}"
        body = {"answers": dict.fromkeys(_ELEMENTS, score), "comment": f"Saran {5 - n}"}
        await call(stack.client, "POST", path, {}, 201, json=body)
    async with feedback.sessions.begin() as session:
        ids = (await session.exec(select(Survey.id).where(Survey.tenant == regency.slug))).all()
        await session.exec(
            update(Survey)
            .where(col(Survey.id).in_(ids))
            .values(submitted_at=datetime.combine(last_day, time(5), tzinfo=UTC))
        )

    await use_session(page, base, as_duty(regency, "pegawai", Role.PENGELOLA_PENGADUAN))
    await page.goto(base + "/meja-pengaduan")
    shown = await unit_ikm_shown(page)
    # NRR 3.4 on every element: IKM 25 x 3.4 = 85.00, B (Baik); 5 of 384: provisional.
    assert shown["ikm"] == "85", shown
    assert str(shown["category"]).startswith("B"), shown
    assert shown["responses"] == 5 and shown["provisional"] is True
    elements = shown["elements"]
    assert isinstance(elements, dict) and len(elements) == 9
    assert set(elements.values()) == {"3,4"}
    assert shown["comments"] == [f"Saran {i}" for i in range(1, 6)]
    await expect(page.locator("#ikm-chart table")).to_contain_text("Persyaratan")
    await check_page(page, "ikm-unit")
    # The month before: no responses, nothing drawn.
    earlier = (last_day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    await page.locator("#ikm-month").fill(earlier)
    await page.locator("#ikm-month").dispatch_event("change")
    await expect(page.locator("#ikm-none")).to_be_visible()
    await expect(page.locator("#ikm-comments")).to_contain_text("Data belum cukup")

    # A plain pegawai gets the refusal page; the counter officer is not offered comments.
    await page.context.clear_cookies()
    await use_session(page, base, as_duty(regency, "pegawai"))
    await page.goto(base + "/ikm-unit")
    await expect(page.get_by_role("heading")).to_contain_text("bukan untuk akun Anda")
    # Another regency's complaint officer sees nothing of this one.
    other = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", 220)
    await stack.settled(other)
    await page.context.clear_cookies()
    await use_session(page, base, as_duty(other, "pegawai", Role.PENGELOLA_PENGADUAN))
    await page.goto(base + "/meja-pengaduan")
    await expect(page.locator("#complaints")).to_contain_text("Tidak ada pengaduan")
    refused = await page.evaluate(
        "async (u) => (await fetch('/api/feedback/units/' + u + '/survey-comments')).status",
        regency.unit_id,
    )
    assert refused == 404, refused  # the unit ids differ: another regency's is not found


_ELEMENTS = (
    "persyaratan",
    "prosedur",
    "waktu_pelayanan",
    "biaya_tarif",
    "produk_layanan",
    "kompetensi_pelaksana",
    "perilaku_pelaksana",
    "sarana_prasarana",
    "penanganan_pengaduan",
)
