"""deploy/METRICS.md and the services' code name the same metrics, both ways."""

from __future__ import annotations

import pytest

from tests.deploy.contract import (
    PROMETHEUS_MADE,
    declared_in_code,
    declared_in_services,
    documented,
    queried_metrics,
)

pytestmark = pytest.mark.unit


def test_every_metric_the_code_declares_is_documented() -> None:
    contract = documented()
    missing = set(declared_in_code()) - set(contract.exposed)
    assert not missing, f"add these to deploy/METRICS.md (Exposed today): {sorted(missing)}"


def test_every_documented_metric_is_declared_by_the_code() -> None:
    contract = documented()
    stale = set(contract.exposed) - set(declared_in_code()) - PROMETHEUS_MADE
    assert not stale, f"METRICS.md lists metrics no service declares: {sorted(stale)}"


def test_documented_types_are_the_declared_types() -> None:
    contract = documented()
    declared = declared_in_code()
    wrong = {n: (contract.exposed[n], t) for n, t in declared.items() if contract.exposed[n] != t}
    assert not wrong, f"(documented, declared): {wrong}"


def test_a_pending_metric_the_code_now_declares_must_move_up() -> None:
    contract = documented()
    done = set(contract.pending) & set(declared_in_code())
    assert not done, f"now declared: move from 'To be added' to 'Exposed today': {sorted(done)}"
    assert not set(contract.pending) & set(contract.exposed)


def test_the_scan_finds_the_kernel_and_service_metrics() -> None:
    # Guards the scanner itself: if it silently found nothing, both directions would pass
    # vacuously for a service's own metrics.
    own, libraries = declared_in_services()
    assert {"kinerja_outbox_backlog", "kinerja_dead_lettered_total"} <= set(own)
    assert "kinerja_identity_failed_logins_total" in own
    assert "kinerja_scoring_parked_events" in own
    assert libraries == {"Instrumentator", "KafkaPrometheusMiddleware"}
    assert declared_in_code()["http_requests_total"] == "counter"


def test_the_document_parser_sees_both_sections() -> None:
    contract = documented(
        "| `a_total` | counter | x | y |\n## To be added\n| `b_seconds` | histogram | | z |\n"
    )
    assert contract.exposed == {"a_total": "counter"}
    assert contract.pending == {"b_seconds": "histogram"}
    assert contract.family("b_seconds_bucket") == "b_seconds"
    assert contract.family("a_total_bucket") is None


def test_queried_metrics_takes_names_not_labels_or_functions() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le, service) (rate(x_seconds_bucket{job="up"}[5m])))'
        " / on (service) group_left max by (service) (rate_total offset 1m)"
    )
    assert queried_metrics(expr) == {"x_seconds_bucket", "rate_total"}
