"""``/api/<service>/<path>``: the browser's JSON calls, passed to the service's ``/api/v1``.

The caller's token travels upstream as ``Authorization: Bearer`` (each service verifies it
itself): an API client's own header, or the browser's session cookie (refreshed here when
it expired; see ``session``), whose state-changing requests must pass the CSRF check. The
reader's language goes as ``Accept-Language`` so refusals come back in it; the browser's
address goes in ``X-Forwarded-For``. A service that cannot be reached answers
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
from services.gateway.session import LANG_COOKIE, SessionError, authenticate, check_csrf, locale_of

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
    auth = await authenticate(request, gateway)
    try:
        check_csrf(request, auth)
    except SessionError as exc:
        return exc.response(locale_of(request))
    body = await request.body()
    headers = domain.forward_headers(request.headers, client_address(request))
    headers.pop("authorization", None)
    if auth.token:
        headers["authorization"] = f"Bearer {auth.token}"
    if auth.from_cookie or LANG_COOKIE in request.cookies:
        headers["accept-language"] = locale_of(request)
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
    response = Response(
        content=upstream.content,
        status_code=status,
        headers=domain.response_headers(upstream.headers),
    )
    return auth.apply(response, request, gateway)


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
