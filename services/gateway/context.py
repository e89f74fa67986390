"""What the gateway's routes share: settings, upstream client, alert hub, templates."""

from __future__ import annotations

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

    def http(self) -> httpx.AsyncClient:
        if self.client is None:  # outside the lifespan (never in a running app)
            self.client = httpx.AsyncClient(timeout=self.upstream_timeout)
        return self.client


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def _refresher() -> Refresher:
    from services.gateway.session import Refresher

    return Refresher()
