"""What the gateway's routes share: settings, upstream client, alert hub, templates."""

from __future__ import annotations

import asyncio
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
# Requests in flight to the services at once (GATEWAY_UPSTREAM_CONNECTIONS), each on a
# kept-alive connection of its own.
UPSTREAM_CONNECTIONS = 64


def upstream_client(timeout: float, connections: int = UPSTREAM_CONNECTIONS) -> httpx.AsyncClient:
    """The client to the services. Every connection is kept alive (httpx keeps 20 by
    default and closes the rest after each request: a TCP connect per request beyond 20
    in flight, on both sides)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=timeout, limits=limits)


TEMPLATES = Jinja2Templates(directory=HERE / "templates")
STATIC_DIR = HERE / "static"


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
    # Admits at most ``upstream_connections`` requests into the client's pool. httpcore's
    # pool re-scans every waiting request against every connection whenever one frees:
    # with hundreds waiting under load that scan took most of the gateway's CPU
    # (bench/http_scale); waiting here costs nothing per waiter.
    slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.upstream_connections)

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
