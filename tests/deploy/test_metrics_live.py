"""The metrics contract against running services: what each /metrics serves and what
deploy/METRICS.md lists agree both ways (test_metrics_contract.py checks the code; this
checks the processes, which also catches a metric registered only at run time, or one
declared but never registered)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.contract import PROMETHEUS_MADE, documented, exposition_name
from tests.deploy.live import live_platform, scrape
from tests.e2e.conftest import Platform
from tests.support import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

# Sections of METRICS.md whose metrics only one service serves; the rest every service.
ONLY = {
    "kinerja_identity_failed_logins_total": "identity",
    "kinerja_scoring_alerts_total": "scoring",
    "kinerja_scoring_parked_total": "scoring",
    "kinerja_scoring_parked_events": "scoring",
    "kinerja_scoring_tenant_alerts_total": "scoring",
    "kinerja_gateway_stream_connections": "gateway",
    "kinerja_gateway_alerts_delivered_total": "gateway",
    "kinerja_gateway_alert_delivery_lag_seconds": "gateway",
    "kinerja_gateway_mail_pending": "gateway",
    "kinerja_gateway_mail_oldest_pending_age_seconds": "gateway",
    "kinerja_gateway_mail_sent_total": "gateway",
    "kinerja_gateway_mail_failed_total": "gateway",
    "kinerja_gateway_mail_attempts_failed_total": "gateway",
}


@pytest.fixture(scope="module")
async def platform(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    data_dir: Path = tmp_path_factory.mktemp("metrics-live")
    async with live_platform(kafka_bootstrap, data_dir) as plat:
        yield plat


def families(text: str) -> dict[str, str]:
    """Metric name (as a query names it) -> type, from an exposition, without the
    ``<name>_created`` gauges prometheus_client adds for each documented counter, histogram
    and summary (METRICS.md's conventions say so; one without its family is kept)."""
    found = {exposition_name(f.name, f.type): f.type for f in text_string_to_metric_families(text)}
    documented_kinds = documented().exposed
    for name, kind in list(found.items()):
        base = name.removesuffix("_created")
        if kind == "gauge" and base != name:
            owner = next((n for n in (base, f"{base}_total") if n in found), None)
            if owner and documented_kinds.get(owner) in ("counter", "histogram", "summary"):
                del found[name]
    return found


async def test_every_service_serves_exactly_what_the_contract_lists(platform: Platform) -> None:
    contract = documented()
    served: dict[str, dict[str, str]] = {}
    for service in platform.ports:
        served[service] = families(await scrape(platform, service))

    everywhere = set(contract.exposed) - set(ONLY) - PROMETHEUS_MADE
    for service, names in served.items():
        missing = everywhere - set(names)
        assert not missing, f"{service} does not serve {sorted(missing)}"
        mine = {n for n, owner in ONLY.items() if owner == service}
        assert mine <= set(names), f"{service} lacks {sorted(mine - set(names))}"
        strangers = {n for n, owner in ONLY.items() if owner != service} & set(names)
        assert not strangers, f"{service} serves another service's {sorted(strangers)}"

    union = {name: kind for names in served.values() for name, kind in names.items()}
    undocumented = set(union) - set(contract.exposed)
    assert not undocumented, f"served but not in METRICS.md: {sorted(undocumented)}"
    unserved = set(contract.exposed) - set(union) - PROMETHEUS_MADE
    assert not unserved, f"in METRICS.md but served by no service: {sorted(unserved)}"
    wrong = {n: (contract.exposed[n], k) for n, k in union.items() if contract.exposed[n] != k}
    assert not wrong, f"(documented, served): {wrong}"


async def test_background_figures_are_there_without_anyone_probing(platform: Platform) -> None:
    # The readiness gauge is set by the background evaluation (nobody asked /readyz here),
    # and development values show as insecure defaults.
    text = await scrape(platform, "identity")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    for check in ("database", "kafka", "outbox"):
        key = ("kinerja_readiness_check", (("check", check), ("service", "identity")))
        assert key in samples, f"no readiness figure for {check}"
    jwt = ("kinerja_insecure_default_in_use", (("service", "identity"), ("setting", "jwt_secret")))
    assert samples[jwt] == 1.0
    platform_pw = (
        "kinerja_insecure_default_in_use",
        (("service", "identity"), ("setting", "platform_password")),
    )
    assert samples[platform_pw] == 1.0


async def test_kafka_figures_are_measured_from_outside_the_consumer(platform: Platform) -> None:
    # Every partition of every topic scoring consumes has a lag figure, and its DLQs a
    # backlog figure, although no event may have reached some partitions (the watcher
    # reads committed offsets; the consumer alone reports only partitions it applied).
    async def figures() -> tuple[set[tuple[str, str]], set[str]]:
        text = await scrape(platform, "scoring")
        lag: set[tuple[str, str]] = set()
        dlq: set[str] = set()
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.name == "kinerja_consumer_lag":
                    lag.add((s.labels["topic"], s.labels["partition"]))
                elif s.name == "kinerja_dead_letter_messages":
                    assert s.value == 0
                    dlq.add(s.labels["topic"])
        return lag, dlq

    lag, dlq = await wait_until(lambda: _complete(figures), timeout=30)
    topics = {topic for topic, _ in lag}
    assert platform.topic("identity.events") in topics and len(topics) >= 4
    assert len(lag) == 6 * len(topics)  # DEFAULT_PARTITIONS each
    assert dlq == topics


async def _complete(figures: Any) -> Any:
    lag, dlq = await figures()
    return (lag, dlq) if lag and dlq else None
