"""What the gateway's routes share: settings, upstream client, alert hub, templates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from fastapi import Request
from fastapi.templating import Jinja2Templates

from services.common.storage import SessionFactory
from services.gateway.live import AlertHub

if TYPE_CHECKING:
    from services.gateway.session import Refresher

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
STATIC_DIR = HERE / "static"
# Requests in flight to the services at once (GATEWAY_UPSTREAM_CONNECTIONS; httpx's own
# default of max_connections), each on a kept-alive connection of its own.
UPSTREAM_CONNECTIONS = 100


class _Released(httpx.AsyncByteStream):
    """A response body that gives its request's slot back once it is closed."""

    def __init__(self, inner: httpx.AsyncByteStream, slots: asyncio.Semaphore) -> None:
        self.inner, self.slots, self.open = inner, slots, True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            if self.open:
                self.open = False
                self.slots.release()


class BoundedTransport(httpx.AsyncHTTPTransport):
    """At most ``connections`` requests inside httpcore's pool; the rest wait here, in
    FIFO order, for as long as the pool timeout allows (then ``httpx.PoolTimeout``, as
    httpx itself would say).

    Why: httpcore matches every queued request against every connection whenever one is
    queued or freed, so with hundreds of requests waiting for 100 connections the
    gateway spent most of its CPU there and answered ever later
    (``bench.alert_latency``: 60 activity POSTs/s took 11.5 s at the median). A semaphore
    wait costs the same however many wait."""

    def __init__(self, connections: int) -> None:
        # Every connection kept alive: httpx keeps only 20 by default, so under load each
        # request beyond them opened (and the service accepted) a new TCP connection.
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        super().__init__(limits=limits)
        self.slots = asyncio.Semaphore(connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool_timeout = request.extensions.get("timeout", {}).get("pool")
        try:
            async with asyncio.timeout(pool_timeout):
                await self.slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no upstream connection free in time") from None
        try:
            response = await super().handle_async_request(request)
        except BaseException:
            self.slots.release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Released(response.stream, self.slots)
        return response


def upstream_client(timeout: float, connections: int = UPSTREAM_CONNECTIONS) -> httpx.AsyncClient:
    """The gateway's one client to the services."""
    return httpx.AsyncClient(timeout=timeout, transport=BoundedTransport(connections))


@dataclass
class Gateway:
    upstreams: dict[str, str]  # service name -> base URL
    sessions: SessionFactory
    hub: AlertHub
    jwt_secret: str | tuple[str, ...]  # verify only: current secret, then previous ones
    upstream_timeout: float
    stream_recheck_seconds: float
    client: httpx.AsyncClient | None = field(default=None)
    # None: Secure cookies exactly when the request came over TLS.
    cookie_secure: bool | None = None
    public_url: str = ""  # printed in the documents' verification QR; empty: the request's
    refresher: Refresher = field(default_factory=lambda: _refresher())
    upstream_connections: int = UPSTREAM_CONNECTIONS

    def http(self) -> httpx.AsyncClient:
        if self.client is None:  # outside the lifespan (never in a running app)
            self.client = upstream_client(self.upstream_timeout, self.upstream_connections)
        return self.client


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def _refresher() -> Refresher:
    from services.gateway.session import Refresher

    return Refresher()
