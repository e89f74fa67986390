"""Rate limits and failed-login counters hold across instances when they share Redis.

A real ``redis-server`` (Debian's) on a free localhost port, no persistence; two identity
apps and two feedback apps built by their own ``create_app`` from settings that differ in
nothing but the instance. The login guard and the public limiter the apps would use are
taken from the apps, so the wiring from ``<PREFIX>RATE_LIMIT_STORAGE_URL`` is what is
tested. With ``memory://`` the same sequence passes on the second instance: the test can
tell the two apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from services.common.refusals import TooManyRequests
from services.feedback import app as feedback
from services.feedback.ratelimit import PublicRateLimiter
from services.identity import app as identity
from services.identity.auth import LoginGuard
from tests.gateway.harness import free_port

pytestmark = pytest.mark.unit

ACCOUNT, ATTACKER = ("bantul", "198503152010011001"), "203.0.113.7"


def guards(storage_url: str, tmp_path: Path) -> tuple[LoginGuard, LoginGuard]:
    def one(n: int) -> LoginGuard:
        settings = identity.Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/identity{n}.db",
            login_failures_per_account="3/15 minutes",
            rate_limit_storage_url=storage_url,
        )
        guard: LoginGuard = identity.create_app(settings).state.identity.guard
        return guard

    return one(1), one(2)


def limiters(storage_url: str, tmp_path: Path) -> tuple[PublicRateLimiter, PublicRateLimiter]:
    def one(n: int) -> PublicRateLimiter:
        settings = feedback.Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/feedback{n}.db",
            public_submit_rate="3/minute",
            rate_limit_storage_url=storage_url,
        )
        limiter: PublicRateLimiter = feedback.create_app(settings).state.rate_limiter
        return limiter

    return one(1), one(2)


def citizen(address: str) -> Request:
    return Request({"type": "http", "client": (address, 5000), "headers": []})


def refused(call: Any) -> bool:
    try:
        call()
    except TooManyRequests:
        return True
    return False


def test_failed_logins_on_one_instance_lock_the_account_on_the_other(
    redis_url: str, tmp_path: Path
) -> None:
    first, second = guards(redis_url, tmp_path)
    for _ in range(3):
        first.check(ACCOUNT, ATTACKER)
        first.failed(ACCOUNT, ATTACKER, "wrong_password")
    with pytest.raises(TooManyRequests) as blocked:
        second.check(ACCOUNT, ATTACKER)
    assert "this account from this address" in blocked.value.message
    # The owner's own address is untouched, on either instance.
    second.check(ACCOUNT, "198.51.100.2")
    # A success on the second instance clears the budget the first one counted.
    second.succeeded(ACCOUNT, ATTACKER)
    first.check(ACCOUNT, ATTACKER)


def test_in_memory_counters_are_per_instance(tmp_path: Path) -> None:
    """What the shared storage fixes: with memory:// the second instance knows nothing."""
    first, second = guards("memory://", tmp_path)
    for _ in range(3):
        first.failed(ACCOUNT, ATTACKER, "wrong_password")
    assert refused(lambda: first.check(ACCOUNT, ATTACKER))
    assert not refused(lambda: second.check(ACCOUNT, ATTACKER))


async def test_a_public_rate_limit_holds_across_feedback_instances(
    redis_url: str, tmp_path: Path
) -> None:
    first, second = limiters(redis_url, tmp_path)
    for _ in range(3):
        await first.check(citizen("10.0.0.1"), "submit")
    with pytest.raises(TooManyRequests) as blocked:
        await second.check(citizen("10.0.0.1"), "submit")
    assert 1 <= int(blocked.value.headers["Retry-After"]) <= 60  # type: ignore[index]
    await second.check(citizen("10.0.0.2"), "submit")  # another citizen
    await second.check(citizen("10.0.0.1"), "read")  # another bucket

    alone, other = limiters("memory://", tmp_path)
    for _ in range(3):
        await alone.check(citizen("10.0.0.1"), "submit")
    await other.check(citizen("10.0.0.1"), "submit")  # in memory: a fresh budget


def test_a_storage_url_neither_side_understands_is_refused(tmp_path: Path) -> None:
    for url in ("memcached://127.0.0.1:11211", "127.0.0.1:6379", "mongodb://x"):
        with pytest.raises(ValueError, match="rate limit storage"):
            identity.Settings(rate_limit_storage_url=url)
        with pytest.raises(ValueError, match="rate limit storage"):
            feedback.Settings(rate_limit_storage_url=url)


async def test_an_unreachable_storage_counts_in_the_process_instead_of_failing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis down must not turn a login or a survey answer into a 500: the limits hold
    per instance until it answers again, and the outage is logged."""
    gone = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    guard, _ = guards(gone, tmp_path)
    for _ in range(3):
        guard.check(ACCOUNT, ATTACKER)
        guard.failed(ACCOUNT, ATTACKER, "wrong_password")
    assert refused(lambda: guard.check(ACCOUNT, ATTACKER))
    guard.succeeded(ACCOUNT, ATTACKER)
    guard.check(ACCOUNT, ATTACKER)

    limiter, _ = limiters(gone, tmp_path)
    for _ in range(3):
        await limiter.check(citizen("10.0.0.1"), "submit")
    with pytest.raises(TooManyRequests):
        await limiter.check(citizen("10.0.0.1"), "submit")
    outages = [r for r in caplog.records if "counting in this process" in r.getMessage()]
    assert len(outages) == 2, outages  # once per limiter, not once per request
