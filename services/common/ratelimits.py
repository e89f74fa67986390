"""Where the ``limits`` counters live: the failed-login guard (identity) and the public
rate limits (feedback) read ``<PREFIX>RATE_LIMIT_STORAGE_URL``.

``memory://`` (the default) counts in the process: behind N instances every instance keeps
its own counters and a limit is really N times itself. ``redis://host:port/db`` (or
``rediss://`` with TLS, ``redis+unix:///path``) shares them, so a limit holds whichever
instance answers. The async side talks to Redis through redis-py (``implementation=
"redispy"``), the same client the sync side uses, so one pinned package serves both.
"""

from __future__ import annotations

from limits.aio.storage import Storage as AsyncStorage
from limits.storage import Storage, storage_from_string

SCHEMES = ("memory", "redis", "rediss", "redis+unix")


def checked_storage_url(url: str) -> str:
    """A settings validator: a scheme both the sync and the async side understand."""
    scheme = url.partition("://")[0]
    if "://" not in url or scheme not in SCHEMES:
        raise ValueError(
            f"rate limit storage {url!r}: use memory:// (one process) or redis://host:port/db "
            f"(shared by every instance); schemes: {', '.join(SCHEMES)}"
        )
    return url


def sync_storage(url: str) -> Storage:
    storage = storage_from_string(checked_storage_url(url))
    assert isinstance(storage, Storage)
    return storage


def async_storage(url: str) -> AsyncStorage:
    url = checked_storage_url(url)
    options = {} if url.startswith("memory") else {"implementation": "redispy"}
    storage = storage_from_string(f"async+{url}", **options)
    assert isinstance(storage, AsyncStorage)
    return storage
