"""Year-walk steps of the counter, the citizen and the complaint desk, by clicks only.

Each step starts from a page whose browser already has the right session (or none, for
the citizen) and whose current URL is on the gateway (its origin is taken from it).
They wait for the rendered result, never for time."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from playwright.async_api import Page, expect

SKM_ELEMENTS = (
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
_TRACKING = re.compile(r"^ADU-[0-9A-Z]{12}$")


def origin(page: Page) -> str:
    """The gateway's origin from the page's URL (a step needs the page on the gateway)."""
    scheme, _, host = page.url.split("/", 3)[:3]
    assert scheme.startswith("http"), f"open a gateway page first, not {page.url}"
    return f"{scheme}//{host}"


async def counter_issues_token(page: Page, service_name: str, officer: str | None = None) -> str:
    """A petugas loket issues a survey token at /loket for one service (optionally naming
    a colleague by name). Leaves the slip on screen with its QR code loaded; returns the
    survey URL the slip shows (the one the QR encodes)."""
    await page.goto(origin(page) + "/loket")
    await expect(page.locator("#counter-unit")).not_to_be_empty()
    await page.locator("#token-service").fill(service_name)
    if officer is not None:
        await page.locator("#token-officer").select_option(label=officer)
    await page.locator("#token-form button[type=submit]").click()
    await expect(page.locator("#slip")).to_be_visible()
    qr = page.locator("#slip-qr")
    await expect(qr).to_have_js_property("complete", True)
    assert await qr.evaluate("img => img.naturalWidth") > 0, "the QR code did not load"
    url = await page.locator("#slip-url").text_content()
    assert url, "the slip shows no survey URL"
    return url


async def citizen_fills_survey(
    page: Page,
    url: str,
    ratings: int | Sequence[int] | Mapping[str, int],
    comment: str = "",
) -> None:
    """A citizen opens the survey URL (from the QR), answers the nine elements (one
    rating for all, nine in order, or by element code), optionally a suggestion, and
    sends. Leaves the thank-you card on screen."""
    if isinstance(ratings, int):
        chosen = dict.fromkeys(SKM_ELEMENTS, ratings)
    elif isinstance(ratings, Mapping):
        chosen = dict(ratings)
    else:
        chosen = dict(zip(SKM_ELEMENTS, ratings, strict=True))
    await page.goto(url)
    await expect(page.locator("#questions > li")).to_have_count(9)
    for element, value in chosen.items():
        item = page.locator(f'#questions li[data-element="{element}"]')
        await item.locator(f'input[value="{value}"]').check()
    if comment:
        await page.locator("#comment").fill(comment)
    await page.locator("#survey-form button[type=submit]").click()
    await expect(page.locator("#thanks")).to_be_visible()


async def citizen_files_complaint(page: Page, tenant: str, unit_name: str, text: str) -> str:
    """A citizen files a complaint about a unit (chosen by its name) on the public form.
    Leaves the receipt on screen; returns the tracking code."""
    await page.goto(f"{origin(page)}/pengaduan/{tenant}")
    await page.locator("#complaint-unit").select_option(label=unit_name)
    await page.locator("#complaint-text").fill(text)
    await page.locator("#complaint-form button[type=submit]").click()
    code = page.locator("#tracking-code")
    await expect(code).to_have_text(_TRACKING)
    return str(await code.text_content())


async def desk_moves_complaint(
    page: Page, tracking_or_summary: str, to_status: str, reason: str, lapor_ref: str = ""
) -> None:
    """The complaint desk (unit head, pengelola pengaduan or admin) opens /meja-pengaduan,
    lists all complaints, opens the one whose row shows ``tracking_or_summary`` (its
    tracking code or any text of its row), and moves it to ``to_status`` (a status code)
    with the reason and the SP4N-LAPOR! reference. Leaves the complaint's detail on screen
    showing the new status."""
    await page.goto(origin(page) + "/meja-pengaduan")
    await expect(page.locator("#desk-unit option").first).to_be_attached()
    await page.locator("#desk-status").select_option("")
    row = page.locator("#complaints tbody tr").filter(has_text=tracking_or_summary)
    await expect(row).to_have_count(1)
    await row.get_by_role("button").click()
    await expect(page.locator("#complaint-detail")).to_be_visible()
    await page.locator("#move-status").select_option(to_status)
    await page.locator("#move-reason").fill(reason)
    if lapor_ref:
        await page.locator("#move-lapor").fill(lapor_ref)
    await page.locator("#move-form button[type=submit]").click()
    await expect(page.locator(f"#detail-body .status-{to_status}")).to_be_visible()


async def unit_ikm_shown(page: Page) -> dict[str, object]:
    """Opens /ikm-unit (the first unit, the last ended month) and reads what it shows:
    ``suppressed`` (not enough data), else ``ikm``, ``category``, ``responses``,
    ``provisional``, ``elements`` (code -> NRR text), and ``comments``."""
    await page.goto(origin(page) + "/ikm-unit")
    summary = page.locator("#ikm-summary")
    await expect(summary.locator("#ikm-none, #ikm-value")).to_have_count(1)
    await expect(page.locator("#ikm-comments")).not_to_contain_text("…")
    comments = await page.locator("#comment-list li").all_text_contents()
    if await summary.locator("#ikm-none").count():
        return {"suppressed": True, "comments": comments}
    elements = {}
    for row in await page.locator("#ikm-chart .bar-row").all():
        code = await row.get_attribute("data-element")
        elements[str(code)] = await row.locator(".bar-value").text_content()
    return {
        "suppressed": False,
        "ikm": await page.locator("#ikm-value").text_content(),
        "category": await page.locator("#ikm-category").text_content(),
        "responses": int(str(await page.locator("#ikm-responses").text_content())),
        "provisional": await page.locator("#ikm-provisional").count() == 1,
        "elements": elements,
        "comments": comments,
    }
