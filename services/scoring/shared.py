"""What the write side (``projector``) and the read side (``views``, ``scheduler``, ``api``)
share, so that neither imports the other: the clock and metrics context, the refresh
interface the scheduler drives, and how a stored RHK's indicators are read."""

from __future__ import annotations

from collections import Counter as Counter_
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import Clock
from services.common.events import Aggregation, Direction
from services.scoring import domain as d


def utc_now(clock: Clock) -> datetime:
    return clock().astimezone(UTC)


class ScoringMetrics:
    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self.alerts = Counter(
            "kinerja_scoring_alerts_total",
            "Alerts raised or cleared",
            ["service", "kind", "action"],
            registry=registry,
        )
        self.parked = Counter(
            "kinerja_scoring_parked_total",
            "Events parked for a missing fact, released, or expired",
            ["service", "type", "outcome"],
            registry=registry,
        )
        # The same by regency (bounded by the regencies of one deployment): the regency
        # dashboard's alert panels read it.
        self.tenant_alerts = Counter(
            "kinerja_scoring_tenant_alerts_total",
            "Alerts raised or cleared, by regency",
            ["tenant", "kind", "action"],
            registry=registry,
        )
        self.parked_now = Gauge(
            "kinerja_scoring_parked_events",
            "Events waiting in parked_event",
            ["service"],
            registry=registry,
        )

    def count_alerts(self, counts: Mapping[tuple[str, str, str], int]) -> None:
        """Alerts raised or cleared in one evaluation, by (tenant, kind, action)."""
        totals: Counter_[tuple[str, str]] = Counter_()
        for (tenant, kind, action), n in counts.items():
            self.tenant_alerts.labels(tenant, kind, action).inc(n)
            totals[(kind, action)] += n
        for (kind, action), n in totals.items():
            self.alerts.labels(self.service, kind, action).inc(n)


@dataclass
class Context:
    clock: Clock
    metrics: ScoringMetrics


class Refresher(Protocol):
    """Recomputes time-dependent figures and alerts (the projector, for the scheduler)."""

    async def refresh(
        self, session: AsyncSession, tenant: str, employee_ids: Iterable[str]
    ) -> None:
        """One tenant's employees (in the caller's transaction)."""


def indicator_specs(rhk: dict[str, Any]) -> list[d.IndicatorSpec]:
    """The indicators of one stored RHK (an SKP's ``rhk`` JSON item)."""
    return [
        d.IndicatorSpec(
            indicator_id=i["indicator_id"],
            name=i["name"],
            target=i["target"],
            unit=i["unit"],
            direction=Direction(i["direction"]),
            aggregation=Aggregation(i["aggregation"]),
            weight=i.get("weight"),
        )
        for i in rhk["indicators"]
    ]
