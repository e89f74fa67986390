"""Screenshots of the main pages, at desktop and phone width, from a running demo.

    bash scripts/demo.sh                      # in one terminal (or with --port-offset N)
    .venv/bin/python scripts/screenshots.py [--port-offset N] [--regency bantul]

Writes ``docs/screenshots/<page>-<desktop|phone>.png`` (the README shows them): the login
page, the employee's own page, the supervisor's team, the BKPSDM dashboard, the public
survey and complaint pages. Logs in through the login form as the demo's people (the
logins the demo prints), with Debian's Chromium (never a downloaded browser).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from playwright.async_api import Browser, async_playwright  # noqa: E402

from deploy.demo.accounts import DEMO_PASSWORD  # noqa: E402
from deploy.demo.plan import demo_plan  # noqa: E402
from deploy.demo.regencies import REGENCIES  # noqa: E402
from deploy.ports import available_services  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


async def shoot(
    browser: Browser, base: str, name: str, path: str, user: str | None, tenant: str
) -> None:
    for size, viewport in SIZES.items():
        context = await browser.new_context(viewport=viewport, locale="id-ID")
        page = await context.new_page()
        if user is not None:
            await page.goto(base + "/")
            await page.locator("#tenant").fill(tenant)
            await page.locator("#username").fill(user)
            await page.locator("#password").fill(DEMO_PASSWORD)
            await page.locator("#login-form button[type=submit]").click()
            await page.locator("#login-form").wait_for(state="hidden")
        await page.goto(base + path)
        await page.wait_for_load_state("networkidle")
        if name == "admin":  # last year: the closed one, with its final predikat
            last = str(date.today().year - 1)
            await page.locator("#year-select").select_option(last)
            await page.wait_for_load_state("networkidle")
        target = OUT / f"{name}-{size}.png"
        await page.screenshot(path=str(target), full_page=True)
        print(target.relative_to(ROOT))
        await context.close()


async def settled(base: str, slug: str, admin: str, timeout: float = 180.0) -> None:
    """Wait until scoring shows last year's final predikat (it follows the assessments'
    events): a picture of an empty curve right after "READY" would show nothing."""
    last = date.today().year - 1
    async with httpx.AsyncClient(base_url=base + "/api", timeout=30) as client:
        body = {"tenant": slug, "username": admin, "password": DEMO_PASSWORD}
        token = (await client.post("/identity/auth/login", json=body)).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            answer = await client.get("/scoring/scores/regency", params={"year": last})
            if answer.status_code == 200 and sum(answer.json()["predikat_distribution"].values()):
                return
            await asyncio.sleep(2)
    raise SystemExit(f"scoring shows no final predikat for {last} after {timeout:.0f}s")


async def main(offset: int, slug: str) -> None:
    base = f"http://127.0.0.1:{available_services(offset)['gateway']}"
    plan = demo_plan(next(p for p in REGENCIES if p.slug == slug))
    OUT.mkdir(parents=True, exist_ok=True)
    await settled(base, slug, plan.admin_username)
    pages = [
        ("login", "/", None),
        ("pegawai", "/pegawai", plan.person("staf_dafduk_3").nip),
        ("atasan", "/atasan", plan.person("kabid_dafduk").nip),
        ("admin", "/admin", plan.admin_username),
        ("pengaduan", f"/pengaduan/{slug}", None),
    ]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for name, path, user in pages:
                await shoot(browser, base, name, path, user, slug)
        finally:
            await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--port-offset", type=int, default=int(os.environ.get("KINERJA_PORT_OFFSET") or 0)
    )
    parser.add_argument("--regency", default="bantul")
    args = parser.parse_args()
    asyncio.run(main(args.port_offset, args.regency))
