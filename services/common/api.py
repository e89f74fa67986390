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
