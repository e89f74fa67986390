"""Two gateway instances behind one load balancer: a supervisor on either sees every alert
exactly once.

Each instance keeps its own store (its own SQLite database here) and, by default, its own
Kafka consumer group (``GATEWAY_ALERT_CONSUMER_GROUP`` unset: ``gateway-<random>``), so
both consume every alert and org-chart event; each store's inbox drops an event id it
already holds, so a redelivered (or re-produced) alert is stored once. With one shared
group the two would split the partitions and each would miss the other's alerts.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.common.events import SCORING_TOPIC, new_event
from services.common.runtime import Runtime
from services.gateway.app import Settings, create_app
from services.gateway.models import GatewayAlert
from tests.gateway.harness import (
    alerts_of,
    count,
    lone_gateway_settings,
    raised,
    run_servers,
    token,
)
from tests.support import produce_raw, wait_until

pytestmark = pytest.mark.kafka

TENANTS = ("bantul", "sleman", "kulonprogo", "gunungkidul")


def instance(kafka_bootstrap: str, topic_prefix: str, data: Path) -> Settings:
    data.mkdir()
    settings: Settings = lone_gateway_settings(
        f"sqlite+aiosqlite:///{data}/gateway.db", kafka_bootstrap, topic_prefix
    )
    return settings


def test_each_process_gets_its_own_group_unless_one_is_set() -> None:
    first, second = Settings(), Settings()
    assert first.alert_consumer_group.startswith("gateway-")
    assert first.alert_consumer_group != second.alert_consumer_group
    assert Settings(alert_consumer_group="gateway-a").alert_consumer_group == "gateway-a"


async def test_a_supervisor_on_either_gateway_gets_every_alert_once(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    one, two = (instance(kafka_bootstrap, topic_prefix, tmp_path / n) for n in ("a", "b"))
    apps = {"a": create_app(one), "b": create_app(two)}
    # Alerts of several regencies (keys on several partitions), e1's among them.
    mine = [(TENANTS[i % len(TENANTS)], raised("e1", f"ke-{i}")) for i in range(12)]
    events = [new_event(alert, tenant=tenant) for tenant, alert in mine]
    records: list[tuple[bytes, bytes | None]] = [(e.key.encode(), e.to_bytes()) for e in events]
    async with run_servers(apps) as urls:
        # One producer, as scoring is one logical publisher; the first alert twice, as
        # a producer retry after a lost acknowledgement would send it.
        await produce_raw(kafka_bootstrap, topic_prefix + SCORING_TOPIC, records)
        await produce_raw(kafka_bootstrap, topic_prefix + SCORING_TOPIC, records[:1])
        for app in apps.values():
            runtime: Runtime = app.state.runtime

            async def all_stored(runtime: Runtime = runtime) -> bool:
                return await count(runtime, GatewayAlert) >= len(events)

            await wait_until(all_stored, timeout=60)
        assert one.alert_consumer_group != two.alert_consumer_group

        for tenant in TENANTS:
            expected = sorted(a.alert_id for t, a in mine if t == tenant)
            supervisor = token(tenant, "e1")
            for url in urls.values():
                async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                    answer = await client.get(
                        "/api/gateway/alerts", headers={"Authorization": f"Bearer {supervisor}"}
                    )
                assert answer.status_code == 200, answer.text
                got = [a["alert_id"] for a in answer.json()]
                assert sorted(got) == expected, (url, tenant)  # every one, none twice
                streamed = await alerts_of(url, supervisor, len(expected))
                assert sorted(a["alert_id"] for a in streamed) == expected
        for app in apps.values():
            assert await count(app.state.runtime, GatewayAlert) == len(events)
