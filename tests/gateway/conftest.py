"""The gateway's test resources.

``stack``: every service and the gateway as real uvicorn servers on free ports, talking
through real Kafka under one topic prefix, started once per session (each test registers
its own regency, so tests never see each other's data). ``gateway``: the gateway alone on
the test's database (SQLite and PostgreSQL), for its own endpoints. ``browser``: one
headless Chromium (Debian's) per session; ``page``: a fresh context per test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright
from sqlmodel import SQLModel

from services.common.orgchart import OrgEmployee, OrgTenant, OrgUnit
from services.common.runtime import Runtime
from services.gateway import app as gateway_app
from tests.gateway.harness import Regency, count, lone_gateway_settings, running_stack
from tests.support import wait_until

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Stack:
    urls: dict[str, str]
    apps: dict[str, Any]
    bootstrap: str
    prefix: str
    client: httpx.AsyncClient  # to the gateway

    @property
    def gateway_url(self) -> str:
        return self.urls["gateway"]

    def runtime(self, name: str) -> Runtime:
        runtime: Runtime = self.apps[name].state.runtime
        return runtime

    async def settled(self, regency: Regency) -> None:
        """Wait until the org chart reached the services that authorise with it."""
        expected: list[tuple[str, type[SQLModel], int]] = [
            ("targets", OrgEmployee, len(regency.people)),
            ("assessment", OrgEmployee, len(regency.people)),
            ("feedback", OrgUnit, 1),
            ("gateway", OrgUnit, 1),
            ("gateway", OrgTenant, 1),
        ]

        async def arrived() -> bool:
            for name, model, n in expected:
                where = {"slug": regency.slug} if model is OrgTenant else {"tenant": regency.slug}
                if await count(self.runtime(name), model, **where) < n:
                    return False
            return True

        await wait_until(arrived, timeout=60)


@pytest.fixture(scope="session")
async def stack(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    data = tmp_path_factory.mktemp("stack")
    async with (
        running_stack(kafka_bootstrap, data) as (urls, apps),
        httpx.AsyncClient(base_url=urls["gateway"], timeout=30) as client,
    ):
        yield Stack(
            urls=urls,
            apps=apps,
            bootstrap=kafka_bootstrap,
            prefix=apps["gateway"].state.runtime.settings.topic_prefix,
            client=client,
        )


@pytest.fixture
def gateway_settings(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> gateway_app.Settings:
    """The gateway on the test's database; no service behind it answers (closed ports)."""
    return lone_gateway_settings(database_url, kafka_bootstrap, topic_prefix)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser context (its own sessionStorage) with a phone-sized window; fails
    the test on any JavaScript error or Content-Security-Policy violation."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    tab = await context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    try:
        yield tab
    finally:
        await context.close()
    assert not problems, problems


async def use_session(page: Page, base_url: str, access_token: str) -> None:
    """Give the page's browser a session as the gateway's login would (the test forges
    the token: admin accounts here have no password to log in with)."""
    await page.context.add_cookies(
        [
            {
                "name": "kinerja_access",
                "value": access_token,
                "url": base_url,
                "httpOnly": True,
                "sameSite": "Strict",
            },
            {
                "name": "kinerja_csrf",
                "value": "csrf-" + access_token[-12:],
                "url": base_url,
                "sameSite": "Strict",
            },
        ]
    )


async def assert_no_token_readable(page: Page) -> None:
    """Scripts see no token: not in document.cookie, not in either web storage."""
    readable = await page.evaluate(
        """() => [document.cookie,
                  JSON.stringify(Object.assign({}, sessionStorage)),
                  JSON.stringify(Object.assign({}, localStorage))].join(" ")"""
    )
    assert "kinerja_access" not in readable and "kinerja_refresh" not in readable, readable
    assert "eyJ" not in readable, readable  # any JWT starts with a base64 "{\""
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert (
        cookies["kinerja_access"]["httpOnly"] and cookies["kinerja_access"]["sameSite"] == "Strict"
    )
