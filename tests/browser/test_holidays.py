"""BKPSDM's holiday calendar, by clicks in Chromium against the running platform: a day
added by the form, a bad file refused by the dry run line by line in Indonesian, a good
file imported, a day removed; what identity keeps is what the page shows after a reload."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import check_page, new_admin
from tests.gateway.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


async def test_the_admin_keeps_the_holidays_of_a_year(stack: Stack, page: Page) -> None:
    await new_admin(stack, page)
    year = date.today().year
    await page.goto(stack.gateway_url + "/admin/libur")
    await expect(page.locator("h1")).to_have_text("Hari libur")
    await expect(page.locator("#holidays")).to_contain_text("Belum ada hari libur")
    await expect(page.locator("#holiday-year")).to_have_value(str(year))

    await page.locator("#holiday-day").fill(f"{year}-08-17")
    await page.locator("#holiday-name").fill("Hari Kemerdekaan RI")
    await page.locator("#holiday-form button[type=submit]").click()
    await expect(page.locator("#holiday-message.ok")).to_contain_text(f"tahun {year} disimpan")
    await expect(page.locator("#holidays tbody tr")).to_have_count(1)
    await expect(page.locator("#holidays")).to_contain_text("Libur nasional")

    # A bad file: the dry run lists the bad line in Indonesian and saves nothing.
    bad = f"date,name,kind\n{year}-13-01,Salah,\n"
    await page.locator("#holiday-file").set_input_files(
        files=[{"name": "libur.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    await page.locator('#holiday-import-form button[data-dry-run="true"]').click()
    await expect(page.locator("#import-problems li").first).to_contain_text("baris 2:")
    await expect(page.locator("#import-problems li").first).to_contain_text("bukan tanggal")

    good = (
        f"date;name;kind\n01/01/{year};Tahun Baru;\n"
        f"{year}-08-17;Hari Kemerdekaan RI;\n{year}-12-26;Cuti bersama Natal;cuti_bersama\n"
    )
    await page.locator("#holiday-file").set_input_files(
        files=[{"name": "libur.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    await page.locator('#holiday-import-form button[data-dry-run="false"]').click()
    await expect(page.locator("#import-result .notice.ok")).to_be_visible()
    await expect(page.locator("#holidays tbody tr")).to_have_count(3)
    await expect(page.locator("#holidays")).to_contain_text("Cuti bersama Natal")
    await check_page(page, "admin-libur")

    # Remove one: the year is saved without it, and a reload shows what identity keeps.
    await page.get_by_role("button", name="Hapus Tahun Baru").click()
    await expect(page.locator("#holidays tbody tr")).to_have_count(2)
    await page.reload()
    rows = page.locator("#holidays tbody tr")
    await expect(rows).to_have_count(2)
    await expect(page.locator("#holidays")).not_to_contain_text("Tahun Baru")
