"""Prometheus metrics and health endpoints for every service.

Each service instance has its own ``CollectorRegistry`` so several apps can live in one
process (tests) without clashing. HTTP metrics come from prometheus-fastapi-instrumentator,
messaging metrics from FastStream's ``KafkaPrometheusMiddleware``; the kernel adds the
outbox backlog, dead-letter count and consumer lag that neither of those knows about.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_fastapi_instrumentator import Instrumentator

log = logging.getLogger(__name__)


@dataclass
class Metrics:
    """The kernel's own metrics, one set per service instance."""

    service: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.outbox_backlog = Gauge(
            "kinerja_outbox_backlog", "Outbox rows not yet published", ["service"], registry=r
        )
        self.outbox_published = Counter(
            "kinerja_outbox_published_total",
            "Events published by the relay",
            ["service"],
            registry=r,
        )
        self.dead_lettered = Counter(
            "kinerja_dead_lettered_total",
            "Messages sent to a dead-letter topic",
            ["service", "topic", "reason"],
            registry=r,
        )
        self.events_applied = Counter(
            "kinerja_events_applied_total",
            "Events applied by consumers",
            ["service", "type"],
            registry=r,
        )
        self.duplicates_skipped = Counter(
            "kinerja_duplicate_events_total",
            "Redelivered events skipped by the inbox",
            ["service"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "kinerja_consumer_lag",
            "Records behind the partition's high watermark",
            ["service", "topic", "partition"],
            registry=r,
        )
        self.batch_size = Histogram(
            "kinerja_consumer_batch_size",
            "Records per consumed batch",
            ["service"],
            buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 2000),
            registry=r,
        )
        self.apply_seconds = Histogram(
            "kinerja_consumer_apply_seconds", "Time to apply one batch", ["service"], registry=r
        )
        self.event_lag_seconds = Histogram(
            "kinerja_event_lag_seconds",
            "From occurred_at to applied (of a batch over 1,000 events, an even sample of"
            " 1,000: quantiles hold, the count is not the number of events applied)",
            ["service"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
            registry=r,
        )


ReadinessCheck = Callable[[], Awaitable[None]]


def readiness_reason(exc: BaseException) -> str:
    """A reason code for a failed readiness check, safe to show anyone."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionError | OSError):
        return "unreachable"
    return "error"


def instrument(app: FastAPI, metrics: Metrics, checks: dict[str, ReadinessCheck]) -> None:
    """Add ``/metrics``, ``/healthz`` (alive) and ``/readyz`` (dependencies reachable)."""
    Instrumentator(
        registry=metrics.registry,
        excluded_handlers=["/metrics", "/healthz", "/readyz"],
        should_group_status_codes=False,
    ).instrument(app).expose(app, include_in_schema=False)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": metrics.service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await check()
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; say which, not how
                # The exception's text can name hosts, users or SQL: it goes to the log,
                # the public answer gets a reason code only.
                log.warning("readiness check %s failed: %r", name, exc)
                results[name] = f"down: {readiness_reason(exc)}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)
