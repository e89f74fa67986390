"""The shared rate-limit store is an optional dependency: /readyz reports it under
``optional`` and ``kinerja_optional_check`` measures it, but an instance whose Redis is
gone stays ready (its limits count in the process meanwhile) and logins still answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.identity.app import Settings
from tests.identity.conftest import PLATFORM_PASSWORD, running
from tests.multi.conftest import redis_server
from tests.support import service_settings

pytestmark = pytest.mark.kafka


def identity_settings(tmp_path: Path, bootstrap: str, prefix: str, **overrides: Any) -> Settings:
    return service_settings(
        Settings,
        f"sqlite+aiosqlite:///{tmp_path}/identity.db",
        bootstrap,
        prefix,
        platform_password=PLATFORM_PASSWORD,
        **overrides,
    )


def optional_gauge(identity: Any) -> float | None:
    runtime = identity.runtime
    value = runtime.metrics.registry.get_sample_value(
        "kinerja_optional_check", {"service": "identity", "check": "rate_limit_storage"}
    )
    return None if value is None else float(value)


async def test_redis_down_is_reported_without_failing_readiness(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    with redis_server(tmp_path) as (url, server):
        settings = identity_settings(
            tmp_path, kafka_bootstrap, topic_prefix, rate_limit_storage_url=url
        )
        async with running(settings) as identity:
            ready = await identity.client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["optional"] == {"rate_limit_storage": "ok"}
            assert optional_gauge(identity) == 1.0

            server.kill()
            server.wait(10)
            answer = await identity.client.get("/readyz")
            assert answer.status_code == 200, answer.text  # still ready
            assert answer.json()["ready"] is True
            assert answer.json()["optional"] == {"rate_limit_storage": "down: unreachable"}
            assert optional_gauge(identity) == 0.0

            login = await identity.client.post(
                "/api/v1/auth/login",
                json={"username": "platform", "password": PLATFORM_PASSWORD},
            )
            assert login.status_code == 200, login.text


async def test_memory_storage_has_no_optional_check(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = identity_settings(tmp_path, kafka_bootstrap, topic_prefix)
    async with running(settings) as identity:
        body = (await identity.client.get("/readyz")).json()
        assert "optional" not in body
        assert optional_gauge(identity) is None
