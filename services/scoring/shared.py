"""What the write side (``projector``) and the read side (``views``, ``scheduler``, ``api``)
share, so that neither imports the other: the clock and metrics context, the refresh
interface the scheduler drives, and how a stored RHK's indicators are read."""

from __future__ import annotations

from collections.abc import Iterable
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
        self.parked_now = Gauge(
            "kinerja_scoring_parked_events",
            "Events waiting in parked_event",
            ["service"],
            registry=registry,
        )


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
