"""Year-walk steps of BKPSDM (admin) and the platform operator, by clicks only.

Each step opens its own page, so it may follow any other; it waits for the rendered
result (never for time) and leaves that page on screen. Selectors are ids and data
attributes, not words, so a step works in either language.
"""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect


def employee_row(page: Page, name: str) -> Locator:
    """The row of the employees table whose Name cell is exactly ``name`` (another row may
    name them as its supervisor)."""
    first = page.locator("td:first-child", has_text=re.compile("^" + re.escape(name) + "$"))
    return page.locator("#employees tbody tr").filter(has=first)


def _base(page: Page) -> str:
    return "/".join(page.url.split("/", 3)[:3])


async def platform_registers_regency(
    page: Page, slug: str, name: str, time_zone: str, admin_username: str, admin_password: str
) -> None:
    """Precondition: logged in as a platform account. Registers the regency and its first
    admin on /platform; leaves /platform with the regency listed."""
    await page.goto(_base(page) + "/platform")
    await page.locator("#regency-slug").fill(slug)
    await page.locator("#regency-name").fill(name)
    await page.locator("#regency-tz").select_option(time_zone)
    await page.locator("#admin-username").fill(admin_username)
    await page.locator("#admin-password").fill(admin_password)
    await page.locator("#regency-form button[type=submit]").click()
    await expect(page.locator("#regency-message.ok")).to_contain_text(slug)
    await expect(page.locator("#regencies")).to_contain_text(name)


async def _import(page: Page, kind: str, text: str) -> None:
    await page.locator("#import-kind").select_option(kind)
    await page.locator("#import-file").set_input_files(
        files=[{"name": f"{kind}.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    result = page.locator("#import-result")
    await page.locator('#import-form button[data-dry-run="true"]').click()
    ok = result.locator(".notice.ok")
    await expect(result.locator(".notice")).to_be_visible()
    assert await ok.count() == 1, await result.inner_text()  # the dry run found no problem
    await result.evaluate("node => node.replaceChildren()")
    await page.locator('#import-form button[data-dry-run="false"]').click()
    await expect(result.locator(".notice")).to_be_visible()
    assert await ok.count() == 1, await result.inner_text()


async def admin_imports_people(page: Page, units_csv: str, employees_csv: str) -> None:
    """Precondition: logged in as the regency's admin (password already changed). Imports
    the units, then the employees, each first as a dry run that must report no problem;
    leaves /admin/organisasi with the imported people listed."""
    await page.goto(_base(page) + "/admin/organisasi")
    await expect(page.locator("#units")).not_to_contain_text("…")
    await _import(page, "units", units_csv)
    await _import(page, "employees", employees_csv)
    await expect(page.locator("#employees table")).to_be_visible()


async def admin_creates_kepala_daerah(
    page: Page, name: str, title: str, username: str, password: str
) -> None:
    """Precondition: logged in as the regency's admin, and the regency has no active
    kepala daerah yet. Creates the account on /admin/pengaturan (the KD logs in with the
    slug, ``username`` and ``password``, then changes it); leaves the page showing it."""
    await page.goto(_base(page) + "/admin/pengaturan")
    await expect(page.locator("#kd-current")).not_to_contain_text("…")
    await page.locator("#kd-title").fill(title)
    await page.locator("#kd-name").fill(name)
    await page.locator("#kd-username").fill(username)
    await page.locator("#kd-password").fill(password)
    await page.locator("#kd-form button[type=submit]").click()
    await expect(page.locator("#kd-message.ok")).to_be_visible()
    await expect(page.locator("#kd-summary")).to_contain_text(title)


async def admin_sets_duty(page: Page, employee_name: str, duty: str) -> None:
    """Precondition: logged in as admin; the employee works in a unit that serves the
    public. Adds ``duty`` (``petugas_loket`` or ``pengelola_pengaduan``) to the employee's
    duties, keeping the others; leaves /admin/organisasi with the confirmation shown. The
    duty reaches the employee at their next login."""
    await page.goto(_base(page) + "/admin/organisasi")
    await page.locator("#employee-q").fill(employee_name)
    await page.locator("#employee-search button[type=submit]").click()
    row = employee_row(page, employee_name)
    await expect(row).to_have_count(1)
    await row.locator('[data-action="duties"]').click()
    box = page.locator(f'#duties-form input[value="{duty}"]')
    await box.check()
    await page.locator("#duties-form button[type=submit]").click()
    await expect(page.locator("#employee-message.ok")).to_contain_text(employee_name)


async def admin_sees_distribution(page: Page) -> dict[str, int]:
    """Precondition: logged in as admin. Opens /admin (this year, organisation Baik) and
    returns the final predikat counts as shown, e.g. ``{"baik": 3, "kurang": 1, ...}``
    (every predikat, zeros included); leaves /admin on screen."""
    await page.goto(_base(page) + "/admin")
    cells = page.locator("#distribution [data-predikat]")
    await expect(cells).to_have_count(5)
    return {
        str(await c.get_attribute("data-predikat")): int(await c.get_attribute("data-count") or 0)
        for c in await cells.all()
    }
