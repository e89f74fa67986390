"""Two running identity instances (each its own database, as two pods would have their
own connection; the login guard counts before any lookup) behind one load balancer: the
failed logins one answered count on the other when they share Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.identity.app import Settings
from tests.identity.conftest import PLATFORM_PASSWORD, running
from tests.support import service_settings

pytestmark = pytest.mark.kafka


def instance(n: str, storage: str, tmp_path: Path, bootstrap: str, prefix: str) -> Settings:
    return service_settings(
        Settings,
        f"sqlite+aiosqlite:///{tmp_path}/identity{n}.db",
        bootstrap,
        prefix,
        platform_password=PLATFORM_PASSWORD,
        login_failures_per_account="3/15 minutes",
        rate_limit_storage_url=storage,
        trusted_proxies=1,
    )


async def attempts(storage: str, tmp_path: Path, bootstrap: str, prefix: str) -> list[int]:
    """Three wrong passwords on the first instance, a fourth on the second: the statuses."""
    body = {"tenant": "bantul", "username": "198503152010011777", "password": "tebakan"}
    attacker = {"X-Forwarded-For": "203.0.113.99"}
    tag = storage.partition(":")[0]
    one, two = (instance(f"{tag}{n}", storage, tmp_path, bootstrap, prefix) for n in (1, 2))
    statuses = []
    async with running(one) as first, running(two) as second:
        for identity in (first, first, first, second):
            answer = await identity.client.post("/api/v1/auth/login", json=body, headers=attacker)
            statuses.append(answer.status_code)
    return statuses


async def test_the_second_instance_refuses_after_the_first_used_the_budget(
    redis_url: str, tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    assert await attempts(redis_url, tmp_path, kafka_bootstrap, topic_prefix) == [
        401,
        401,
        401,
        429,
    ]
    # In memory the second instance has its own budget (what Redis fixes).
    assert await attempts("memory://", tmp_path, kafka_bootstrap, topic_prefix) == [
        401,
        401,
        401,
        401,
    ]
