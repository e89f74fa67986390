"""The proxy's rules and the public pages, on the gateway alone (plus a tiny upstream
that echoes what it received)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.common.events import TenantRegistered, TenantSettings, UnitCreated, UnitKind
from services.common.orgchart import OrgUnit
from services.common.security import Role
from services.gateway.app import Settings, create_app
from tests.gateway.harness import count, echo_app, publish, run_servers
from tests.support import bearer, serve, wait_until

pytestmark = pytest.mark.kafka


@pytest.fixture
async def proxied(gateway_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with targets pointing at the echo app, every other service down."""
    async with run_servers({"echo": echo_app()}, ready_timeout=30) as urls:
        gateway_settings.targets_url = urls["echo"]
        async with serve(create_app(gateway_settings)) as client:
            yield client


async def test_requests_pass_through_with_the_callers_token_and_address(
    proxied: httpx.AsyncClient,
) -> None:
    headers = {**bearer(tenant="bantul", roles=[Role.PEGAWAI]), "Cookie": "s=1"}
    headers["X-Forwarded-For"] = "6.6.6.6"
    response = await proxied.post(
        "/api/targets/activities?limit=5&x=a%20b", json={"value": 3}, headers=headers
    )
    assert response.status_code == 201
    assert "set-cookie" not in response.headers
    seen = response.json()
    assert seen["method"] == "POST" and seen["path"] == "/api/v1/activities"
    assert seen["query"] == "limit=5&x=a+b"
    assert seen["body"] == '{"value":3}'
    assert seen["headers"]["authorization"] == headers["Authorization"]
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"  # the client, not its claim
    assert "cookie" not in seen["headers"]


async def test_failures_answer_clearly_and_never_500(proxied: httpx.AsyncClient) -> None:
    down = await proxied.get("/api/scoring/scores/team")
    assert down.status_code == 503
    assert "skor dan peringatan" in down.json()["detail"]
    failing = await proxied.get("/api/targets/boom")
    assert failing.status_code == 502 and "gangguan" in failing.json()["detail"]
    limited = await proxied.get("/api/targets/slow-down")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "9"
    for path in ("/api/nope/x", "/api/targets/%2E%2E/metrics", "/api/targets/a//b"):
        assert (await proxied.get(path)).status_code == 404, path


async def test_public_pages_know_the_regency_and_its_public_units(
    gateway_settings: Settings,
) -> None:
    app = create_app(gateway_settings)
    async with serve(app) as client:
        for path in ("/survey/bantul/abc", "/pengaduan/bantul", "/survey/BAD!/x"):
            unknown = await client.get(path)
            assert unknown.status_code == 404 and "tidak ditemukan" in unknown.text
        assert (await client.get("/api/gateway/public/bantul")).status_code == 404

        await publish(
            gateway_settings.kafka_bootstrap_servers,
            gateway_settings.topic_prefix,
            "bantul",
            TenantRegistered(
                name="Kabupaten Bantul", time_zone="Asia/Jakarta", settings=TenantSettings()
            ),
            UnitCreated(unit_id="u1", name="Dukcapil", kind=UnitKind.DINAS, serves_public=True),
            UnitCreated(unit_id="u2", name="Bappeda", kind=UnitKind.BADAN),
        )
        await wait_until(lambda: count(app.state.runtime, OrgUnit, tenant="bantul"), timeout=30)
        await wait_until(lambda: _has_units(client, 1))

        regency: dict[str, Any] = (await client.get("/api/gateway/public/bantul")).json()
        assert regency["name"] == "Kabupaten Bantul"
        assert regency["units"] == [{"unit_id": "u1", "name": "Dukcapil"}]
        page = await client.get("/pengaduan/bantul?unit=u1")
        assert page.status_code == 200
        assert "Dukcapil" in page.text and "Bappeda" not in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["referrer-policy"] == "no-referrer"
        survey = await client.get("/survey/bantul/tok<en>")
        assert survey.status_code == 200
        assert 'data-token="tok&lt;en&gt;"' in survey.text  # escaped, never markup
        for path in ("/", "/static/app.js", "/static/app.css"):
            assert (await client.get(path)).status_code == 200, path
        # Staff pages need a session (else the login page) and the page's role.
        for path in ("/pegawai", "/atasan", "/admin"):
            anonymous = await client.get(path, follow_redirects=False)
            assert anonymous.status_code == 303 and anonymous.headers["location"] == "/", path
        pegawai = _token(bearer(tenant="bantul", roles=[Role.PEGAWAI], employee_id="e1"))
        client.cookies.set("kinerja_access", pegawai)
        assert (await client.get("/pegawai")).status_code == 200
        refused = await client.get("/atasan")
        assert refused.status_code == 403 and "bukan untuk akun Anda" in refused.text
        client.cookies.set("kinerja_lang", "en")
        refused = await client.get("/admin")
        assert refused.status_code == 403 and "not for your account" in refused.text


def _token(header: dict[str, str]) -> str:
    return header["Authorization"].removeprefix("Bearer ")


async def test_a_browser_session_goes_upstream_as_a_bearer_token_in_its_language(
    proxied: httpx.AsyncClient,
) -> None:
    token = _token(bearer(tenant="bantul", roles=[Role.PEGAWAI]))
    proxied.cookies.update({"kinerja_access": token, "kinerja_csrf": "c1", "kinerja_lang": "en"})
    read = await proxied.get("/api/targets/activities")
    assert read.status_code == 201
    seen = read.json()["headers"]
    assert seen["authorization"] == f"Bearer {token}"
    assert seen["accept-language"] == "en"
    assert "cookie" not in seen
    # Writing by cookie needs the double-submitted token, and our own origin.
    refused = await proxied.post("/api/targets/activities", json={})
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    proxied.cookies.set("kinerja_lang", "id")
    refused = await proxied.post(
        "/api/targets/activities", json={}, headers={"X-CSRF-Token": "other"}
    )
    assert refused.status_code == 403 and "tidak sesuai" in refused.json()["detail"]
    foreign = await proxied.post(
        "/api/targets/activities",
        json={},
        headers={"X-CSRF-Token": "c1", "Origin": "http://evil.example"},
    )
    assert foreign.status_code == 403 and "evil.example" in foreign.json()["detail"]
    written = await proxied.post("/api/targets/activities", json={}, headers={"X-CSRF-Token": "c1"})
    assert written.status_code == 201
    assert written.json()["headers"]["accept-language"] == "id"


async def _has_units(client: httpx.AsyncClient, n: int) -> bool:
    response = await client.get("/api/gateway/public/bantul")
    return response.status_code == 200 and len(response.json()["units"]) == n
