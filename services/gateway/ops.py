"""The ops page's one read: every service's readiness as the gateway sees it.

The services' ``/readyz`` answer with fixed reason codes (``ok``, ``down: unreachable``…),
never an exception's text, and nothing personal; the gateway asks each one and passes the
codes on to an ``ops`` or ``platform`` account. ``/metrics`` stays where it is (the gateway
serves its own to direct loopback callers only, see ``internal``): the page names where
Prometheus scrapes each one.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from services.common.api import errors
from services.common.refusals import Forbidden
from services.common.security import Role
from services.gateway.context import Gateway, gateway_of
from services.gateway.session import authenticate, caller_of

router = APIRouter(tags=["gateway"])
GatewayDep = Annotated[Gateway, Depends(gateway_of)]
READY_TIMEOUT_SECONDS = 3.0
# A reason code is short; anything else from an upstream is not passed on.
_CODE_MAX = 40


class ServiceStatus(BaseModel):
    service: str
    ready: bool
    checks: dict[str, str] = Field(description="check name -> `ok` or `down: <code>`")
    metrics_path: str = Field(description="where Prometheus scrapes it, on that service")


class OpsStatus(BaseModel):
    ready: bool
    services: list[ServiceStatus]


async def _ready(client: httpx.AsyncClient, name: str, base: str) -> ServiceStatus:
    try:
        answer = await client.get(base + "/readyz", timeout=READY_TIMEOUT_SECONDS)
        body = answer.json()
        raw = body.get("checks", {}) if isinstance(body, dict) else {}
        checks = {
            str(k)[:_CODE_MAX]: (str(v) if len(str(v)) <= _CODE_MAX else "down: error")
            for k, v in raw.items()
        }
        ready = answer.status_code == 200 and all(v == "ok" for v in checks.values())
    except (httpx.HTTPError, ValueError):
        checks, ready = {"service": "down: unreachable"}, False
    return ServiceStatus(service=name, ready=ready, checks=checks, metrics_path="/metrics")


@router.get(
    "/api/gateway/ops/status",
    response_model=OpsStatus,
    responses=errors(401, 403),
    summary="Every service's readiness codes (ops and platform accounts; nothing personal)",
)
async def ops_status(request: Request, response: Response, gateway: GatewayDep) -> OpsStatus:
    auth = await authenticate(request, gateway)
    auth.apply(response, request, gateway)
    principal = caller_of(auth.token, gateway.jwt_secret)
    if not (principal.has(Role.OPS) or principal.has(Role.PLATFORM)):
        raise Forbidden("only the operations team sees the services' status")
    return await status_of(gateway)


async def status_of(gateway: Gateway) -> OpsStatus:
    """Every upstream's readiness now (also the ops table's export)."""
    client = gateway.http()
    found = await asyncio.gather(
        *(_ready(client, name, base) for name, base in sorted(gateway.upstreams.items()))
    )
    return OpsStatus(ready=all(s.ready for s in found), services=list(found))
