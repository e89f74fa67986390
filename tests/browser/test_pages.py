"""Every page at phone and desktop width, with axe-core, against the running platform."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import check_page, login
from tests.gateway.conftest import Stack, assert_no_token_readable, use_session
from tests.gateway.harness import PASSWORD, Regency, approved_skp, call, register_regency

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


async def new_regency(stack: Stack, offset: int) -> Regency:
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", offset)
    await stack.settled(regency)
    return regency


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def test_login_password_and_employee_pages(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, 100)
    await approved_skp(stack.client, regency)
    await page.goto(stack.gateway_url + "/")
    await check_page(page, "login")
    await login(page, regency.slug, regency.nips["pegawai"], PASSWORD)
    # First login: the password form, on the same page.
    await expect(page.locator("#password-form")).to_be_visible()
    await check_page(page, "password")
    await page.locator("#new-password").fill("sandi-baru-456")
    await page.locator("#new-password-again").fill("sandi-baru-456")
    await page.locator("#password-form button[type=submit]").click()
    await page.wait_for_url("**/pegawai")
    await expect(page.locator("#skp")).to_contain_text("Disetujui")
    await assert_no_token_readable(page)
    await check_page(page, "pegawai")
    # A pegawai opening the admin page gets a clear refusal, not a broken page.
    await page.goto(stack.gateway_url + "/admin")
    await expect(page.get_by_role("heading")).to_contain_text("bukan untuk akun Anda")
    # ... with the way back to the pages that are: the account's own links.
    await expect(page.locator("#nav a")).to_have_text(
        ["Kinerja Saya", "Penilaian Saya", "Periode Saya", "Penilaian Rekan", "Profil Saya"]
    )
    await check_page(page, "refused")
    # Logging out ends the session: the dashboard sends back to the login page.
    await page.goto(stack.gateway_url + "/pegawai")
    await page.locator("#logout").click()
    await page.wait_for_url(stack.gateway_url + "/")
    await page.goto(stack.gateway_url + "/pegawai")
    await expect(page.locator("#login-form")).to_be_visible()


async def test_supervisor_and_admin_pages(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, 110)
    await use_session(page, stack.gateway_url, token_of(regency.as_("atasan")))
    await page.goto(stack.gateway_url + "/atasan")
    await expect(page.locator("#team")).to_contain_text("Pegawai")
    await check_page(page, "atasan")
    await page.context.clear_cookies()
    await use_session(page, stack.gateway_url, token_of(regency.admin()))
    # The units moved to /admin/organisasi (tests/browser/test_admin.py covers the pages).
    await page.goto(stack.gateway_url + "/admin/organisasi")
    await expect(page.locator("#units")).to_contain_text("Dinas Kependudukan")


async def test_citizen_pages(stack: Stack, page: Page) -> None:
    regency = await new_regency(stack, 120)
    token = await call(
        stack.client,
        "POST",
        "/api/feedback/survey-tokens",
        regency.admin(),
        201,
        json={"unit_id": regency.unit_id, "service_type": "KTP-el"},
    )
    await page.goto(token["survey_url"])
    await expect(page.locator("#questions > li")).to_have_count(9)
    await check_page(page, "survey")
    await page.goto(f"{stack.gateway_url}/pengaduan/{regency.slug}")
    await check_page(page, "pengaduan")
    await page.goto(f"{stack.gateway_url}/pengaduan/{regency.slug}/lacak")
    await check_page(page, "lacak")
    await page.goto(f"{stack.gateway_url}/pengaduan/tidak-ada-kab")
    await check_page(page, "message")


async def test_a_422_shows_next_to_its_field_in_the_readers_language(
    stack: Stack, page: Page
) -> None:
    """K.form: the kernel's rendered 422 item lands beside the input its loc names."""
    await page.goto(stack.gateway_url + "/")
    await page.locator("#tenant").fill("Bukan Slug!")
    await page.locator("#username").fill("198503152010011001")
    await page.locator("#password").fill("apa saja")
    await page.locator("#login-form button[type=submit]").click()
    tenant = page.locator("#tenant")
    await expect(tenant).to_have_attribute("aria-invalid", "true")
    error = page.locator("#login-form .field-error")
    await expect(error).to_have_text("bentuknya tidak sesuai ketentuan")
    assert await tenant.get_attribute("aria-describedby") == await error.get_attribute("id")
    await check_page(page, "login-field-error")


async def test_the_language_switch_turns_the_pages_english(stack: Stack, page: Page) -> None:
    await page.goto(stack.gateway_url + "/")
    await expect(page.get_by_role("heading", name="Masuk ke Kinerja")).to_be_visible()
    await page.get_by_role("button", name="EN").click()
    await expect(page.get_by_role("heading", name="Log in to Kinerja")).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "en"
    # Script words too: an empty form is refused in English.
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#message")).to_contain_text("Fill in your NIP")
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    assert cookies["kinerja_lang"] == "en"
    await page.get_by_role("button", name="ID").click()
    await expect(page.get_by_role("heading", name="Masuk ke Kinerja")).to_be_visible()
