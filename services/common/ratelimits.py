"""Where the ``limits`` counters live: the failed-login guard (identity) and the public
rate limits (feedback) read ``<PREFIX>RATE_LIMIT_STORAGE_URL``.

``memory://`` (the default) counts in the process: behind N instances every instance keeps
its own counters and a limit is really N times itself. ``redis://host:port/db`` (or
``rediss://`` with TLS, ``redis+unix:///path``) shares them, so a limit holds whichever
instance answers. The async side talks to Redis through redis-py (``implementation=
"redispy"``), the same client the sync side uses, so one pinned package serves both.

While the shared storage cannot be reached, the limiters count in this process instead
(logged once per outage): a login or a survey answer must not fail because a counter
store is down, and per-instance limits are what a single instance had anyway. The outage
shows in /readyz under ``optional`` and in ``kinerja_optional_check{check=
"rate_limit_storage"}`` (``reachable``), never failing readiness.
"""

from __future__ import annotations

import asyncio
import logging

from limits import RateLimitItem, WindowStats
from limits import aio as limits_aio
from limits import strategies as limits_sync
from limits.aio.storage import MemoryStorage as AsyncMemoryStorage
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string

from services.common.observability import NotReady

log = logging.getLogger(__name__)

SCHEMES = ("memory", "redis", "rediss", "redis+unix")


def is_shared(url: str) -> bool:
    """Whether the storage is outside the process (worth a check and a metric)."""
    return not url.startswith("memory")


def checked_storage_url(url: str) -> str:
    """A settings validator: a scheme both the sync and the async side understand."""
    scheme = url.partition("://")[0]
    if "://" not in url or scheme not in SCHEMES:
        raise ValueError(
            f"rate limit storage {url!r}: use memory:// (one process) or redis://host:port/db "
            f"(shared by every instance); schemes: {', '.join(SCHEMES)}"
        )
    return url


class _Outage:
    """Logs the first failure of an outage and the first success after it."""

    def __init__(self, url: str) -> None:
        self.url, self.down = url, False

    def failed(self, error: StorageError) -> None:
        if not self.down:
            log.warning(
                "rate limit storage %s unreachable (%s): counting in this process until "
                "it answers again",
                self.url,
                error.storage_error,
            )
        self.down = True

    def answered(self) -> None:
        if self.down:
            log.warning("rate limit storage %s answers again: counters shared again", self.url)
        self.down = False


class SharedLimiter(limits_sync.MovingWindowRateLimiter):
    """The moving-window limiter on the configured storage, in memory while it is down."""

    def __init__(self, url: str) -> None:
        super().__init__(storage_from_string(checked_storage_url(url), wrap_exceptions=True))
        self._local = limits_sync.MovingWindowRateLimiter(MemoryStorage())
        self._outage = _Outage(url)

    async def reachable(self) -> None:
        """An optional check: the shared storage answers (in a thread: redis-py blocks)."""
        if not await asyncio.to_thread(self.storage.check):
            raise NotReady("unreachable")

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        try:
            allowed = super().hit(item, *identifiers, cost=cost)
        except StorageError as error:
            self._outage.failed(error)
            return self._local.hit(item, *identifiers, cost=cost)
        self._outage.answered()
        return allowed

    def test(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        try:
            return super().test(item, *identifiers, cost=cost)
        except StorageError as error:
            self._outage.failed(error)
            return self._local.test(item, *identifiers, cost=cost)

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        try:
            return super().get_window_stats(item, *identifiers)
        except StorageError as error:
            self._outage.failed(error)
            return self._local.get_window_stats(item, *identifiers)

    def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        self._local.clear(item, *identifiers)
        try:
            super().clear(item, *identifiers)
        except StorageError as error:
            self._outage.failed(error)


class AsyncSharedLimiter(limits_aio.strategies.MovingWindowRateLimiter):
    """:class:`SharedLimiter` for asyncio (what the public endpoints use: hit, stats)."""

    def __init__(self, url: str) -> None:
        url = checked_storage_url(url)
        options = {} if url.startswith("memory") else {"implementation": "redispy"}
        storage = storage_from_string(f"async+{url}", wrap_exceptions=True, **options)
        super().__init__(storage)
        self._local = limits_aio.strategies.MovingWindowRateLimiter(AsyncMemoryStorage())
        self._outage = _Outage(url)

    async def reachable(self) -> None:
        """An optional check: the shared storage answers."""
        if not await self.storage.check():
            raise NotReady("unreachable")

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        try:
            allowed = await super().hit(item, *identifiers, cost=cost)
        except StorageError as error:
            self._outage.failed(error)
            return await self._local.hit(item, *identifiers, cost=cost)
        self._outage.answered()
        return allowed

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        try:
            return await super().get_window_stats(item, *identifiers)
        except StorageError as error:
            self._outage.failed(error)
            return await self._local.get_window_stats(item, *identifiers)
