"""HTTP conventions every service shares: error bodies, documented error responses, pages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages live in their own module; these names stay importable from here.
from services.common.i18n import LocaleCode, negotiate, translate
from services.common.pagination import Page, PageParams, page_params
from services.common.refusals import install_refusals

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
    """What every service answers beyond its own routes: every refusal of the kernel's
    family as its 4xx in the caller's language, a 405 whose ``Allow`` lists every
    method of the path, and an OpenAPI that documents the 400 FastAPI answers to a body it
    cannot parse."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    install_refusals(app)
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


# A 422 item's ``msg`` in the caller's language, by pydantic's error ``type``; the
# placeholders are the item's ``ctx``. A type not listed keeps pydantic's own (English)
# message, as do English callers: the templates below are for other languages.
VALIDATION_MESSAGES: dict[str, str] = {
    "missing": "required",
    "string_too_short": "at least {min_length} characters",
    "string_too_long": "at most {max_length} characters",
    "too_short": "at least {min_length} items",
    "too_long": "at most {max_length} items",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "literal_error": "must be one of: {expected}",
    "enum": "must be one of: {expected}",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_type": "must be a date (YYYY-MM-DD)",
    "datetime_parsing": "must be a date and time",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be yes or no (true or false)",
    "string_type": "must be text",
    "string_pattern_mismatch": "does not have the expected form",
    "extra_forbidden": "is not a known field",
    "json_invalid": "the body is not valid JSON",
    "uuid_parsing": "must be an identifier (UUID)",
    "email_invalid": "is not a valid e-mail address",
}


def validation_message(item: dict[str, Any], locale: LocaleCode) -> str:
    """The item's message in ``locale``: its type's template with its ``ctx``."""
    template = VALIDATION_MESSAGES.get(str(item.get("type")))
    if template is None or locale == "en":
        return str(item.get("msg", ""))
    ctx = item.get("ctx") or {}
    params: dict[str, str | int | float] = {k: _number_or_text(v) for k, v in ctx.items()}
    expected = params.get("expected")
    if isinstance(expected, str):  # pydantic writes "'a', 'b' or 'c'"
        params["expected"] = expected.replace("'", "").replace(" or ", ", ")
    return translate(template, params, locale)


def _number_or_text(value: Any) -> str | int | float:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a float field's bound 1.0 reads as 1
    return value if isinstance(value, int | float) else str(value)


async def _validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 list (``loc``, ``type``, ``ctx`` kept for the page to place each item
    by its field) with ``msg`` in the caller's language."""
    assert isinstance(exc, RequestValidationError)
    locale = negotiate(request.headers.get("accept-language"))
    items = jsonable_encoder(exc.errors())
    for item in items:
        item["msg"] = validation_message(item, locale)
    return JSONResponse({"detail": items}, status_code=422)


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


MAX_ADDRESS_LENGTH = 64  # longer than any IPv6 text form; bounds a rate-limit key


def forwarded_client(peer: str | None, forwarded_for: str | None, trusted_proxies: int) -> str:
    """The client's address, given the connection's peer and ``X-Forwarded-For``.

    Each proxy appends the address it received the request from, so the chain read from
    the right is: the peer, then what each trusted proxy wrote. Anything further left was
    written by the client itself and could be anything, so the client is the entry
    ``trusted_proxies`` hops left of the peer (rightmost-first), never the leftmost. With
    no trusted proxy the header is ignored. A chain shorter than that (a request that did
    not pass every proxy) gives its leftmost entry.
    """
    chain = [peer or "unknown"]
    if trusted_proxies > 0 and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",")]
        chain = [h for h in hops if h] + chain
    index = max(0, len(chain) - 1 - trusted_proxies)
    return chain[index][:MAX_ADDRESS_LENGTH]


def client_address(request: Request, *, trusted_proxies: int | None = None) -> str:
    """The address a request came from, for per-address limits.

    Behind the gateway every request comes from the gateway's address; the gateway puts the
    browser's address in ``X-Forwarded-For``. How many hops of that header are believed is
    the service's ``trusted_proxies`` setting (0: none, the peer is the client; 1: behind
    the gateway alone, which must then be the only way in, since anyone else could write
    the header).
    """
    if trusted_proxies is None:
        trusted_proxies = int(getattr(request.app.state, "trusted_proxies", 0))
    peer = request.client.host if request.client else None
    return forwarded_client(peer, request.headers.get("x-forwarded-for"), trusted_proxies)


# ---------------------------------------------------------------- request body cap

DEFAULT_MAX_BODY_BYTES = 1 << 20


class BodyTooLarge(HTTPException):
    """A request body over its cap. An ``HTTPException`` so that FastAPI, which turns any
    other error while reading a body into 400, answers it as the 413 it is."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """ASGI middleware: refuse a request body over ``max_bytes`` with 413 before the app
    parses it: at once when Content-Length says so, else as soon as the bytes read so far
    (a chunked body has no Content-Length) pass the cap; never more than that is buffered.
    ``larger`` gives a bigger cap to paths matching a regular expression (CSV imports)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: Sequence[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = [(re.compile(pattern), limit) for pattern, limit in larger]

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.larger:
            if pattern.search(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit, scope, send)
            return
        received = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, watched_send)
        except BodyTooLarge:
            # Read by code outside FastAPI's body parsing (a plain Starlette route).
            if started:
                raise
            await _too_large(limit, scope, send)


async def _too_large(limit: int, scope: Scope, send: Send) -> None:
    response = JSONResponse({"detail": BodyTooLarge(limit).detail}, status_code=413)
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
