"""The legacy PP 46/2011 score in Chromium: a regency that enabled it, an employee with an
approved SKP and half the year's documents logged. The employee's page shows the score and
its explanation in Indonesian, for the year and for the month (TPP); BKPSDM's page lists
it and downloads it as XLSX (read back with openpyxl)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from services.common.security import Role
from tests.browser.pages import check_page
from tests.gateway.conftest import Stack, use_session
from tests.gateway.harness import YEAR, Regency, approved_skp, call, register_regency
from tests.support import bearer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


def token(regency: Regency, who: str) -> str:
    header = (
        regency.admin()
        if who == "admin"
        else bearer(tenant=regency.slug, roles=[Role.PEGAWAI], employee_id=regency.people[who])
    )
    return header["Authorization"].removeprefix("Bearer ")


async def as_(page: Page, stack: Stack, regency: Regency, who: str, path: str) -> None:
    await page.context.clear_cookies()
    await use_session(page, stack.gateway_url, token(regency, who))
    await page.goto(stack.gateway_url + path)


async def test_the_legacy_score_shown_explained_and_downloaded(stack: Stack, page: Page) -> None:
    client = stack.client
    regency = await register_regency(client, f"kab-{uuid.uuid4().hex[:8]}", 760)
    await stack.settled(regency)
    admin = regency.admin()
    await call(
        client,
        "PATCH",
        "/api/identity/tenant/settings",
        admin,
        json={"legacy_score_enabled": True},
    )
    skp = await approved_skp(client, regency)
    today = datetime.now(UTC).date()
    assert today.year == YEAR
    entry = {
        "skp_id": skp["id"],
        "indicator_id": skp["rhk"][0]["indicators"][0]["indicator_id"],
        "activity_date": today.isoformat(),
        "value": 600,  # of 1,200 documents a year: quantity 50
    }
    await call(client, "POST", "/api/targets/activities", regency.as_("pegawai"), 201, json=entry)
    who = regency.people["pegawai"]

    async def projected() -> bool:
        answer = await client.get(
            f"/api/scoring/scores/legacy/employees/{who}?period={YEAR}", headers=admin
        )
        return answer.status_code == 200 and answer.json()["skp_score"] == 50.0

    await wait_until(projected, timeout=60)

    # The employee: the year's score and how it was computed, in Indonesian.
    await as_(page, stack, regency, "pegawai", "/pegawai")
    card = page.locator("#legacy-card")
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("Nilai SKP")
    await expect(page.locator("#legacy-explained")).to_contain_text(
        "Nilai SKP 50: rata-rata dari 1 tugas."
    )
    await expect(page.locator("#legacy-explained")).to_contain_text("Nilai perilaku belum ada")
    # This month (TPP): the month's share of the target is 100 documents, 600 were logged.
    await page.locator("#legacy-period").select_option(f"{YEAR}-{today.month:02d}")
    await expect(page.locator("#legacy table")).to_contain_text("600")
    await check_page(page, "pegawai-legacy")

    # BKPSDM: the regency's list, downloaded as XLSX.
    await as_(page, stack, regency, "admin", "/admin")
    table = page.locator("#legacy table")
    await expect(table).to_contain_text(f"Pegawai {regency.slug.title()}")
    await expect(page.locator("#legacy-method")).to_contain_text("PP 46/2011")
    async with page.expect_download() as info:
        await page.locator('#legacy .table-tools a[data-format="xlsx"]').click()
    download = await info.value
    assert download.suggested_filename == f"nilai-pp46-{YEAR}.xlsx"
    sheet = load_workbook(io.BytesIO((await download.path()).read_bytes())).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Nama",
        "NIP",
        "Unit kerja",
        "Nilai SKP",
        "Nilai perilaku",
        "Nilai akhir",
        "Sebutan",
    ]
    mine = next(r for r in rows[1:] if r[0] == f"Pegawai {regency.slug.title()}")
    assert mine[2:] == ["Dinas Kependudukan", 50, None, None, None]
    await check_page(page, "admin-legacy")
