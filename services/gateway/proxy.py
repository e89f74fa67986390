"""``/api/<service>/<path>``: the browser's JSON calls, passed to the service's ``/api/v1``.

The Authorization header travels unchanged (each service verifies the token itself); the
browser's address goes in ``X-Forwarded-For``. A service that cannot be reached answers
503 with a reason a person can read, one that fails answers 502; never a 500.
"""

from __future__ import annotations

import logging
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from services.common.api import client_address, errors
from services.gateway import domain
from services.gateway.context import Gateway, gateway_of

log = logging.getLogger(__name__)

router = APIRouter(tags=["proxy"])
GatewayDep = Annotated[Gateway, Depends(gateway_of)]
# Bodies are capped by the kernel's BodyLimit middleware while they stream in (1 MiB, the
# gateway's ``max_body_bytes``); identity's CSV import may send more.
IMPORT_PATHS = r"^/api/identity/import/"


def problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def proxy(service: str, path: str, request: Request, gateway: GatewayDep) -> Response:
    target = domain.upstream_path(path)
    if service not in gateway.upstreams or target is None:
        return problem(404, f"no such API: /api/{service}/{path}")
    # Read under the BodyLimit cap: over it, reading stops at once with 413.
    body = await request.body()
    headers = domain.forward_headers(request.headers, client_address(request))
    url = gateway.upstreams[service].rstrip("/") + target
    try:
        upstream = await gateway.http().request(
            request.method,
            url,
            params=list(request.query_params.multi_items()),
            content=body,
            headers=headers,
        )
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
        log.warning("upstream %s unreachable: %s", service, exc)
        return problem(503, domain.unavailable_detail(service))
    except httpx.TimeoutException as exc:
        log.warning("upstream %s timed out: %s", service, exc)
        return problem(503, domain.unavailable_detail(service))
    except httpx.HTTPError as exc:
        log.warning("upstream %s failed: %s", service, exc)
        return problem(502, domain.failed_detail(service))
    status = domain.gateway_status(upstream.status_code)
    if status != upstream.status_code:
        log.warning("upstream %s answered %s for %s", service, upstream.status_code, target)
        return problem(status, domain.failed_detail(service))
    return Response(
        content=upstream.content,
        status_code=status,
        headers=domain.response_headers(upstream.headers),
    )


# One route per method: a route with several methods gets one operation id for all of them
# in OpenAPI, and clients generated from it collide.
for _method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
    router.add_api_route(
        "/api/{service}/{path:path}",
        proxy,
        methods=[_method],
        operation_id=f"proxy_{_method.lower()}",
        response_class=Response,
        responses={
            200: {"description": "the service's answer, passed through"},
            **errors(404, 413),
            502: {"description": "the service failed"},
            503: {"description": "the service cannot be reached"},
        },
        summary="Call a service's /api/v1 (identity, targets, assessment, feedback, scoring)",
    )
