"""A real Prometheus (Debian's binary) scrapes a running platform and evaluates the
repository's alert rules (only ``for:`` shortened, see prometheus_run.py):

- every service is a target and ``up``;
- a published event moves the messaging counters (identity's outbox, scoring's consumer);
- with scoring's consumer stopped while events keep coming, KinerjaConsumerLagGrowing fires
  (its real expression), and the lag drains once the consumer runs again.

The consumer is stopped by holding its SQLite database's write lock (``database_locked``):
each batch fails and is rewound, while the process and its /metrics go on, as when a
consumer's database stalls. The figures are printed for the operations note (-s)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.security import Role
from tests.deploy.live import database_locked, live_platform
from tests.deploy.prometheus_run import PrometheusApi, rules_with_short_for, running_prometheus
from tests.e2e.conftest import Platform
from tests.support import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

EVENTS_WHILE_STOPPED = 150  # KinerjaConsumerLagGrowing needs more than 100 behind


@pytest.fixture(scope="module")
async def stack(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Platform, PrometheusApi]]:
    data_dir: Path = tmp_path_factory.mktemp("prometheus-live")
    async with live_platform(kafka_bootstrap, data_dir) as plat:
        with running_prometheus(plat.ports, data_dir) as url:
            yield plat, PrometheusApi(url)


async def new_regency(plat: Platform, slug: str) -> None:
    async with httpx.AsyncClient(base_url=plat.url("identity"), timeout=30) as identity:
        answer = await identity.post(
            "/tenants",
            headers=bearer(tenant=None, roles=[Role.PLATFORM]),
            json={"slug": slug, "name": f"Kabupaten {slug.title()}", "time_zone": "Asia/Jakarta"},
        )
    assert answer.status_code == 201, answer.text


async def units(plat: Platform, slug: str, count: int) -> None:
    admin = bearer(tenant=slug, roles=[Role.ADMIN], user_id=f"admin-{slug}")
    async with httpx.AsyncClient(base_url=plat.url("identity"), timeout=30) as identity:
        for i in range(count):
            answer = await identity.post(
                "/units", headers=admin, json={"name": f"Dinas {i}", "kind": "dinas"}
            )
            assert answer.status_code == 201, answer.text


def test_the_test_rules_differ_from_the_repository_s_only_in_for() -> None:
    import yaml

    from tests.deploy.prometheus_run import RULES

    real = yaml.safe_load(RULES.read_text())
    short = rules_with_short_for()
    for group, test_group in zip(real["groups"], short["groups"], strict=True):
        for rule, test_rule in zip(group["rules"], test_group["rules"], strict=True):
            assert {k: v for k, v in rule.items() if k != "for"} == {
                k: v for k, v in test_rule.items() if k != "for"
            }
            assert ("for" in rule) == ("for" in test_rule)


async def test_every_service_is_scraped_and_up(stack: tuple[Platform, PrometheusApi]) -> None:
    plat, prom = stack

    async def all_up() -> list[dict[str, Any]] | None:
        targets = await prom.targets()
        ok = len(targets) == len(plat.ports) and all(t["health"] == "up" for t in targets)
        return targets if ok else None

    targets = await prom.until(all_up, timeout=30, what="every target up")
    assert {t["labels"]["service"] for t in targets} == set(plat.ports)
    assert await prom.value('count(up{job="kinerja"} == 1)') == len(plat.ports)


async def test_a_published_event_moves_the_messaging_counters(
    stack: tuple[Platform, PrometheusApi],
) -> None:
    plat, prom = stack
    published = 'sum(kinerja_outbox_published_total{service="identity"})'
    applied = 'sum(kinerja_events_applied_total{service="scoring", type="tenant.registered"})'
    by_tenant = 'sum(kinerja_tenant_events_applied_total{service="scoring", tenant="gunungkidul"})'
    await prom.until(lambda: prom.value('count(up{job="kinerja"} == 1)'), timeout=30, what="up")
    before = (await prom.value(published), await prom.value(applied))

    await new_regency(plat, "gunungkidul")

    async def moved() -> tuple[float, ...] | None:
        now = (await prom.value(published), await prom.value(applied), await prom.value(by_tenant))
        return now if now[0] > before[0] and now[1] > before[1] and now[2] >= 1 else None

    after = await prom.until(moved, timeout=30, what="identity published, scoring applied")
    print(f"\nmessaging: published {before[0]} -> {after[0]}, applied {before[1]} -> {after[1]}")


async def test_a_stopped_consumer_fires_the_lag_alert_and_drains_after(
    stack: tuple[Platform, PrometheusApi],
) -> None:
    plat, prom = stack
    await new_regency(plat, "kulonprogo")
    lag = 'sum(kinerja_consumer_lag{service="scoring", topic=~".*identity.events"})'
    await prom.until(
        lambda: _zero(prom, lag), timeout=60, what="scoring caught up before the fault"
    )

    started = time.monotonic()
    with database_locked(plat.data_dir / "scoring.db"):
        await units(plat, "kulonprogo", EVENTS_WHILE_STOPPED)
        produced = time.monotonic() - started

        async def fired() -> list[dict[str, Any]] | None:
            alerts = [
                a
                for a in await prom.firing()
                if a["labels"]["alertname"] == "KinerjaConsumerLagGrowing"
                and a["labels"].get("service") == "scoring"
            ]
            return alerts or None

        alerts = await prom.until(fired, timeout=90, what="KinerjaConsumerLagGrowing firing")
        fired_after = time.monotonic() - started
        peak = await prom.value(lag)
        firing = sorted({a["labels"]["alertname"] for a in await prom.firing()})
    assert peak > 100

    await prom.until(lambda: _zero(prom, lag), timeout=90, what="the lag drained after the fault")
    drained_after = time.monotonic() - started
    print(
        f"\nfault: {EVENTS_WHILE_STOPPED} unit.created in {produced:.1f}s with scoring's database"
        f" locked; KinerjaConsumerLagGrowing firing after {fired_after:.1f}s"
        f" (topic {alerts[0]['labels']['topic']}, value {alerts[0]['value']}),"
        f" lag at {peak:.0f}; drained {drained_after:.1f}s after the fault began;"
        f" firing meanwhile: {firing}"
    )


async def _zero(prom: PrometheusApi, query: str) -> bool:
    result = (await prom.get("query", query=query))["result"]
    return bool(result) and float(result[0]["value"][1]) == 0.0
