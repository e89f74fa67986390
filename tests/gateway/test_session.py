"""The browser's session: HttpOnly cookies set by the gateway from identity's login,
CSRF on state-changing requests, silent refresh, logout; against every service running."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.common.security import Role, issue_token
from services.common.settings import DEVELOPMENT_JWT_SECRET
from tests.gateway.conftest import Stack
from tests.gateway.harness import PASSWORD, Regency, call, register_regency

pytestmark = pytest.mark.kafka

NEW_PASSWORD = "sandi-baru-789"


async def ready_regency(stack: Stack, offset: int) -> Regency:
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", offset)
    await stack.settled(regency)
    return regency


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name, lowercased."""
    return {
        value.split("=", 1)[0]: value.lower() for value in response.headers.get_list("set-cookie")
    }


@contextlib.asynccontextmanager
async def logged_in(
    stack: Stack, regency: Regency, who: str = "pegawai"
) -> AsyncIterator[httpx.AsyncClient]:
    """A client (a browser's cookie jar) logged in through the gateway, first password
    changed through the session's own endpoint."""
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        await _log_in(client, regency, who)
        yield client


async def _log_in(client: httpx.AsyncClient, regency: Regency, who: str) -> None:
    body = {"tenant": regency.slug, "username": regency.nips[who], "password": PASSWORD}
    opened = await client.post("/api/gateway/session", json=body)
    assert opened.status_code == 200, opened.text
    assert opened.json()["must_change_password"] is True
    changed = await client.post(
        "/api/gateway/session/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": client.cookies["kinerja_csrf"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False


async def test_login_sets_http_only_strict_cookies_and_answers_the_profile(stack: Stack) -> None:
    regency = await ready_regency(stack, 60)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        wrong = {"tenant": regency.slug, "username": regency.nips["atasan"], "password": "x"}
        refused = await client.post("/api/gateway/session", json=wrong)
        assert refused.status_code == 401
        assert "set-cookie" not in refused.headers
        body = {"tenant": regency.slug, "username": regency.nips["atasan"], "password": PASSWORD}
        opened = await client.post("/api/gateway/session", json=body)
        assert opened.status_code == 200, opened.text
        profile = opened.json()
        assert profile == {
            "name": "Atasan " + regency.slug.title(),
            "roles": ["atasan", "pegawai"],
            "tenant": regency.slug,
            "tenant_name": regency.name,
            "employee_id": regency.people["atasan"],
            "must_change_password": True,
            "locale": "id",
        }
        assert "token" not in opened.text
        cookies = set_cookies(opened)
        for name in ("kinerja_access", "kinerja_refresh"):
            assert "httponly" in cookies[name] and "samesite=strict" in cookies[name]
            assert "path=/" in cookies[name] and "secure" not in cookies[name]
        assert "httponly" not in cookies["kinerja_csrf"]  # the page echoes it
        # Over TLS (as the front proxy tells uvicorn), the cookies are Secure.
        tls = await client.post(
            "/api/gateway/session", json=body, headers={"X-Forwarded-Proto": "https"}
        )
        assert all("; secure" in c for c in set_cookies(tls).values())
        # Each login gives a new CSRF value: one planted before it is worth nothing.
        assert tls.cookies["kinerja_csrf"] != opened.cookies["kinerja_csrf"]


async def test_state_changing_requests_need_the_csrf_header_and_our_origin(stack: Stack) -> None:
    regency = await ready_regency(stack, 70)
    async with logged_in(stack, regency) as client:
        me = await client.get("/api/identity/me")  # the cookie alone; GET needs no CSRF
        assert me.status_code == 200, me.text
        assert me.json()["employee"]["id"] == regency.people["pegawai"]
        activity: dict[str, Any] = {"note": "x"}
        missing = await client.post("/api/targets/activities", json=activity)
        assert missing.status_code == 403
        assert "X-CSRF-Token" in missing.json()["detail"] or "CSRF" in missing.text
        wrong = await client.post(
            "/api/targets/activities", json=activity, headers={"X-CSRF-Token": "guess"}
        )
        assert wrong.status_code == 403
        csrf = client.cookies["kinerja_csrf"]
        foreign = await client.post(
            "/api/targets/activities",
            json=activity,
            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
        assert "evil.example" in foreign.json()["detail"]
        # With both, the request reaches targets (which judges the body: 422, not 403),
        # in the reader's language.
        client.cookies.set("kinerja_lang", "id")
        passed = await client.post(
            "/api/targets/activities",
            json=activity,
            headers={"X-CSRF-Token": csrf, "Origin": stack.gateway_url},
        )
        assert passed.status_code == 422, passed.text
        # An API client with its own Authorization header carries no ambient credential.
        api = await stack.client.post(
            "/api/targets/activities", json=activity, headers=regency.as_("pegawai")
        )
        assert api.status_code == 422


async def test_an_expired_access_cookie_is_refreshed_once_for_concurrent_requests(
    stack: Stack,
) -> None:
    regency = await ready_regency(stack, 80)
    async with logged_in(stack, regency) as client:
        expired = issue_token(
            secret=DEVELOPMENT_JWT_SECRET,
            user_id="u",
            tenant=regency.slug,
            roles=[Role.PEGAWAI],
            employee_id=regency.people["pegawai"],
            lifetime=timedelta(seconds=-5),
        )
        old_refresh = client.cookies["kinerja_refresh"]
        client.cookies.set("kinerja_access", expired)
        # A page's burst of requests: identity would revoke every session on a second use
        # of the same refresh token, so the gateway refreshes once for all of them.
        answers = await asyncio.gather(*(client.get("/api/identity/me") for _ in range(4)))
        assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
        renewed = {a.cookies.get("kinerja_access") for a in answers}
        assert len(renewed) == 1 and None not in renewed and expired not in renewed
        assert client.cookies["kinerja_refresh"] != old_refresh
        again = await client.get("/api/gateway/session")
        assert again.status_code == 200 and again.json()["employee_id"]


async def test_logout_revokes_the_refresh_token_and_clears_the_cookies(stack: Stack) -> None:
    regency = await ready_regency(stack, 90)
    async with logged_in(stack, regency) as client:
        refresh_token = client.cookies["kinerja_refresh"]
        no_csrf = await client.delete("/api/gateway/session")
        assert no_csrf.status_code == 403
        closed = await client.delete(
            "/api/gateway/session", headers={"X-CSRF-Token": client.cookies["kinerja_csrf"]}
        )
        assert closed.status_code == 204
        cleared = set_cookies(closed)
        assert all('=""' in c or "max-age=0" in c for c in cleared.values()), cleared
        assert not client.cookies.get("kinerja_access")
        await call(
            stack.client,
            "POST",
            "/api/identity/auth/refresh",
            {},
            401,
            json={"refresh_token": refresh_token},
        )
        assert (await client.get("/api/gateway/session")).status_code == 401
        page = await client.get("/pegawai", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/"
