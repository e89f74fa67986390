"""The pages in real headless Chromium, against every service running for real."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from services.common.events import FEEDBACK_TOPIC, decode_event
from services.common.security import Role
from services.gateway.models import GatewayAlert
from tests.gateway.conftest import Stack, assert_no_token_readable, use_session
from tests.gateway.harness import (
    PASSWORD,
    SKP_BODY,
    Regency,
    approved_skp,
    call,
    cleared,
    count,
    publish,
    raised,
    register_regency,
)
from tests.support import bearer, read_topic, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


async def new_regency(stack: Stack, offset: int = 0) -> Regency:
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", offset)
    await stack.settled(regency)
    return regency


async def test_citizen_fills_the_survey_and_it_reaches_kafka(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack)
    token = await call(
        stack.client,
        "POST",
        "/api/feedback/survey-tokens",
        regency.admin(),
        201,
        json={"unit_id": regency.unit_id, "service_type": "KTP-el"},
    )
    assert token["survey_url"].startswith(stack.gateway_url + "/survey/")

    await page.goto(token["survey_url"])
    await expect(page.get_by_text("Dinas Kependudukan")).to_be_visible()
    questions = page.locator("#questions > li")
    await expect(questions).to_have_count(9)
    # Submitting with an unanswered question says so, and sends nothing.
    for i in range(8):
        await questions.nth(i).get_by_label("4 · Sangat baik").check()
    await page.get_by_role("button", name="Kirim survei").click()
    await expect(page.locator("#survey-message")).to_contain_text("belum dijawab")
    await expect(questions.nth(8)).to_have_class("missing")
    await questions.nth(8).get_by_label("3 · Baik").check()
    await page.get_by_label("Saran atau komentar").fill("Petugas ramah, antrean cepat.")
    await page.get_by_role("button", name="Kirim survei").click()
    await expect(page.get_by_role("heading", name="Terima kasih!")).to_be_visible()

    records = await read_topic(stack.bootstrap, stack.prefix + FEEDBACK_TOPIC, expected=1)
    surveys = [
        e
        for e in map(decode_event, (r.value for r in records))
        if e.tenant == regency.slug and e.type == "survey.received"
    ]
    assert len(surveys) == 1
    assert surveys[0].payload.scores == [4, 4, 4, 4, 4, 4, 4, 4, 3]  # type: ignore[attr-defined]
    summary = await call(
        stack.client,
        "GET",
        f"/api/feedback/units/{regency.unit_id}/survey-summary",
        regency.admin(),
    )
    assert summary["responses"] == 1

    # The same QR code again: a clear message, no form.
    await page.goto(token["survey_url"])
    await expect(page.locator("#survey-message")).to_contain_text("sudah diisi")
    await expect(page.locator("#survey-form")).to_be_hidden()
    # A token that does not exist.
    await page.goto(f"{stack.gateway_url}/survey/{regency.slug}/tidak-ada")
    await expect(page.locator("#survey-message")).to_contain_text("tidak dikenal")


async def test_employee_logs_in_changes_password_and_sees_the_skp(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, offset=10)
    skp = await approved_skp(stack.client, regency)

    await page.goto(stack.gateway_url + "/")
    await page.get_by_label("Kabupaten/Kota").fill(regency.slug)
    await page.get_by_label("NIP atau nama pengguna").fill(regency.nips["pegawai"])
    await page.get_by_label("Kata sandi", exact=True).fill("salah-sekali")
    await page.get_by_role("button", name="Masuk").click()
    await expect(page.locator("#message")).to_contain_text("salah")

    await page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    # First login: the new password is required before anything else.
    await page.get_by_label("Kata sandi baru", exact=True).fill("sandi-baru-456")
    await page.get_by_label("Ulangi kata sandi baru").fill("sandi-baru-456")
    await page.get_by_role("button", name="Simpan kata sandi").click()

    await page.wait_for_url("**/pegawai")
    await assert_no_token_readable(page)
    await expect(page.locator("#who-line")).to_contain_text("Pegawai")
    await expect(page.locator("#skp")).to_contain_text("Disetujui")
    await expect(page.locator("#skp")).to_contain_text(skp["rhk"][0]["title"])
    await expect(page.locator("#skp")).to_contain_text("Dokumen KTP-el diterbitkan")

    # Log an activity against the indicator; it shows in the log.
    await page.get_by_label("Jumlah / nilai").fill("35")
    await page.get_by_label("Catatan").fill("Pelayanan keliling di desa")
    await page.get_by_role("button", name="Simpan kegiatan").click()
    await expect(page.locator("#activity-message")).to_contain_text("tersimpan")
    await expect(page.locator("#activities")).to_contain_text("Pelayanan keliling di desa")
    login = await call(
        stack.client,
        "POST",
        "/api/identity/auth/login",
        {},
        json={
            "tenant": regency.slug,
            "username": regency.nips["pegawai"],
            "password": "sandi-baru-456",
        },
    )
    assert login["must_change_password"] is False


async def open_supervisor_dashboard(stack: Stack, page: Page, regency: Regency) -> None:
    token = regency.as_("atasan")["Authorization"].removeprefix("Bearer ")
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/events/" in r.url else None)
    await use_session(page, stack.gateway_url, token)
    await page.goto(stack.gateway_url + "/atasan")
    await expect(page.locator("#live-state")).to_have_text("Langsung")
    # The stream was opened with the HttpOnly cookie: no token in its URL, none readable.
    assert streams and not any(token in url or "access_token" in url for url in streams)
    await assert_no_token_readable(page)


async def test_supervisor_sees_a_live_alert_without_reload(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, offset=20)
    other = await new_regency(stack, offset=30)
    await open_supervisor_dashboard(stack, page, regency)
    await expect(page.locator("#team")).to_contain_text("Pegawai")

    atasan = regency.people["atasan"]
    gateway = stack.runtime("gateway")
    # Another regency's alert for an employee with the SAME id, and another recipient's
    # alert: both stored by the gateway before ours is even produced.
    foreign = raised(atasan, "Peringatan untuk kabupaten lain")
    not_mine = raised(regency.people["pegawai"], "Peringatan untuk orang lain")
    await publish(stack.bootstrap, stack.prefix, other.slug, foreign)
    await publish(stack.bootstrap, stack.prefix, regency.slug, not_mine)
    await wait_until(lambda: count(gateway, GatewayAlert, alert_id=foreign.alert_id))
    await wait_until(lambda: count(gateway, GatewayAlert, alert_id=not_mine.alert_id))

    behind = {
        "name": "Pegawai Satu",
        "threshold": 80,
        "indicators": "Dokumen KTP-el (40%)",
        "share": 30,
        "year": 2026,
    }
    mine = raised(atasan, "Pegawai Satu is projected below 80% on: ...", behind)
    await publish(stack.bootstrap, stack.prefix, regency.slug, mine)
    card = page.locator(f'#alerts li[data-alert-id="{mine.alert_id}"]')
    # Rendered for this reader (Indonesian) from the alert's kind and params.
    await expect(card).to_contain_text(
        "Capaian Pegawai Satu diproyeksikan di bawah 80% pada: Dokumen KTP-el (40%)"
    )
    await expect(card).to_contain_text("Di bawah target")
    # Alerts arrive in the order stored: had the others leaked, they would be here already.
    await expect(page.locator("#alerts li.alert")).to_have_count(1)
    await expect(page.locator("#alerts")).not_to_contain_text("kabupaten lain")

    await publish(stack.bootstrap, stack.prefix, regency.slug, cleared(mine))
    await expect(card).to_have_count(0)
    await expect(page.locator("#alerts")).to_contain_text("Belum ada peringatan")


async def test_supervisor_approves_a_submitted_skp(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, offset=40)
    skp = await call(
        stack.client, "POST", "/api/targets/skp", regency.as_("pegawai"), 201, json=SKP_BODY
    )
    await call(stack.client, "POST", f"/api/targets/skp/{skp['id']}/submit", regency.as_("pegawai"))
    await open_supervisor_dashboard(stack, page, regency)
    await expect(page.locator("#team")).to_contain_text("1 SKP menunggu persetujuan")
    await page.get_by_role("button", name="Periksa").click()
    await expect(page.locator(".review")).to_contain_text("Dokumen KTP-el diterbitkan")
    # Returning needs a reason: nothing is sent without one.
    await page.get_by_role("button", name="Kembalikan").click()
    await expect(page.locator(".review .notice")).to_contain_text("alasan")
    await page.get_by_role("button", name="Setujui").click()
    await expect(page.locator("#page-message")).to_contain_text("disetujui")
    await expect(page.locator("#team")).to_contain_text("Disetujui")
    after = await call(stack.client, "GET", f"/api/targets/skp/{skp['id']}", regency.as_("pegawai"))
    assert after["status"] == "approved"


async def test_admin_dashboard_and_csv_dry_run(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, offset=50)
    token = bearer(tenant=regency.slug, roles=[Role.ADMIN], user_id="admin-x")
    await use_session(page, stack.gateway_url, token["Authorization"].removeprefix("Bearer "))
    await page.goto(stack.gateway_url + "/admin")
    await expect(page.locator("#distribution")).to_contain_text("Sangat Baik")
    # Units, employees and the import live on the organisation page.
    await page.goto(stack.gateway_url + "/admin/organisasi")
    await expect(page.locator("#units")).to_contain_text("Dinas Kependudukan")
    await expect(page.locator("#employees")).to_contain_text("Atasan")

    csv = "code,name,kind\nDISDIK,Dinas Pendidikan,dinas\nX,,planet\n"
    await page.locator("#import-file").set_input_files(
        files=[{"name": "unit.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    await page.get_by_role("button", name="Periksa (uji coba)").click()
    await expect(page.locator("#import-result")).to_contain_text("tidak ada yang disimpan")
    await expect(page.locator("#import-result")).to_contain_text("baris 3")
    units = await call(stack.client, "GET", "/api/identity/units", regency.admin())
    assert [u["name"] for u in units["items"]] == ["Dinas Kependudukan"]


async def test_citizen_files_a_complaint_and_tracks_it(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, offset=60)
    await page.goto(f"{stack.gateway_url}/pengaduan/{regency.slug}")
    await page.get_by_role("button", name="Kirim pengaduan").click()
    await expect(page.locator("#complaint-message")).to_contain_text("Pilih unit layanan")
    await page.get_by_label("Unit layanan").select_option(label="Dinas Kependudukan")
    await page.get_by_label("Jenis pengaduan").select_option("pelayanan_lambat")
    await page.get_by_label("Isi pengaduan").fill("Antrean KTP tiga jam tanpa kejelasan.")
    await page.get_by_role("button", name="Kirim pengaduan").click()
    await expect(page.locator("#tracking-code")).to_have_text(re.compile(r"^ADU-\w+$"))
    code = (await page.locator("#tracking-code").inner_text()).strip()

    await page.get_by_role("link", name="Lacak pengaduan ini").click()
    await expect(page.locator("#track-result")).to_contain_text("Diterima")
    await expect(page.locator("#track-result")).to_contain_text("Dinas Kependudukan")
    staff_view = await call(stack.client, "GET", "/api/feedback/complaints", regency.admin())
    assert [c["tracking_code"] for c in staff_view["items"]] == [code]
    await page.get_by_label("Kode pelacakan").fill("ADU-TIDAKADA")
    await page.get_by_role("button", name="Lacak").click()
    await expect(page.locator("#track-message")).to_contain_text("tidak ditemukan")
