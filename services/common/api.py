"""HTTP conventions every service shares: error bodies, documented error responses, pages."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from pydantic import BaseModel, BeforeValidator, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

# Pages live in their own module; these names stay importable from here.
from services.common.pagination import Page, PageParams, page_params

__all__ = [
    "IsoDate",
    "Page",
    "PageParams",
    "Problem",
    "client_address",
    "errors",
    "install_http_semantics",
    "page_params",
]


class Problem(BaseModel):
    """Every 4xx answer: a reason a person can act on."""

    detail: str | list[dict[str, Any]] = Field(description="why the request was refused")


_DESCRIPTIONS = {
    400: "The request breaks a rule (the reason says which)",
    401: "Missing, expired or forged token",
    403: "Your role may not do this",
    404: "Not found in your tenant",
    409: "Conflicts with the current state",
    413: "Too large",
    422: "The body or a parameter fails validation",
    429: "Too many requests from this address; retry later",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error codes it may answer, documented in OpenAPI."""
    return {code: {"model": Problem, "description": _DESCRIPTIONS[code]} for code in codes}


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    # pydantic's lax date also takes "0" (the Unix epoch) and datetimes: a filter given
    # one of those was a mistake, not a date.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
"""A date query parameter: ``YYYY-MM-DD`` and nothing else."""

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
UNPARSABLE_BODY = "The body cannot be parsed (not UTF-8, or not the declared content type)"


def install_http_semantics(app: FastAPI) -> None:
    """What every service answers beyond its own routes: a 405 whose ``Allow`` lists every
    method of the path, and an OpenAPI that documents the 400 FastAPI answers to a body it
    cannot parse."""
    app.add_exception_handler(HTTPException, _http_error)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _document_unparsable_bodies(generate())
        return generate()

    app.openapi = openapi  # type: ignore[method-assign]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = await http_exception_handler(request, exc)
    if exc.status_code == 405:
        allowed = _documented_methods(request) or _routed_methods(request)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
    return response


def _documented_methods(request: Request) -> list[str]:
    """The methods the OpenAPI documents for the most specific path template matching the
    request (``/skp/copy`` rather than ``/skp/{skp_id}``, which matches it too)."""
    path = request.scope["path"]
    best: tuple[int, dict[str, Any]] | None = None
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and (best is None or template.count("{") < best[0]):
            best = (template.count("{"), operations)
    return [m for m in _METHODS if best is not None and m.lower() in best[1]]


def _routed_methods(request: Request) -> list[str]:
    """The methods some route answers for the path (Starlette's own 405 lists those of
    the first matching route only; the same path often has one route per method).
    Asking the router method by method also sees routes nested in included routers."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


def _document_unparsable_bodies(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema())
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault(
                    "400",
                    {
                        "description": UNPARSABLE_BODY,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                    },
                )


def client_address(request: Request, *, trust_forwarded_for: bool | None = None) -> str:
    """The address a request came from, for per-address limits.

    Behind the gateway every request comes from the gateway's address; the gateway puts the
    browser's address first in ``X-Forwarded-For``. That header is believed only when the
    service's ``trust_forwarded_for`` setting says the service is reachable from the
    gateway alone (anyone else could write the header).
    """
    if trust_forwarded_for is None:
        trust_forwarded_for = bool(getattr(request.app.state, "trust_forwarded_for", False))
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.client.host if request.client else "unknown"
