"""Prometheus metrics and health endpoints for every service.

Each service instance has its own ``CollectorRegistry`` so several apps can live in one
process (tests) without clashing. HTTP metrics come from prometheus-fastapi-instrumentator,
messaging metrics from FastStream's ``KafkaPrometheusMiddleware``; the kernel adds the
outbox backlog (its oldest row's age, parked rows), dead-letter count and consumer lag
that neither of those knows about.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_fastapi_instrumentator import Instrumentator

log = logging.getLogger(__name__)

# A dependency that neither answers nor refuses (a black-holed address) must not hold
# /readyz past any probe's patience: it counts as down with reason "timeout".
CHECK_TIMEOUT_SECONDS = 10.0


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
        self.outbox_oldest_age = Gauge(
            "kinerja_outbox_oldest_age_seconds",
            "Age of the oldest outbox row waiting to be published (0 when none waits)",
            ["service"],
            registry=r,
        )
        self.outbox_parked = Gauge(
            "kinerja_outbox_parked",
            "Outbox rows the relay will never publish (too large, invalid): an operator acts",
            ["service"],
            registry=r,
        )
        self.outbox_producer_restarts = Counter(
            "kinerja_outbox_producer_restarts_total",
            "Times the relay replaced a Kafka producer left unusable (fatal error)",
            ["service"],
            registry=r,
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
        # Bounded: a tenant is a regency of this deployment, never a person.
        self.tenant_events_applied = Counter(
            "kinerja_tenant_events_applied_total",
            "Events applied by consumers, by regency",
            ["service", "tenant"],
            registry=r,
        )
        self.readiness = Gauge(
            "kinerja_readiness_check",
            "1 when the readiness check passed at its last evaluation, 0 when it failed",
            ["service", "check"],
            registry=r,
        )
        self.optional = Gauge(
            "kinerja_optional_check",
            "1 when an optional dependency answered at its last evaluation, 0 when not"
            " (readiness does not depend on it)",
            ["service", "check"],
            registry=r,
        )
        self.insecure_default = Gauge(
            "kinerja_insecure_default_in_use",
            "1 while a public development value of the setting is in use",
            ["service", "setting"],
            registry=r,
        )
        self.dead_letter_messages = Gauge(
            "kinerja_dead_letter_messages",
            "Messages in <topic>.dlq the dlq-drain group has not committed",
            ["service", "topic"],
            registry=r,
        )


class NotReady(Exception):
    """A readiness check's failure with a short, fixed reason code (``stalled``): /readyz
    shows the code, never an exception's text (addresses, SQL, paths)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


ReadinessCheck = Callable[[], Awaitable[None]]
ReadinessDetails = Callable[[], dict[str, Any]]


def readiness_reason(exc: BaseException) -> str:
    """A reason code for a failed readiness check, safe to show anyone."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionError | OSError):
        return "unreachable"
    return "error"


def instrument(
    app: FastAPI,
    metrics: Metrics,
    checks: dict[str, ReadinessCheck],
    details: dict[str, ReadinessDetails] | None = None,
    optional: dict[str, ReadinessCheck] | None = None,
) -> None:
    """Add ``/metrics``, ``/healthz`` (alive) and ``/readyz`` (dependencies reachable).

    ``details`` adds figures to /readyz that do not decide readiness (parked outbox rows);
    ``optional`` checks dependencies the service works without (the shared rate-limit
    store: without it limits count per instance), shown under ``optional`` and in
    ``kinerja_optional_check``, never failing readiness. Both are read at each request, so
    checks added after this call are included.
    """
    optional = {} if optional is None else optional
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
        results = await evaluate_readiness(metrics, checks)
        ready = all(v == "ok" for v in results.values())
        body: dict[str, Any] = {"ready": ready, "checks": results}
        if optional:
            body["optional"] = await evaluate_optional(metrics, optional)
        if details:
            body["details"] = {name: get() for name, get in details.items()}
        return JSONResponse(body, status_code=200 if ready else 503)


async def evaluate_readiness(metrics: Metrics, checks: dict[str, ReadinessCheck]) -> dict[str, str]:
    """Run every check once: ``ok`` or ``down: <reason code>`` per check, and the
    ``kinerja_readiness_check`` gauge set to match (the alert rules read the gauge)."""
    return await _evaluate(metrics.readiness, metrics.service, checks)


async def evaluate_optional(metrics: Metrics, checks: dict[str, ReadinessCheck]) -> dict[str, str]:
    """The same for optional dependencies, into ``kinerja_optional_check``."""
    return await _evaluate(metrics.optional, metrics.service, checks)


async def _evaluate(
    gauge: Gauge, service: str, checks: dict[str, ReadinessCheck]
) -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except NotReady as exc:
            results[name] = f"down: {exc.reason}"
        except Exception as exc:  # the text goes to the log, not to whoever asks
            log.warning("readiness check %s failed: %r", name, exc)
            results[name] = f"down: {readiness_reason(exc)}"
        gauge.labels(service, name).set(1 if results[name] == "ok" else 0)
    return results


async def watch_readiness(
    metrics: Metrics,
    checks: dict[str, ReadinessCheck],
    every_seconds: float,
    optional: dict[str, ReadinessCheck] | None = None,
) -> None:
    """Evaluate the checks in the background, so that Prometheus sees a failing dependency
    without anyone probing /readyz (runs until cancelled)."""
    while True:
        try:
            await evaluate_readiness(metrics, checks)
            await evaluate_optional(metrics, optional or {})
        except Exception:  # a check that raises past its own handling must not end the loop
            log.exception("readiness evaluation failed")
        await asyncio.sleep(every_seconds)


def report_insecure_defaults(metrics: Metrics, settings: dict[str, bool]) -> None:
    """``kinerja_insecure_default_in_use`` per setting (True: the public development
    value is in use; only ``KINERJA_ENVIRONMENT=development`` starts like that)."""
    for setting, in_use in settings.items():
        metrics.insecure_default.labels(metrics.service, setting).set(1 if in_use else 0)
