"""The ops team's Prometheus and Alertmanager files are valid, every alert fires on what it
names and stays quiet otherwise, and every alert watches a metric of the contract."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.contract import DEPLOY, PROMETHEUS_MADE, documented, queried_metrics

pytestmark = pytest.mark.unit

PROMETHEUS = DEPLOY / "prometheus"
ALERTMANAGER = DEPLOY / "alertmanager"

# Rules written against metrics listed under "To be added" in METRICS.md: they are tested
# but cannot fire until the services expose those metrics. When one becomes exposed, this
# set must shrink with it (the test below says which rule moved). None now.
PENDING_RULES: set[str] = set()

# What the issue asks an operator to be told about, and the rule that tells it.
REQUIRED = {
    "service down": "KinerjaServiceDown",
    "readiness failing": "KinerjaNotReady",
    "outbox old": "KinerjaOutboxStalled",
    "outbox parked": "KinerjaOutboxParked",
    "consumer lag growing": "KinerjaConsumerLagGrowing",
    "DLQ not empty": "KinerjaDeadLetterQueueNotEmpty",
    "projection lag high": "KinerjaProjectionLagHigh",
    "HTTP 5xx ratio": "KinerjaHttpErrors",
    "p99 latency over budget": "KinerjaHttpLatencyHigh",
    "PostgreSQL unreachable": "KinerjaDatabaseUnreachable",
    "Kafka unreachable": "KinerjaKafkaUnreachable",
    "login-failure spikes": "KinerjaLoginFailuresSpike",
    "secret defaults in use": "KinerjaInsecureDefaults",
}


def tool(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    path = shutil.which(name)
    assert path, f"{name} comes from Debian's prometheus packages (scripts/install.sh)"
    return subprocess.run([path, *args], cwd=cwd, capture_output=True, text=True)


def rules() -> dict[str, dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def readme_anchors() -> set[str]:
    """GitHub's anchors of deploy/README.md's headings."""
    anchors = set()
    for line in (DEPLOY / "README.md").read_text().splitlines():
        if match := re.match(r"#+ (.+)", line):
            text = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus-compose.yml"])
def test_prometheus_configs_are_valid(config: str) -> None:
    result = tool("promtool", "check", "config", config, cwd=PROMETHEUS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_fire_as_their_unit_tests_say() -> None:
    result = tool("promtool", "test", "rules", "alerts_test.yml", cwd=PROMETHEUS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_rule_is_tested_firing_and_quiet() -> None:
    cases = [
        case
        for group in yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text())["tests"]
        for case in group["alert_rule_test"]
    ]
    for name in rules():
        mine = [case for case in cases if case["alertname"] == name]
        assert any(case["exp_alerts"] for case in mine), f"{name} is never tested firing"
        assert any(not case["exp_alerts"] for case in mine), f"{name} is never tested quiet"


def test_the_issue_s_alerts_all_exist() -> None:
    assert set(REQUIRED.values()) <= set(rules()), set(REQUIRED.values()) - set(rules())


def test_every_rule_says_what_and_where_to_look() -> None:
    anchors = readme_anchors()
    for name, rule in rules().items():
        notes = rule["annotations"]
        assert notes.get("summary") and notes.get("description"), name
        assert rule["labels"]["severity"] in {"page", "ticket"}, name
        url = notes.get("runbook_url", "")
        assert url == f"deploy/README.md#{name.lower()}", f"{name}: {url!r}"
        assert name.lower() in anchors, f"deploy/README.md has no '### {name}' section"


def test_rules_watch_only_metrics_of_the_contract() -> None:
    contract = documented()
    needs_pending: set[str] = set()
    for name, rule in rules().items():
        for selector in queried_metrics(rule["expr"]):
            family = contract.family(selector)
            assert family or selector in PROMETHEUS_MADE, f"{name}: {selector} not in METRICS.md"
            if family in contract.pending:
                needs_pending.add(name)
    assert needs_pending == PENDING_RULES, (
        f"rules on pending metrics: {sorted(needs_pending)}; listed: {sorted(PENDING_RULES)}"
    )


def test_alertmanager_config_is_valid() -> None:
    result = tool("amtool", "check-config", "alertmanager.yml", cwd=ALERTMANAGER)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [("severity=page", "oncall-pager"), ("severity=ticket", "ops-tickets")],
)
def test_alertmanager_routes_by_severity(labels: str, receiver: str) -> None:
    result = tool(
        "amtool",
        "config",
        "routes",
        "test",
        "--config.file=alertmanager.yml",
        "alertname=KinerjaServiceDown",
        labels,
        cwd=ALERTMANAGER,
    )
    assert result.stdout.strip() == receiver, result.stdout + result.stderr


def test_every_severity_a_rule_uses_has_a_route() -> None:
    routes = yaml.safe_load((ALERTMANAGER / "alertmanager.yml").read_text())["route"]["routes"]
    routed = {m for route in routes for m in route["matchers"]}
    for rule in rules().values():
        assert f'severity="{rule["labels"]["severity"]}"' in routed
