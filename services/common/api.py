"""HTTP conventions every service shares: error bodies, documented error responses, pages."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, Field

T = TypeVar("T")


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


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="items matching the filters, over all pages")
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


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
