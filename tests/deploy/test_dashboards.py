"""The provisioned Grafana dashboards query only metrics of the contract (deploy/METRICS.md),
in PromQL that Prometheus's grammar accepts, through the provisioned data source."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.contract import (
    DEPLOY,
    PROMETHEUS_MADE,
    documented,
    grafana_to_promql,
    queried_metrics,
)

pytestmark = pytest.mark.unit

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
# The four the issue asks for, by uid.
REQUIRED = {"kinerja-overview", "kinerja-service-red", "kinerja-kafka", "kinerja-regency"}


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # a collapsed row keeps its panels inside
    return found


def queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target and every query variable."""
    found = [
        (f"{dashboard['uid']} / {panel['title']}", target["expr"])
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    ]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            # label_values(<series selector>, <label>): the selector is PromQL.
            match = re.fullmatch(r"label_values\((.+),\s*\w+\)", variable["query"]["query"])
            assert match, f"{dashboard['uid']}: unexpected variable query {variable['query']}"
            found.append((f"{dashboard['uid']} / ${variable['name']}", match.group(1)))
    return found


def test_the_four_dashboards_exist_once_each() -> None:
    uids = [load(path)["uid"] for path in DASHBOARDS]
    assert len(uids) == len(set(uids))
    assert set(uids) >= REQUIRED, REQUIRED - set(uids)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_every_panel_queries_metrics_of_the_contract(path: Path) -> None:
    contract = documented()
    dashboard = load(path)
    checked = 0
    for where, expr in queries(dashboard):
        names = queried_metrics(grafana_to_promql(expr))  # raises on invalid PromQL
        assert names, f"{where}: no metric in {expr!r}"
        for name in names:
            assert contract.family(name) or name in PROMETHEUS_MADE, (
                f"{where}: {name} is neither exposed nor listed as to be added in METRICS.md"
            )
        checked += 1
    assert checked >= 5, f"{path.name} has almost no queries"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_panels_use_the_provisioned_data_source_and_unique_ids(path: Path) -> None:
    source = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yaml").read_text())
    uid = source["datasources"][0]["uid"]
    dashboard = load(path)
    ids = [panel["id"] for panel in panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in panels(dashboard):
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == uid, panel["title"]
            assert all(t["datasource"]["uid"] == uid for t in panel["targets"])


def test_a_query_with_an_unknown_metric_is_caught() -> None:
    contract = documented()
    names = queried_metrics(
        grafana_to_promql(
            'sum by (service) (rate(kinerja_made_up_total{service=~"$service"}[$__rate_interval]))'
        )
    )
    assert names == {"kinerja_made_up_total"}
    assert contract.family("kinerja_made_up_total") is None
