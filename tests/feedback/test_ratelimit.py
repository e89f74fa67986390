"""The per-address limiter of the public endpoints, without a server."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from services.common.refusals import TooManyRequests
from services.feedback.ratelimit import PublicRateLimiter

pytestmark = pytest.mark.unit


def request(client: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (client, 5000), "headers": headers})


async def test_each_address_has_its_own_budget_per_bucket() -> None:
    limiter = PublicRateLimiter(submit="2/minute", read="1/minute")
    for _ in range(2):
        await limiter.check(request("10.0.0.1"), "submit")
    with pytest.raises(TooManyRequests) as refused:
        await limiter.check(request("10.0.0.1"), "submit")
    assert refused.value.status == 429
    assert 1 <= int(refused.value.headers["Retry-After"]) <= 60  # type: ignore[index]
    await limiter.check(request("10.0.0.2"), "submit")  # another citizen
    await limiter.check(request("10.0.0.1"), "read")  # another bucket


def test_forwarded_address_only_behind_a_trusted_proxy() -> None:
    spoofed = request("192.0.2.9", forwarded="203.0.113.5, 10.0.0.1")
    assert PublicRateLimiter(submit="1/second", read="1/second").address(spoofed) == "192.0.2.9"
    trusted = PublicRateLimiter(submit="1/second", read="1/second", trusted_proxies=1)
    # The hop the trusted proxy wrote (rightmost), not what the client claimed before it.
    assert trusted.address(spoofed) == "10.0.0.1"
    assert trusted.address(request("192.0.2.9")) == "192.0.2.9"
