"""What the public gateway does not show: its own metrics and API description (only to a
direct caller from an allowed address), and the services' ones (never through the proxy)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from services.gateway.app import Settings, create_app
from tests.gateway.harness import echo_app, run_servers
from tests.support import serve

pytestmark = pytest.mark.kafka

INTERNAL = ("/metrics", "/openapi.json", "/docs", "/redoc")


@dataclass
class Callers:
    local: httpx.AsyncClient  # Prometheus or an operator on the host
    public: httpx.AsyncClient  # a browser somewhere on the internet


@pytest.fixture
async def callers(gateway_settings: Settings) -> AsyncIterator[Callers]:
    async with run_servers({"echo": echo_app()}, ready_timeout=30) as urls:
        gateway_settings.targets_url = urls["echo"]
        app = create_app(gateway_settings)
        async with serve(app) as local:
            transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as public:
                yield Callers(local, public)


async def test_metrics_and_docs_only_for_a_direct_caller_from_an_allowed_address(
    callers: Callers,
) -> None:
    for path in INTERNAL:
        assert (await callers.local.get(path)).status_code == 200, path
        public = await callers.public.get(path)
        assert public.status_code == 404, (path, public.text[:200])
        # Relayed by a front proxy on the same host: the proxy's address is allowed, but
        # the request is a public one.
        relayed = await callers.local.get(path, headers={"X-Forwarded-For": "198.51.100.4"})
        assert relayed.status_code == 404, path
    assert "kinerja_outbox_backlog" in (await callers.local.get("/metrics")).text
    # Everything else is still public.
    assert (await callers.public.get("/")).status_code == 200
    assert (await callers.public.get("/healthz")).status_code == 200


async def test_the_services_metrics_and_docs_are_not_reachable_through_the_proxy(
    callers: Callers,
) -> None:
    # Whatever follows /api/<service>/ lands under the service's /api/v1/, where none of
    # its metrics or docs live.
    for path in INTERNAL:
        echoed = await callers.public.get("/api/targets" + path)
        assert echoed.status_code == 201
        assert echoed.json()["path"] == "/api/v1" + path
    for attempt in (
        "/api/targets/%2E%2E/%2E%2E/metrics",
        "/api/targets/..%2F..%2Fopenapi.json",
        "/api/targets/v1/..%5C..%5Cdocs",
    ):
        refused = await callers.public.get(attempt)
        assert refused.status_code == 404, (attempt, refused.text)
        assert "no such API" in refused.json()["detail"]
