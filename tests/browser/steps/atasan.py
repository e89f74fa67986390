"""Year-walk steps of the supervisor (atasan, or the kepala daerah on the same pages) and
of the peer (rekan), by clicks only. Each waits for the rendered result, never for time.

Ratings are the codes of the 3-level scale: ``di_atas``, ``sesuai``, ``di_bawah``.
"""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

BERAKHLAK = (
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
)


def _base(page: Page) -> str:
    return "/".join(page.url.split("/", 3)[:3])


async def open_desk(page: Page) -> None:
    """Open /atasan and wait until the team table (or its empty note) is rendered."""
    await page.goto(_base(page) + "/atasan")
    await expect(page.locator("#team")).not_to_contain_text("Memuat")


def _team_row(page: Page, employee_name: str) -> Locator:
    return page.locator("#team tr", has=page.get_by_role("link", name=employee_name, exact=True))


async def supervisor_approves_skp(page: Page, employee_name: str) -> None:
    """Precondition: logged in as the employee's supervisor (or the kepala daerah for an
    employee without one); the employee's SKP is submitted. Leaves /atasan with the row
    showing the SKP approved."""
    await open_desk(page)
    row = _team_row(page, employee_name)
    await row.get_by_role("button", name=re.compile("Periksa|Review")).click()
    review = page.locator("#team .review")
    await review.get_by_role("button", name=re.compile("Setujui|Approve")).click()
    await expect(page.locator("#page-message")).to_contain_text(employee_name)
    await expect(_team_row(page, employee_name)).to_contain_text(re.compile("Disetujui|Approved"))


async def supervisor_returns_skp(page: Page, employee_name: str, comment: str) -> None:
    """Precondition as ``supervisor_approves_skp``. Leaves /atasan with the row back at
    draft (the employee sees ``comment``)."""
    await open_desk(page)
    row = _team_row(page, employee_name)
    await row.get_by_role("button", name=re.compile("Periksa|Review")).click()
    review = page.locator("#team .review")
    await review.locator("textarea[name=comment]").fill(comment)
    await review.get_by_role("button", name=re.compile("Kembalikan|Return")).click()
    await expect(page.locator("#page-message")).to_contain_text(employee_name)
    await expect(_team_row(page, employee_name)).to_contain_text(re.compile("Draf|Draft"))


async def supervisor_waits_for_alert(page: Page, text_fragment: str) -> str:
    """Precondition: /atasan is open (``open_desk``). Waits, without reloading, until the
    live panel shows an alert containing ``text_fragment``; returns its text."""
    alert = page.locator("#alerts li.alert", has_text=text_fragment).first
    await expect(alert).to_be_visible(timeout=60_000)
    return (await alert.locator(".message").inner_text()).strip()


async def alert_is_cleared(page: Page, text_fragment: str) -> None:
    """Precondition: /atasan is open. Waits, without reloading, until no alert containing
    ``text_fragment`` is left in the live panel (scoring cleared it)."""
    await expect(page.locator("#alerts li.alert", has_text=text_fragment)).to_have_count(
        0, timeout=60_000
    )


async def open_person(page: Page, employee_name: str) -> None:
    """From /atasan, open one person's page by the link on their name."""
    await open_desk(page)
    await page.locator("#team").get_by_role("link", name=employee_name, exact=True).click()
    await expect(page.locator("#person-name")).to_have_text(employee_name)
    await expect(page.locator("#assess")).not_to_contain_text("Memuat")


async def supervisor_assesses(
    page: Page,
    employee_name: str,
    *,
    rhk_rating: str = "sesuai",
    result_rating: str = "sesuai",
    behaviour: dict[str, str] | None = None,
    period: str | None = None,
    recommendation: str = "",
) -> None:
    """Precondition: the employee's SKP is approved and has reached the assessment service.
    Opens the person's page, rates every RHK ``rhk_rating``, the overall Hasil Kerja
    ``result_rating`` and each value (``behaviour``, default all ``sesuai``) for ``period``
    (default: the annual one), submits. Leaves the person's page with "saved" shown."""
    await open_person(page, employee_name)
    form = page.locator("#assess-form")
    if period is not None:
        await form.locator("select[name=period]").select_option(period)
    for select in await form.locator("select[name^='rhk-']").all():
        await select.select_option(rhk_rating)
    await form.locator("select[name=result_rating]").select_option(result_rating)
    chosen = behaviour or {}
    for value in BERAKHLAK:
        await form.locator(f"select[name='value-{value}']").select_option(
            chosen.get(value, "sesuai")
        )
    if recommendation:
        await form.locator("textarea[name=development_recommendation]").fill(recommendation)
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#assess-message")).to_contain_text(employee_name)
    await expect(page.locator("#assess-last")).to_contain_text(re.compile("Dinilai|Assessed"))


async def supervisor_requests_peer(page: Page, employee_name: str, peer_name: str) -> None:
    """From the person's page of ``employee_name``: ask ``peer_name`` (same unit) for a
    peer assessment of the default (annual) period. Leaves the request listed as waiting."""
    await open_person(page, employee_name)
    form = page.locator("#peer-form")
    option = form.locator("select[name=peer_id] option", has_text=peer_name)
    await form.locator("select[name=peer_id]").select_option(await option.get_attribute("value"))
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#peers")).to_contain_text(peer_name)


async def supervisor_decides_objection(
    page: Page, employee_name: str, decision: str, *, result_rating: str = "di_atas"
) -> None:
    """Precondition: logged in as the assessing supervisor's own supervisor; the employee
    objected. ``decision`` is "accept" (with ``result_rating`` as the new Hasil Kerja) or
    "reject". Leaves /atasan with the objection gone from the list."""
    await open_desk(page)
    card = page.locator("#objections article.objection", has_text=employee_name)
    form = card.locator("form.decide")
    if decision == "accept":
        await form.locator("input[name=accepted][value=yes]").check()
        await form.locator("details.changes summary").click()
        await form.locator("select[name=result_rating]").select_option(result_rating)
    else:
        await form.locator("input[name=accepted][value=no]").check()
    await form.locator("textarea[name=reason]").fill("Diputuskan setelah memeriksa bukti dukung.")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#page-message")).to_contain_text(employee_name)
    await expect(card).to_have_count(0)


async def peer_submits_assessment(
    page: Page, employee_name: str, *, behaviour: dict[str, str] | None = None
) -> None:
    """Precondition: logged in as the colleague a supervisor asked. Opens /rekan, rates the
    seven values of ``employee_name`` (default all ``sesuai``), submits. Leaves /rekan with
    the request shown as submitted."""
    await page.goto(_base(page) + "/rekan")
    card = page.locator("#requests article.peer-request", has_text=employee_name).first
    form = card.locator("form.peer-form")
    chosen = behaviour or {}
    for value in BERAKHLAK:
        await form.locator(f"select[name='value-{value}']").select_option(
            chosen.get(value, "sesuai")
        )
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#page-message")).to_contain_text(employee_name)
    await expect(
        page.locator("#requests article.peer-request.done", has_text=employee_name)
    ).to_be_visible()
