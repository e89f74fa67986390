"""The employee downloads their SKP from /pegawai in real Chromium: the link the page
shows, fetched with the browser's own session cookie, is the PDF with their name."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.gateway.conftest import Stack, use_session
from tests.gateway.documents_support import documented_regency, pdf_text
from tests.gateway.harness import approved_skp

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


async def test_employee_downloads_the_skp_from_the_page(
    stack: Stack, page: Page, tmp_path: Path
) -> None:
    regency = await documented_regency(stack)
    skp = await approved_skp(stack.client, regency)
    access = regency.as_("pegawai")["Authorization"].removeprefix("Bearer ")
    await use_session(page, stack.gateway_url, access)
    await page.goto(stack.gateway_url + "/pegawai")
    link = page.locator("#skp-pdf")
    await expect(link).to_have_text("SKP (PDF)")
    await expect(page.locator("#evaluation-pdf")).to_have_text("Dokumen Evaluasi Kinerja (PDF)")
    href = await link.get_attribute("href")
    assert href == f"/dokumen/skp/{skp['id']}"

    # What a click opens in its new tab, with the cookies of this browser.
    answer = await page.context.request.get(stack.gateway_url + href)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = pdf_text(await answer.body(), tmp_path)
    assert "SASARAN KINERJA PEGAWAI" in text and regency.nips["pegawai"] in text
    # Without the session the same address is refused.
    await page.context.clear_cookies()
    assert (await page.context.request.get(stack.gateway_url + href)).status == 401
