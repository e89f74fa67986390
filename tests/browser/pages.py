"""What every page test uses: log in by the form, and ``check_page`` (no sideways scroll
at phone width, no serious or critical axe-core violation, screenshots at desktop and
phone width under ``test-output/screenshots/``)."""

from __future__ import annotations

import uuid
from pathlib import Path

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from services.identity.app import DEVELOPMENT_PLATFORM_PASSWORD
from tests.browser.steps.admin import (
    platform_registers_regency,
)
from tests.gateway.conftest import Stack

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
BLOCKING = {"serious", "critical"}
_axe = Axe()


async def login(page: Page, tenant: str, user: str, password: str) -> None:
    """Log in through the login page's form, as a person would (the gateway sets the
    HttpOnly session cookie); lands on the account's dashboard."""
    base = page.url.split("/", 3)[:3]
    await page.goto("/".join(base) + "/")
    await page.locator("#tenant").fill(tenant)
    await page.locator("#username").fill(user)
    await page.locator("#password").fill(password)
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#login-form")).to_be_hidden()


async def overflow(page: Page) -> list[str]:
    """The elements sticking out to the right of the window (to say what to fix)."""
    found: list[str] = await page.evaluate(
        """() => {
          const width = window.innerWidth;
          const out = [];
          for (const node of document.querySelectorAll("body *")) {
            const box = node.getBoundingClientRect();
            if (box.right > width + 0.5 && box.width > 0) {
              const cls = typeof node.className === "string" ? node.className : "";
              out.push(node.tagName.toLowerCase() + (node.id ? "#" + node.id : "") +
                       (cls ? "." + cls.split(" ").join(".") : "") +
                       " right=" + Math.round(box.right));
            }
          }
          return out.slice(0, 10);
        }"""
    )
    return found


async def check_page(page: Page, name: str) -> None:
    """The page as it is now, at phone width then desktop width: no horizontal scroll at
    360x740, no serious/critical axe-core violation at either width, both screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.set_viewport_size(PHONE)
    await page.wait_for_load_state("networkidle")
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (name, widths, await overflow(page))
    await _accessible(page, name, "phone")
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)
    await _accessible(page, name, "desktop")
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)


async def _accessible(page: Page, name: str, width: str) -> None:
    results = await _axe.run(page)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]
    assert not blocking, (name, width, blocking)


async def new_admin(stack: Stack, page: Page) -> str:
    """Platform registers a regency by the form; its admin logs in and sets a password."""
    slug = f"kab-{uuid.uuid4().hex[:8]}"
    await page.goto(stack.gateway_url + "/")
    await login(page, "", "platform", DEVELOPMENT_PLATFORM_PASSWORD)
    await page.wait_for_url("**/platform")
    await platform_registers_regency(
        page, slug, f"Kabupaten {slug.title()}", "Asia/Makassar", "bkpsdm", "sandi-awal-123"
    )
    await check_page(page, "platform")
    await page.goto(stack.gateway_url + "/ops")
    await expect(page.locator("#ops-status table")).to_contain_text("identity")
    await expect(page.locator("#ops-status")).to_contain_text("database: ok")
    await check_page(page, "ops")
    await page.context.clear_cookies()
    await login(page, slug, "bkpsdm", "sandi-awal-123")
    await page.locator("#new-password").fill("sandi-bkpsdm-456")
    await page.locator("#new-password-again").fill("sandi-bkpsdm-456")
    await page.locator("#password-form button[type=submit]").click()
    await page.wait_for_url("**/admin")
    return slug
