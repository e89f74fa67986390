"""Plain HTTP to the services, as the demo's people use them, and the waiting around it.

:class:`Api` raises :class:`DemoError` with the service's answer when a step is refused;
:func:`until` and :func:`retry_while` wait for the event-fed services to catch up;
:func:`parallel` runs one step for many people at once (the services do the work).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from deploy.demo.accounts import DEMO_PASSWORD, INITIAL_PASSWORD

# Every service serves its API under this prefix (each declares it in its own api.py).
API = "/api/v1"
WORKERS = 6

T = TypeVar("T")
R = TypeVar("R")


class DemoError(RuntimeError):
    """A service refused a demo step: the answer says why."""


def parallel(fn: Callable[[T], R], items: Iterable[T], workers: int = WORKERS) -> list[R]:
    """``fn`` over ``items`` in threads (the services do the work); first error raised."""
    items = list(items)
    if len(items) <= 1:
        return [fn(i) for i in items]
    pool = ThreadPoolExecutor(max_workers=min(workers, len(items)))
    try:
        return list(pool.map(fn, items))
    finally:
        # Not ``with``: on Ctrl-C the launcher must get control back at once to stop the
        # services (the threads then fail fast on closed ports), not wait for every call.
        pool.shutdown(wait=False, cancel_futures=True)


class Api:
    """Plain HTTP to the services, with the errors that a person would need to see."""

    def __init__(self, ports: dict[str, int], *, timeout: float = 60.0) -> None:
        self.ports = ports
        self.clients = {
            name: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout)
            for name, port in ports.items()
        }
        self._citizens: dict[str, httpx.Client] = {}
        self._next_address = itertools.count()
        self._lock = threading.Lock()

    def close(self) -> None:
        for client in [*self.clients.values(), *self._citizens.values()]:
            client.close()

    def request(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None = None,
        *,
        ok: Sequence[int] = (200, 201, 204),
        client: httpx.Client | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = (client or self.clients[service]).request(
                method, API + path, headers=headers, **kwargs
            )
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError):
            # A kept-alive connection the busy server closed as the request left (reset by
            # peer): sent again once. At worst a demo activity is logged twice.
            try:
                response = (client or self.clients[service]).request(
                    method, API + path, headers=headers, **kwargs
                )
            except httpx.HTTPError as exc:
                raise DemoError(f"{method} {service} {path}: {exc!r}") from None
        except httpx.HTTPError as exc:
            raise DemoError(f"{method} {service} {path}: {exc!r}") from None
        if response.status_code not in ok:
            raise DemoError(
                f"{method} {service} {path} answered {response.status_code}: {response.text[:400]}"
            )
        return response

    def call(
        self, service: str, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> Any:
        response = self.request(service, method, path, token, **kwargs)
        return response.json() if response.content else None

    def items(self, service: str, path: str, token: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paged list (``limit``/``offset`` pages of the kernel's size)."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.call(
                service, "GET", path, token, params={**params, "limit": 500, "offset": len(found)}
            )
            found.extend(page["items"])
            if not page["items"] or len(found) >= page["total"]:
                return found

    def citizen(self) -> httpx.Client:
        """A client from another loopback address: each citizen has their own address, and
        the public endpoints limit requests per address."""
        with self._lock:
            n = next(self._next_address) % 200
            address = f"127.0.{1 + n // 250}.{2 + n % 250}"
            if address not in self._citizens:
                self._citizens[address] = httpx.Client(
                    base_url=f"http://127.0.0.1:{self.ports['feedback']}",
                    transport=httpx.HTTPTransport(local_address=address),
                    timeout=30,
                )
            return self._citizens[address]

    # ------------------------------------------------------------ accounts

    def login(self, tenant: str | None, username: str, password: str) -> dict[str, Any]:
        body = {"tenant": tenant, "username": username, "password": password}
        pair: dict[str, Any] = self.call("identity", "POST", "/auth/login", json=body)
        return pair

    def first_login(self, tenant: str, username: str) -> str:
        """Log in with the initial password, set the demo password; the access token."""
        pair = self.login(tenant, username, INITIAL_PASSWORD)
        if not pair.get("must_change_password"):
            return str(pair["access_token"])
        changed = self.call(
            "identity",
            "POST",
            "/auth/password",
            pair["access_token"],
            json={"current_password": INITIAL_PASSWORD, "new_password": DEMO_PASSWORD},
        )
        if changed and changed.get("access_token"):
            return str(changed["access_token"])
        return str(self.login(tenant, username, DEMO_PASSWORD)["access_token"])


def until(
    check: Callable[[], T | None], what: str, *, timeout: float = 45.0, interval: float = 0.1
) -> T:
    """Poll ``check`` until it gives a value (the event-fed services catch up). The pause
    grows to a second: dozens of threads polling ten times a second kept a busy service
    answering refusals instead of catching up."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value is not None and value is not False:
                return value
        except DemoError as exc:
            last_error = exc
        time.sleep(interval)
        interval = min(interval * 1.5, 1.0)
    raise DemoError(
        f"timed out after {timeout:.0f}s waiting for {what}"
        + (f" (last answer: {last_error})" if last_error else "")
    )


def retry_while(
    fn: Callable[[], T], refusals: Sequence[str], what: str, timeout: float = 45.0
) -> T:
    """Call ``fn``; while it is refused with one of ``refusals`` (a service that has not
    received an event yet), try again."""

    def attempt() -> T | None:
        try:
            return fn()
        except DemoError as exc:
            if any(r in str(exc) for r in refusals):
                raise
            raise _Fatal(exc) from exc

    try:
        return until(attempt, what, timeout=timeout)
    except _Fatal as fatal:
        raise fatal.error from None


class _Fatal(Exception):
    def __init__(self, error: DemoError) -> None:
        super().__init__(str(error))
        self.error = error
