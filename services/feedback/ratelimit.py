"""Per-address rate limits on the public endpoints (``limits``, moving window).

The limit is counted before the body is validated, so malformed floods are limited too.
Behind the gateway, set ``trusted_proxies`` (1) so the citizen's address (the hop the
gateway wrote in ``X-Forwarded-For``) is counted, not the gateway's. The counters live in
``FEEDBACK_RATE_LIMIT_STORAGE_URL``'s storage: in memory, one counter per instance; in
Redis, one for all of them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from services.common.api import client_address
from services.common.refusals import TooManyRequests

Bucket = Literal["submit", "read"]


class PublicRateLimiter:
    def __init__(
        self,
        *,
        submit: str,
        read: str,
        trusted_proxies: int = 0,
        limiter: MovingWindowRateLimiter | None = None,
    ) -> None:
        self._limiter = limiter or MovingWindowRateLimiter(MemoryStorage())
        self._items: dict[Bucket, RateLimitItem] = {"submit": parse(submit), "read": parse(read)}
        self._trusted_proxies = trusted_proxies

    def address(self, request: Request) -> str:
        return client_address(request, trusted_proxies=self._trusted_proxies)

    async def check(self, request: Request, bucket: Bucket) -> None:
        item = self._items[bucket]
        address = self.address(request)
        if await self._limiter.hit(item, bucket, address):
            return
        stats = await self._limiter.get_window_stats(item, bucket, address)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            "too many requests from this address (limit {limit}); retry in {seconds} s",
            limit=str(item),
            seconds=retry_after,
            headers={"Retry-After": str(retry_after)},
        )


def rate_limited(bucket: Bucket) -> Callable[[Request], Awaitable[None]]:
    """A route dependency that counts the request against the caller's address."""

    async def check(request: Request) -> None:
        limiter: PublicRateLimiter = request.app.state.rate_limiter
        await limiter.check(request, bucket)

    return check
