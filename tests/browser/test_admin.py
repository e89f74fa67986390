"""BKPSDM's, the platform operator's and ops' pages, by clicks in Chromium against the
running platform: a regency registered on /platform, its admin importing people with a
dry run, managing units and employees, duties, settings, every table as XLSX and CSV (the
gateway's export: read back with openpyxl, a formula-like name kept as text), and the ops
status page (nothing personal)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from tests.browser.pages import check_page, login, new_admin
from tests.browser.steps.admin import (
    admin_creates_kepala_daerah,
    admin_imports_people,
    admin_sees_distribution,
    admin_sets_duty,
    employee_row,
)
from tests.gateway.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

UNITS = """code,name,kind,parent,serves_public
SETDA,Sekretariat Daerah,kantor,,false
DUKCAPIL,Dinas Kependudukan,dinas,SETDA,true
"""
EMPLOYEES = """nip,name,position,unit,supervisor_nip,password
197001012000011001,Sri Lestari,Sekretaris Daerah,SETDA,,sandi-awal-123
198503152010011002,Budi Santoso,Kepala Dinas,DUKCAPIL,197001012000011001,sandi-awal-123
199001012015012003,=HYPERLINK("x"),Analis,DUKCAPIL,198503152010011002,sandi-awal-123
"""


async def test_a_regency_from_registration_to_its_people(stack: Stack, page: Page) -> None:
    slug = await new_admin(stack, page)
    # A bad file: the dry run lists each bad line, in Indonesian, and nothing is saved.
    await page.goto(stack.gateway_url + "/admin/organisasi")
    await page.locator("#import-kind").select_option("employees")
    bad = "nip,name,position,unit\n123,Salah,Analis,TIDAKADA\n"
    await page.locator("#import-file").set_input_files(
        files=[{"name": "e.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    await page.locator('#import-form button[data-dry-run="true"]').click()
    problems = page.locator("#import-problems li")
    await expect(problems.first).to_contain_text("baris 2:")
    await expect(page.locator("#import-result .notice.error")).to_contain_text("Uji coba")

    await admin_imports_people(page, UNITS, EMPLOYEES)
    await expect(page.locator("#units")).to_contain_text("Dinas Kependudukan")
    await expect(page.locator("#employees")).to_contain_text("Budi Santoso")
    await check_page(page, "admin-organisasi")

    # Move an employee: a new supervisor, chosen by name; the table says so after reload.
    row = page.locator("#employees tbody tr", has_text="HYPERLINK")
    await row.locator('[data-action="edit"]').click()
    await page.locator("#employee-edit select[name=supervisor_id]").select_option(
        label="Sri Lestari · Sekretaris Daerah"
    )
    # Pangkat/golongan from the kernel's table, kept by identity (the documents print it).
    await page.locator("#employee-edit select[name=golongan]").select_option("III/a")
    await page.locator("#employee-edit button[type=submit]").click()
    await expect(page.locator("#employee-message.ok")).to_be_visible()
    await page.reload()
    moved = page.locator("#employees tbody tr", has_text="HYPERLINK")
    await expect(moved).to_contain_text("Sri Lestari")
    await moved.locator('[data-action="edit"]').click()
    await expect(page.locator("#employee-edit select[name=golongan]")).to_have_value("III/a")
    await expect(page.locator("#employee-edit select[name=golongan] option:checked")).to_have_text(
        "III/a · Penata Muda"
    )
    await page.keyboard.press("Escape")

    # Duties: counter officer for an employee of the public-serving unit; read back.
    await admin_sets_duty(page, "Budi Santoso", "petugas_loket")
    await expect(page.locator("#employee-message")).to_contain_text("Petugas loket")
    await employee_row(page, "Budi Santoso").locator('[data-action="duties"]').click()
    await expect(page.locator('#duties-form input[value="petugas_loket"]')).to_be_checked()

    # A refusal shows the service's reason: a supervisor of active people cannot go.
    await page.locator("#employee-q").fill("")
    await page.locator("#employee-search button[type=submit]").click()
    boss = employee_row(page, "Sri Lestari")
    await boss.locator('[data-action="deactivate"]').click()
    await page.locator("#deactivate-form button[type=submit]").click()
    await expect(page.locator("#employee-message.error")).to_be_visible()

    # Every table downloads as XLSX and CSV: a formula-like name stays text in the
    # workbook and is neutralised in the CSV (UTF-8 with a BOM); no action column.
    async with page.expect_download() as info:
        await page.locator('#employees .table-tools a[data-format="xlsx"]').click()
    workbook = await info.value
    assert workbook.suggested_filename == "pegawai.xlsx"
    sheet = load_workbook(io.BytesIO((await workbook.path()).read_bytes())).active
    assert sheet is not None
    cells = {c.value: c for row in sheet.iter_rows() for c in row}
    assert cells['=HYPERLINK("x")'].data_type == "s"  # text, not a formula
    assert [c.value for c in sheet[1]] == [
        "Nama",
        "NIP",
        "Jabatan",
        "Unit kerja",
        "Atasan langsung",
        "Status",
    ]
    assert "Sri Lestari" in cells and "Ubah" not in cells
    async with page.expect_download() as info:
        await page.locator('#employees .table-tools a[data-format="csv"]').click()
    download = await info.value
    text = (await download.path()).read_bytes().decode("utf-8")
    assert text.startswith('\ufeff"Nama","NIP"')
    assert '"\'=HYPERLINK(""x"")"' in text
    assert "Ubah" not in text  # the action column stays out
    assert text.count("\r\n") == 4 and "Budi Santoso" in text  # header + the three shown

    counts = await admin_sees_distribution(page)
    assert counts == {p: 0 for p in counts} and len(counts) == 5
    await expect(page.locator("#missing-skp")).to_contain_text("Budi Santoso")
    await expect(page.locator("#missing-skp")).to_contain_text("Belum dibuat")
    await expect(page.locator("#legacy-card")).to_be_hidden()  # the regency has not enabled it
    await check_page(page, "admin")
    assert slug


async def test_settings_are_saved_and_refused_with_reasons(stack: Stack, page: Page) -> None:
    await new_admin(stack, page)
    await page.goto(stack.gateway_url + "/admin/pengaturan")
    cadence = page.locator("#setting-evaluation_cadence")
    await expect(cadence).to_have_value("monthly")
    await expect(page.locator("label[for=setting-min_aggregate_size]")).to_contain_text(
        "Kelompok terkecil"
    )
    await cadence.select_option("quarterly")
    await page.locator("#setting-min_aggregate_size").fill("7")
    await page.locator("#setting-legacy_points_di_bawah").fill("40")
    await page.locator("#settings-form button[type=submit]").click()
    await expect(page.locator("#settings-message.ok")).to_be_visible()
    await page.reload()
    await expect(page.locator("#setting-evaluation_cadence")).to_have_value("quarterly")
    await expect(page.locator("#setting-min_aggregate_size")).to_have_value("7")
    await expect(page.locator("#setting-legacy_points_di_bawah")).to_have_value("40")
    await expect(page.locator("#setting-legacy_points_di_atas")).to_have_value("91")
    # Thresholds out of order: identity's reason, nothing saved.
    await page.locator("#setting-rating_meets_threshold").fill("150")
    await page.locator("#settings-form button[type=submit]").click()
    await expect(page.locator("#settings-message.error")).to_contain_text("rating_meets_threshold")
    await page.reload()
    await expect(page.locator("#setting-rating_meets_threshold")).to_have_value("90")
    await check_page(page, "admin-pengaturan")


async def test_admin_creates_the_kepala_daerah(stack: Stack, page: Page) -> None:
    slug = await new_admin(stack, page)
    await admin_creates_kepala_daerah(
        page, "Halim Dalimunte", "Bupati Uji", "bupati", "sandi-kd-123"
    )
    await page.reload()
    await expect(page.locator("#kd-summary")).to_contain_text("Halim Dalimunte")
    await page.context.clear_cookies()
    await login(page, slug, "bupati", "sandi-kd-123")
    await expect(page.locator("#password-form")).to_be_visible()


async def test_other_roles_are_refused(stack: Stack, page: Page) -> None:
    await new_admin(stack, page)
    for path in ("/platform", "/ops"):
        await page.goto(stack.gateway_url + path)
        await expect(page.get_by_role("heading")).to_contain_text("bukan untuk akun Anda")
    answer = await page.request.get(stack.gateway_url + "/api/gateway/ops/status")
    assert answer.status == 403
