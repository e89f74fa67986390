"""Year-walk steps of a pegawai, by clicks on /pegawai and /pegawai/penilaian. Each step
expects the page's browser to hold the employee's session (login() or use_session) and
waits for the rendered result, never for time. Steps locate by ids and field names, so
they work in either language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.async_api import Page, expect

# Scoring and the org chart travel by Kafka: a figure a step waits for may take a while.
EVENTUAL_MS = 60_000
NONE_SHOWN = "\u2013"  # what a page shows for a figure it does not have (K.fmt)


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    target: float | str = 100  # "" leaves the field empty (to see the inline error)
    unit: str = "dokumen"
    aspect: str = "kuantitas"
    direction: str = "higher"
    aggregation: str = "sum"
    weight: float | None = None


@dataclass(frozen=True)
class RhkSpec:
    title: str
    kind: str = "utama"
    parent_title: str | None = None  # the supervisor's approved RHK it supports
    indicators: tuple[IndicatorSpec, ...] = field(default=(IndicatorSpec("Dokumen selesai"),))


async def open_skp(page: Page, base_url: str) -> None:
    """/pegawai, with the SKP card rendered (whatever its state)."""
    await page.goto(base_url + "/pegawai")
    await expect(page.locator("#skp-status, #skp-new, #skp .errors").first).to_be_visible()


async def _quiet(page: Page, notice: str = "page-message") -> None:
    """Hide a notice, so the next one seen is the answer to the next click."""
    await page.evaluate(f"K.notice({notice!r}, '')")


async def fill_skp(page: Page, rhk: list[RhkSpec]) -> None:
    """Fill the open editor with ``rhk`` (adding RHK and indicator fieldsets as needed)."""
    editor = page.locator("#skp-form")
    await expect(editor.locator("fieldset.rhk-edit").first).to_be_visible()
    while await editor.locator("fieldset.rhk-edit").count() < len(rhk):
        await page.locator("#skp-add-rhk").click()
    for i, r in enumerate(rhk):
        block = editor.locator("fieldset.rhk-edit").nth(i)
        while await block.locator("fieldset.indicator-edit").count() < len(r.indicators):
            await block.locator("button.add-indicator").click()
        await page.locator(f'[name="rhk.{i}.title"]').fill(r.title)
        await page.locator(f'[name="rhk.{i}.kind"]').select_option(r.kind)
        if r.parent_title:
            await page.locator(f'[name="rhk.{i}.parent_rhk_id"]').select_option(
                label=r.parent_title
            )
        for j, ind in enumerate(r.indicators):
            at = f"rhk.{i}.indicators.{j}."
            await page.locator(f'[name="{at}name"]').fill(ind.name)
            await page.locator(f'[name="{at}aspect"]').select_option(ind.aspect)
            await page.locator(f'[name="{at}target"]').fill(str(ind.target))
            await page.locator(f'[name="{at}unit"]').select_option(ind.unit)
            await page.locator(f'[name="{at}direction"]').select_option(ind.direction)
            await page.locator(f'[name="{at}aggregation"]').select_option(ind.aggregation)
            weight = "" if ind.weight is None else str(ind.weight)
            await page.locator(f'[name="{at}weight"]').fill(weight)


async def save_skp(page: Page) -> None:
    """Click "Save draft" and wait for the answer (saved, or the errors shown)."""
    await _quiet(page)
    await page.locator("#skp-save").click()
    await expect(page.locator("#page-message")).to_be_visible()


async def employee_drafts_skp(page: Page, base_url: str, *, rhk: list[RhkSpec]) -> None:
    """Precondition: the employee has no SKP for this year, or a draft. Creates the draft
    if needed, fills ``rhk`` and saves; leaves /pegawai with the saved draft in the editor."""
    await open_skp(page, base_url)
    if await page.locator("#skp-new").count():
        await page.locator("#skp-new").click()
    await expect(page.locator("#skp-form")).to_be_visible()
    await fill_skp(page, rhk)
    await save_skp(page)
    await expect(page.locator("#page-message")).to_have_class(re.compile(r"\bok\b"))
    await expect(page.locator('[name="rhk.0.title"]')).to_have_value(rhk[0].title)


async def employee_copies_last_year(page: Page, base_url: str) -> None:
    """Precondition: no SKP this year, an SKP last year. Leaves the copied draft open."""
    await open_skp(page, base_url)
    await page.locator("#skp-copy").click()
    await expect(page.locator("#skp-form")).to_be_visible()


async def employee_submits_skp(page: Page, base_url: str) -> None:
    """Precondition: a valid draft this year. Saves what the open editor holds (unsaved
    changes too) and submits it; leaves /pegawai with the SKP awaiting approval."""
    if not page.url.endswith("/pegawai") or not await page.locator("#skp-submit").count():
        await open_skp(page, base_url)
    await page.locator("#skp-submit").click()
    await expect(page.locator("#skp-status .badge")).to_have_class(re.compile(r"\bsubmitted\b"))


async def employee_revises_skp(page: Page, base_url: str) -> None:
    """Precondition: an approved SKP. Starts a new version; leaves its draft in the editor."""
    await open_skp(page, base_url)
    await page.locator("#skp-revise").click()
    await expect(page.locator("#skp-form")).to_be_visible()


async def employee_logs_activity(
    page: Page, base_url: str, *, indicator: str, value: float, note: str, on: str | None = None
) -> None:
    """Precondition: an approved SKP with ``indicator`` (its name). Logs an entry (today
    unless ``on`` is an ISO date); leaves /pegawai with the entry in the activity log."""
    await open_skp(page, base_url)
    form = page.locator("#activity-form")
    await expect(form).to_be_visible()
    option = page.locator("#activity-indicator option", has_text=indicator).first
    await page.locator("#activity-indicator").select_option(await option.get_attribute("value"))
    if on:
        await page.locator("#activity-date").fill(on)
    await page.locator("#activity-value").fill(str(value))
    await page.locator("#activity-note").fill(note)
    await page.locator("#activity-save").click()
    await expect(page.locator("#activities tr", has_text=note)).to_have_count(1)


async def employee_sees_projection(
    page: Page, base_url: str, *, other_than: str = NONE_SHOWN
) -> str:
    """Reloads /pegawai until the achievement figure is shown and differs from
    ``other_than`` (scoring projects asynchronously); returns the achievement text shown
    and its explanation, e.g. "25%\\nCapaian keseluruhan 25%: ..."."""
    figure = page.locator("#figure-achievement .value")
    for _ in range(EVENTUAL_MS // 1000):
        await open_skp(page, base_url)
        await expect(page.locator("#scores .figures, #scores .muted").first).to_be_visible()
        if await figure.count() and (await figure.inner_text()) not in (other_than, NONE_SHOWN):
            break
        await page.wait_for_timeout(1000)
    shown = await figure.inner_text()
    assert shown not in (other_than, NONE_SHOWN), ("no projection shown", shown)
    return shown + "\n" + await page.locator("#explain-achievement").inner_text()


async def open_assessment(page: Page, base_url: str) -> None:
    await page.goto(base_url + "/pegawai/penilaian")
    await expect(page.locator("#final > *").first).to_be_visible()
    await expect(page.locator("#final")).not_to_contain_text("…")


async def employee_sees_final_predikat(page: Page, base_url: str) -> tuple[str, str]:
    """Precondition: the supervisor submitted the annual assessment. Reloads
    /pegawai/penilaian until the final predikat shows; returns (predikat, explanation)."""
    value = page.locator("#final-predikat-value")
    for _ in range(EVENTUAL_MS // 1000):
        await open_assessment(page, base_url)
        if await value.count():
            break
        await page.wait_for_timeout(1000)
    return await value.inner_text(), await page.locator("#final-predikat-explain").inner_text()


async def employee_files_objection(page: Page, base_url: str, *, reason: str) -> None:
    """Precondition: an annual supervisor assessment less than 14 days old, no objection
    yet. Leaves /pegawai/penilaian with the objection listed as pending."""
    await open_assessment(page, base_url)
    await page.locator("#objection-reason").fill(reason)
    await page.locator("#objection-form button[type=submit]").click()
    await expect(page.locator("#objections tr", has_text=reason)).to_have_count(1)


async def employee_sees_objection_decision(page: Page, base_url: str) -> str:
    """Precondition: the objection was decided. Returns the objection's row as shown
    (status, decision date and reason, Hasil Kerja after the decision)."""
    row = page.locator("#objections tbody tr").first
    decision = row.locator("td").nth(3)
    for _ in range(EVENTUAL_MS // 1000):
        await open_assessment(page, base_url)
        await expect(row).to_be_visible()
        if (await decision.inner_text()).strip() != NONE_SHOWN:
            break
        await page.wait_for_timeout(1000)
    return await row.inner_text()
