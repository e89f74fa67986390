"""Wiring of the scoring service: settings, runtime, consumer, scheduler, API."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from pathlib import Path

from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from fastapi import FastAPI
from pydantic_settings import SettingsConfigDict

from services.common.clock import Clock, utcnow
from services.common.events import (
    ASSESSMENT_TOPIC,
    FEEDBACK_TOPIC,
    IDENTITY_TOPIC,
    SCORING_TOPIC,
    TARGETS_TOPIC,
)
from services.common.messaging import EventConsumer
from services.common.runtime import Runtime
from services.common.settings import ServiceSettings
from services.scoring.api import router
from services.scoring.projector import Projector
from services.scoring.projector.cache import Cache, ClearOnRebalance
from services.scoring.scheduler import Scheduler
from services.scoring.shared import Context, ScoringMetrics

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONSUMED_TOPICS = (IDENTITY_TOPIC, TARGETS_TOPIC, ASSESSMENT_TOPIC, FEEDBACK_TOPIC)


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCORING_", extra="ignore")

    service_name: str = "scoring"
    port: int = 8005
    # The consumer group (default: the topic prefix and the service name). After a replay,
    # run with the replay's group id so the rebuilt database continues where it stopped.
    group_id: str = ""
    # How long an event may wait for a missing fact before it is dead-lettered.
    park_timeout_seconds: float = 3600.0
    # Interval of the scheduler (pace figures, silent and assessment-due alerts); 0: off.
    scheduler_seconds: float = 900.0
    # Events per consumer batch (one transaction). Large batches are what make a backlog
    # drain fast: every touched employee is recomputed, alert-checked and written once per
    # batch, not once per event (bench.scoring_drain: 10,000 -> ~5,400/s, 50,000 ->
    # ~7,500/s). A quiet stream still gives small batches (the kernel waits 100 ms at most),
    # so live latency is unchanged; a backlog is drained in transactions of a few seconds.
    consumer_max_records: int = 50_000
    # Enough per partition fetch for such batches (~400-byte events).
    consumer_partition_fetch_bytes: int = 8 << 20
    # ... but applied 5,000 employees (Kafka keys) at a time, in the batch's one
    # transaction: a chunk's events, rows and figures are freed before the next is decoded,
    # so memory follows the chunk while the batch keeps its one commit (bench.scoring_drain at
    # 100,000 employees: scoring's peak RSS 2,053 -> 745 MiB with the heap trim and a
    # regency's refresh in chunks too; the rate unchanged within this machine's noise).
    consumer_chunk_keys: int = 5_000
    # Employees and units whose rows the consumer keeps in memory between batches (the
    # write-through cache; 0: all it owns, ~4 KB each). Those kept least recently are read
    # from the database again when next needed.
    cache_max_employees: int = 20_000
    cache_max_units: int = 5_000


def tune_gc() -> None:
    """Process-wide, for the service's own process only: the consumer keeps tens of
    thousands of rows in memory (its cache) and allocates many short-lived dicts per
    batch, so CPython's default thresholds run full collections over the whole heap
    again and again (bench.scoring_drain: ~2,300 -> ~3,200 events/s with these)."""
    gc.collect()
    gc.freeze()  # what is alive at start-up is never collected
    gc.set_threshold(100_000, 50, 1000)


def build(settings: Settings, clock: Clock | None = None) -> tuple[Runtime, Projector, Context]:
    runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS, produces=[SCORING_TOPIC])
    ctx = Context(
        clock=clock or utcnow,
        metrics=ScoringMetrics(runtime.metrics.registry, settings.service_name),
    )
    cache = Cache(
        max_employees=settings.cache_max_employees or None,
        max_units=settings.cache_max_units or None,
    )
    return runtime, Projector(ctx, cache), ctx


def consume(runtime: Runtime, projector: Projector, settings: Settings) -> EventConsumer:
    """The batch consumer, co-partitioned (range assignor: the same partition number of
    every topic on one instance) and clearing the projector's cache on every rebalance."""
    return runtime.consume(
        CONSUMED_TOPICS,
        batch_handler=projector.apply_batch,
        group_id=settings.group_id or settings.topic_prefix + settings.service_name,
        listener=ClearOnRebalance(projector.cache),
        partition_assignment_strategy=(RangePartitionAssignor,),
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    runtime, projector, ctx = build(settings, clock)
    consume(runtime, projector, settings)
    scheduler = Scheduler(
        runtime,
        projector,
        ctx,
        interval_seconds=settings.scheduler_seconds,
        park_timeout_seconds=settings.park_timeout_seconds,
    )
    app = runtime.create_api(
        title="Kinerja scoring",
        description="Live performance projections, explanations and supervisor alerts.",
        routers=[router],
    )
    app.state.scheduler = scheduler
    app.state.projector = projector
    runtime_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(application):
            scheduler.start()
            try:
                yield
            finally:
                await scheduler.stop()

    app.router.lifespan_context = lifespan
    return app
