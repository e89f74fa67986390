"""The period pages, in Chromium against the running platform: the employee's periods of
the year (the regency's monthly cadence) with the current one's figures and its indicators
against the period's part of the target, and the supervisor's team for that period."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from playwright.async_api import Page, expect

from services.common.security import Role
from tests.browser.pages import check_page
from tests.gateway.conftest import Stack, use_session
from tests.gateway.harness import approved_skp, call, register_regency
from tests.support import bearer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


async def test_the_employee_and_the_supervisor_see_the_period(stack: Stack, page: Page) -> None:
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", 400)
    await stack.settled(regency)  # every service's org chart copy knows the people
    skp = await approved_skp(stack.client, regency)
    indicator = skp["rhk"][0]["indicators"][0]["indicator_id"]
    today = datetime.now(UTC).date()
    entry = {
        "skp_id": skp["id"],
        "indicator_id": indicator,
        "activity_date": str(today),
        "value": 7,
    }
    await call(
        stack.client, "POST", "/api/targets/activities", regency.as_("pegawai"), 201, json=entry
    )
    me = regency.people["pegawai"]
    label = f"{today.year}-{today.month:02d}"

    async def projected() -> bool:
        answer = await stack.client.get(
            f"/api/scoring/scores/employees/{me}?period={label}", headers=regency.as_("pegawai")
        )
        # The period's row exists from the SKP on (0 %): wait for the activity in it.
        return answer.status_code == 200 and (answer.json()["achievement"] or 0) > 0

    await wait_until(projected, timeout=60)

    def token(who: str, *roles: Role) -> str:
        header = bearer(tenant=regency.slug, roles=list(roles), employee_id=regency.people[who])
        return header["Authorization"].removeprefix("Bearer ")

    await use_session(page, stack.gateway_url, token("pegawai", Role.PEGAWAI))
    await page.goto(stack.gateway_url + "/pegawai/periode")
    await expect(page.locator("h1")).to_have_text("Periode Saya")
    rows = page.locator("#periods tbody tr")
    await expect(rows).to_have_count(12)  # monthly, the default cadence
    current = rows.nth(today.month - 1)
    await expect(current).to_contain_text("sekarang")
    await expect(current).to_contain_text("Belum dinilai")
    await expect(current.locator("td").nth(3)).not_to_have_text("0%")
    await current.locator("[data-period]").click()
    detail = page.locator("#period-detail tbody tr")
    await expect(detail).to_have_count(1)
    await expect(detail).to_contain_text("Dokumen KTP-el diterbitkan")
    await expect(detail.locator("td").nth(2)).to_have_text("7")
    await check_page(page, "pegawai-periode")

    await page.context.clear_cookies()
    await use_session(page, stack.gateway_url, token("atasan", Role.PEGAWAI, Role.ATASAN))
    await page.goto(stack.gateway_url + "/atasan/periode")
    await expect(page.locator("h1")).to_have_text("Tim per periode")
    await expect(page.locator("#team-period")).to_have_value(label)
    member = page.locator("#team-periods tbody tr", has_text="Pegawai")
    await expect(member).to_have_count(1)
    await expect(member.locator("a")).to_have_attribute("href", f"/atasan/pegawai?id={me}")
    await check_page(page, "atasan-periode")
