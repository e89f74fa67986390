"""Alerts marked read: kept per recipient in the gateway's database, so the bell counter
agrees after a reload and on another device; nobody marks (or learns of) another's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.common.security import Role
from services.gateway.app import Settings, create_app
from services.gateway.models import GatewayAlert
from tests.gateway.harness import count, publish, raised, run_servers
from tests.support import bearer, wait_until

pytestmark = pytest.mark.kafka

TENANT, OTHER = "bantul", "sleman"


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[tuple[Any, str]]:
    app = create_app(gateway_settings)
    async with run_servers({"gateway": app}) as urls:
        yield app, urls["gateway"]


def employee(tenant: str, employee_id: str) -> dict[str, str]:
    return bearer(tenant=tenant, roles=[Role.PEGAWAI, Role.ATASAN], employee_id=employee_id)


def kepala_daerah(tenant: str) -> dict[str, str]:
    # No employee record: scoring addresses the alerts about the top of the chain to the
    # account id.
    return bearer(tenant=tenant, roles=[Role.KEPALA_DAERAH], user_id="kd-bupati")


async def read_flags(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, bool]:
    answer = await client.get("/api/gateway/alerts", headers=headers)
    assert answer.status_code == 200, answer.text
    return {a["alert_id"]: a["read"] for a in answer.json()}


async def test_a_recipient_marks_an_alert_read_and_it_stays_read(
    gateway: tuple[Any, str], gateway_settings: Settings
) -> None:
    app, url = gateway
    mine, other, colleague, theirs, head = (
        raised("e1"),
        raised("e1", "kedua"),
        raised("e2"),
        raised("e1"),
        raised("kd-bupati"),
    )
    bootstrap, prefix = gateway_settings.kafka_bootstrap_servers, gateway_settings.topic_prefix
    await publish(bootstrap, prefix, TENANT, mine, other, colleague, head)
    await publish(bootstrap, prefix, OTHER, theirs)
    for alert_id in (a.alert_id for a in (mine, other, colleague, head, theirs)):
        await wait_until(
            lambda alert_id=alert_id: count(app.state.runtime, GatewayAlert, alert_id=alert_id)
        )

    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        assert await read_flags(client, employee(TENANT, "e1")) == {
            mine.alert_id: False,
            other.alert_id: False,
        }
        marked = await client.post(
            f"/api/gateway/alerts/{mine.alert_id}/read", headers=employee(TENANT, "e1")
        )
        assert marked.status_code == 204, marked.text
        # Twice is fine (the first moment stays).
        again = await client.post(
            f"/api/gateway/alerts/{mine.alert_id}/read", headers=employee(TENANT, "e1")
        )
        assert again.status_code == 204
        assert await read_flags(client, employee(TENANT, "e1")) == {
            mine.alert_id: True,
            other.alert_id: False,
        }

        # Another person, or the same employee id in another regency: as if it did not exist.
        for stranger in (employee(TENANT, "e2"), employee(OTHER, "e1")):
            refused = await client.post(
                f"/api/gateway/alerts/{other.alert_id}/read", headers=stranger
            )
            assert refused.status_code == 404, refused.text
            assert refused.json()["reason"]["message"] == "alert not found"
        assert await read_flags(client, employee(TENANT, "e2")) == {colleague.alert_id: False}
        assert await read_flags(client, employee(OTHER, "e1")) == {theirs.alert_id: False}

        # The kepala daerah (no employee id) reads and marks the alerts addressed to it.
        assert await read_flags(client, kepala_daerah(TENANT)) == {head.alert_id: False}
        head_marked = await client.post(
            f"/api/gateway/alerts/{head.alert_id}/read", headers=kepala_daerah(TENANT)
        )
        assert head_marked.status_code == 204
        assert await read_flags(client, kepala_daerah(TENANT)) == {head.alert_id: True}

        # An account that receives no alerts (an admin without employee record) is refused.
        admin = bearer(tenant=TENANT, roles=[Role.ADMIN])
        assert (await client.get("/api/gateway/alerts", headers=admin)).status_code == 403

        # By session cookie, a state change needs the CSRF double submit.
        cookie = employee(TENANT, "e1")["Authorization"].removeprefix("Bearer ")
        client.cookies.set("kinerja_access", cookie)
        client.cookies.set("kinerja_csrf", "csrf-1")
        no_header = await client.post(f"/api/gateway/alerts/{other.alert_id}/read")
        assert no_header.status_code == 403
        with_header = await client.post(
            f"/api/gateway/alerts/{other.alert_id}/read", headers={"X-CSRF-Token": "csrf-1"}
        )
        assert with_header.status_code == 204
        client.cookies.clear()
        assert await read_flags(client, employee(TENANT, "e1")) == {
            mine.alert_id: True,
            other.alert_id: True,
        }
