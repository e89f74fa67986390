"""Keeps the gateway's operator endpoints (``/metrics``, ``/docs``, ``/openapi.json``,
``/redoc``) off the public face: answered only for a direct caller from an allowed
address. A plain ASGI middleware, so the alert stream passes through untouched."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway import domain


class InternalOnly:
    def __init__(self, app: ASGIApp, allowed: Sequence[IPv4Network | IPv6Network]) -> None:
        self.app = app
        self.allowed = list(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in domain.INTERNAL_PATHS:
            client = scope.get("client")
            forwarded = any(name == b"x-forwarded-for" for name, _ in scope["headers"])
            peer = client[0] if client else None
            if not domain.internal_caller(peer, forwarded, self.allowed):
                # 404, as for any unknown path: nothing here for the public.
                await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)
