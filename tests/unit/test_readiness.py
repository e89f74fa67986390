"""/readyz tells who is not ready, never how: an exception's text can name hosts, users
or SQL, and the endpoint answers anyone."""

from __future__ import annotations

import httpx
import pytest

from services.targets.app import Settings, create_app

pytestmark = pytest.mark.unit


async def test_readiness_names_the_failing_check_with_a_reason_code_only() -> None:
    settings = Settings(
        # Nothing listens on port 1; the password must not leak either.
        database_url="postgresql+asyncpg://kinerja:rahasia-db@127.0.0.1:1/kinerja",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    app = create_app(settings)  # not started: the broker is "not started" either
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert "rahasia" not in response.text and "127.0.0.1" not in response.text
    assert response.json() == {
        "ready": False,
        "checks": {
            "database": "down: unreachable",
            "kafka": "down: not_started",
            "outbox": "ok",  # nothing waits, so the relay is not behind
        },
        "details": {"outbox": {"backlog": 0, "oldest_age_seconds": 0.0, "parked": 0}},
    }
    await app.state.runtime.engine.dispose()
