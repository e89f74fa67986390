"""/profil in Chromium: a supervisor sets the e-mail address, what to receive and the
language, in Indonesian, with a bad address refused next to its field; the choice is kept
by identity and reaches the gateway, which mails, as contact.set."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Page, expect
from sqlmodel import select

from services.gateway.models import MailContact
from tests.browser.pages import check_page, login
from tests.gateway.conftest import Stack
from tests.gateway.harness import PASSWORD, register_regency
from tests.support import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


async def test_a_supervisor_chooses_a_daily_summary_by_e_mail(stack: Stack, page: Page) -> None:
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", 700)
    await page.goto(stack.gateway_url + "/")
    await login(page, regency.slug, regency.nips["atasan"], PASSWORD)
    await page.locator("#new-password").fill("sandi-atasan-456")
    await page.locator("#new-password-again").fill("sandi-atasan-456")
    await page.locator("#password-form button[type=submit]").click()
    await page.wait_for_url(lambda url: not url.endswith("/"))

    # Reached from the top bar, in Indonesian; nothing chosen yet.
    await page.get_by_role("link", name="Profil Saya").click()
    await page.wait_for_url("**/profil")
    await expect(page.locator("h1")).to_have_text("Profil Saya")
    await expect(page.locator("#contact-none")).to_be_checked()
    await expect(page.locator("#contact-email")).to_have_value("")

    # A bad address: refused next to the field, in Indonesian; nothing saved.
    await page.locator("#contact-email").fill("budi@")
    await page.get_by_label("Setiap pengaduan, segera").check()
    await page.locator("#contact-save").click()
    await expect(page.locator("#contact-form .field-error")).to_have_text(
        "bukan alamat e-mail yang sah"
    )
    # A summary without an address: the reason in the notice.
    await page.locator("#contact-email").fill("")
    await page.get_by_label("Ringkasan harian peringatan saya yang masih terbuka").check()
    await page.locator("#contact-save").click()
    await expect(page.locator("#contact-message")).to_contain_text("alamat e-mail diperlukan")

    await page.locator("#contact-email").fill("budi.santoso@bantulkab.go.id")
    await page.locator("#contact-locale").select_option("en")
    await page.locator("#contact-save").click()
    await expect(page.locator("#contact-message")).to_have_text("Tersimpan.")
    await check_page(page, "profil")

    # Kept: a reload shows the choice.
    await page.reload()
    await expect(page.locator("#contact-email")).to_have_value("budi.santoso@bantulkab.go.id")
    await expect(page.locator("#contact-digest")).to_be_checked()
    await expect(page.locator("#contact-locale")).to_have_value("en")

    # The gateway learned it from identity's event, for the supervisor's alerts.
    gateway = stack.runtime("gateway")

    async def learned() -> MailContact | None:
        async with gateway.sessions() as session:
            rows = await session.exec(select(MailContact).where(MailContact.tenant == regency.slug))
            return rows.first()

    contact = await wait_until(learned, timeout=60)
    assert (contact.recipient_id, contact.email, contact.preference, contact.locale) == (
        regency.people["atasan"],
        "budi.santoso@bantulkab.go.id",
        "digest",
        "en",
    )
