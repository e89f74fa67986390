"""The gateway's live-alert metrics: open streams, alerts written to them, and how long
after scoring raised an alert a browser got it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class StreamMetrics:
    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self.connections = Gauge(
            "kinerja_gateway_stream_connections",
            "Open Server-Sent Events streams (/events/alerts)",
            ["service"],
            registry=registry,
        )
        self.delivered = Counter(
            "kinerja_gateway_alerts_delivered_total",
            "Alert events written to a browser's stream (replays included)",
            ["service"],
            registry=registry,
        )
        self.delivery_lag = Histogram(
            "kinerja_gateway_alert_delivery_lag_seconds",
            "From the alert's occurred_at to its being written to a browser's stream",
            ["service"],
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
            registry=registry,
        )
        self.connections.labels(service).set(0)

    @contextlib.contextmanager
    def stream_open(self) -> Iterator[None]:
        gauge = self.connections.labels(self.service)
        gauge.inc()
        try:
            yield
        finally:
            gauge.dec()

    def written(self, occurred_at: str) -> None:
        """One alert written; ``occurred_at`` is its ISO 8601 time (the SSE's own field)."""
        self.delivered.labels(self.service).inc()
        lag = (datetime.now(UTC) - datetime.fromisoformat(occurred_at)).total_seconds()
        self.delivery_lag.labels(self.service).observe(max(lag, 0.0))
