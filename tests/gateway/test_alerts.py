"""Live alerts: scoring's events in through Kafka, out to the recipient's stream only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select

from services.common.security import Role, issue_token
from services.common.settings import DEVELOPMENT_JWT_SECRET
from services.gateway.app import Settings, create_app
from services.gateway.models import GatewayAlert
from tests.gateway.harness import alerts_of, cleared, count, publish, raised, run_servers, token
from tests.support import bearer, wait_until

pytestmark = pytest.mark.kafka

TENANT, OTHER = "bantul", "sleman"


class Gateway:
    def __init__(self, app: Any, url: str, settings: Settings) -> None:
        self.app, self.url, self.settings = app, url, settings

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    async def publish(self, tenant: str, *payloads: Any) -> None:
        await publish(
            self.settings.kafka_bootstrap_servers, self.settings.topic_prefix, tenant, *payloads
        )

    async def listening(self) -> bool:
        return bool(self.app.state.gateway.hub.listeners((TENANT, "e1")))

    async def stored(self, *alert_ids: str) -> None:
        for alert_id in alert_ids:
            await wait_until(lambda a=alert_id: count(self.runtime, GatewayAlert, alert_id=a))


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[Gateway]:
    app = create_app(gateway_settings)
    async with run_servers({"gateway": app}) as urls:
        yield Gateway(app, urls["gateway"], gateway_settings)


async def test_a_stream_carries_only_the_recipients_alerts_and_replays(gateway: Gateway) -> None:
    # Stored before anyone listens: another regency's alert for the SAME employee id,
    # another recipient's alert, and one for e1.
    foreign, other_person, first = raised("e1", "lain"), raised("e2", "orang lain"), raised("e1")
    await gateway.publish(OTHER, foreign)
    await gateway.publish(TENANT, other_person, first)
    await gateway.stored(foreign.alert_id, other_person.alert_id, first.alert_id)

    me = token(TENANT, "e1")
    history = await alerts_of(gateway.url, me, 1)
    assert [a["alert_id"] for a in history] == [first.alert_id]
    assert history[0]["action"] == "raised" and history[0]["kind"] == "behind_target"

    # Live: the stream is open when the next alert is produced.
    second = raised("e1", "Capaian turun")
    reader = asyncio.create_task(alerts_of(gateway.url, me, 2))
    await wait_until(gateway.listening)
    await gateway.publish(TENANT, second)
    live = await reader
    assert [a["alert_id"] for a in live] == [first.alert_id, second.alert_id]

    # A reconnect after the second alert gets only what came later: the clearing.
    await gateway.publish(TENANT, cleared(first))
    resumed = await alerts_of(gateway.url, me, 1, headers={"Last-Event-ID": live[-1]["id"]})
    assert [(a["alert_id"], a["action"]) for a in resumed] == [(first.alert_id, "cleared")]

    # The other regency's employee e1 sees only their own alert.
    theirs = await alerts_of(gateway.url, token(OTHER, "e1"), 1)
    assert [a["alert_id"] for a in theirs] == [foreign.alert_id]


async def test_the_stream_refuses_tokens_that_are_not_an_employees(gateway: Gateway) -> None:
    expired = issue_token(
        secret=DEVELOPMENT_JWT_SECRET,
        user_id="u",
        tenant=TENANT,
        roles=[Role.PEGAWAI],
        employee_id="e1",
        lifetime=timedelta(seconds=-5),
    )
    refresh = issue_token(
        secret=DEVELOPMENT_JWT_SECRET,
        user_id="u",
        tenant=TENANT,
        roles=[Role.PEGAWAI],
        employee_id="e1",
        lifetime=timedelta(minutes=5),
        kind="refresh",
    )
    forged = token(TENANT, "e1", secret="x" * 40)
    cases = {
        None: 401,
        "not-a-jwt": 401,
        expired: 401,
        refresh: 401,
        forged: 401,
        token(None, "e1"): 403,  # platform: no tenant
        token(TENANT, None): 403,  # an admin account that is not an employee
        token(TENANT, "e1", must_change_password=True): 403,  # initial password unchanged
    }
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        for access_token, status in cases.items():
            headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
            response = await client.get("/events/alerts", headers=headers)
            assert response.status_code == status, (access_token, response.text)
            assert response.json()["detail"]
            # The session cookie is held to the same terms.
            if access_token:
                by_cookie = await client.get(
                    "/events/alerts", cookies={"kinerja_access": access_token}
                )
                assert by_cookie.status_code == status, (access_token, by_cookie.text)
        # A token in the URL (logged by every proxy on the way) opens nothing.
        in_url = await client.get("/events/alerts", params={"access_token": token(TENANT, "e1")})
        assert in_url.status_code == 401 and "Authorization" in in_url.json()["detail"]


async def test_a_browser_opens_the_stream_with_the_session_cookie(gateway: Gateway) -> None:
    """EventSource sends no headers: the stream reads the HttpOnly session cookie."""
    first = raised("e1")
    await gateway.publish(TENANT, first)
    await gateway.stored(first.alert_id)
    cookies = {"kinerja_access": token(TENANT, "e1")}
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30, cookies=cookies) as client:
        async with client.stream("GET", "/events/alerts") as response:  # the cookie alone
            assert response.status_code == 200
            lines = response.aiter_lines()
            line = ""
            while not line.startswith("data:"):
                line = await asyncio.wait_for(anext(lines), timeout=20)
            assert first.alert_id in line
        client.cookies.clear()
        refused = await client.get("/events/alerts")
        assert refused.status_code == 401


async def test_recent_alerts_are_kept_per_recipient(gateway_settings: Settings) -> None:
    gateway_settings.alerts_kept_per_recipient = 2
    app = create_app(gateway_settings)
    async with run_servers({"gateway": app}) as urls:
        gateway = Gateway(app, urls["gateway"], gateway_settings)
        alerts = [raised("e1", f"ke-{i}") for i in range(3)]
        await gateway.publish(TENANT, *alerts)
        await gateway.publish(OTHER, raised("e1"))
        await gateway.stored(alerts[-1].alert_id)
        await wait_until(lambda: count(gateway.runtime, GatewayAlert, tenant=OTHER))
        async with gateway.runtime.sessions() as session:
            kept = (
                await session.exec(
                    select(GatewayAlert.alert_id).where(GatewayAlert.tenant == TENANT)
                )
            ).all()
        assert sorted(kept) == sorted(a.alert_id for a in alerts[1:])

        async with httpx.AsyncClient(base_url=gateway.url) as client:
            mine = await client.get(
                "/api/gateway/alerts",
                headers=bearer(tenant=TENANT, roles=[Role.PEGAWAI], employee_id="e1"),
            )
            assert mine.status_code == 200
            assert [a["message"] for a in mine.json()] == ["ke-1", "ke-2"]
            anonymous = await client.get("/api/gateway/alerts")
            assert anonymous.status_code == 401


async def test_the_kepala_daerah_streams_the_alerts_addressed_to_its_account(
    gateway: Gateway,
) -> None:
    """The kepala daerah has no employee record: scoring addresses the alerts about the
    employees without a supervisor to its account id, and the stream keys on that."""
    about_sekda, for_an_employee = raised("kd-account"), raised("e-kd")
    await gateway.publish(TENANT, about_sekda, for_an_employee)
    await gateway.stored(about_sekda.alert_id, for_an_employee.alert_id)
    kepala = bearer(tenant=TENANT, roles=[Role.KEPALA_DAERAH], user_id="kd-account")
    mine = await alerts_of(gateway.url, kepala["Authorization"].removeprefix("Bearer "), 1)
    assert [a["alert_id"] for a in mine] == [about_sekda.alert_id]
    # An account of the tenant that is neither an employee nor the kepala daerah: refused.
    admin = bearer(tenant=TENANT, roles=[Role.ADMIN], user_id="kd-account")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        refused = await client.get("/events/alerts", headers=admin)
    assert refused.status_code == 403
