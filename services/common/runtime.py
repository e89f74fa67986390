"""The parts every service wires the same way: database, broker, outbox relay, consumers.

A service's ``create_app(settings)`` builds one :class:`Runtime`, registers its event
handlers with :meth:`Runtime.consume`, and asks for the FastAPI app with
:meth:`Runtime.create_api`. The app's lifespan migrates the database, connects to Kafka in
the background (HTTP works while Kafka is down), and starts and stops the relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from aiokafka import ConsumerRebalanceListener
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData

from services.common.api import BodyLimit, install_http_semantics
from services.common.events import EventTooLarge
from services.common.messaging import (
    BrokerConnection,
    EventConsumer,
    EventHandler,
    OutboxMessage,
    OutboxRelay,
    ProcessedEvent,
    create_broker,
)
from services.common.messaging.consumer import BatchHandler
from services.common.messaging.watch import cancel, watch_kafka
from services.common.observability import (
    Metrics,
    NotReady,
    ReadinessCheck,
    instrument,
    report_insecure_defaults,
    watch_readiness,
)
from services.common.settings import ServiceSettings
from services.common.storage import (
    NotMigrated,
    create_engine,
    create_tables,
    migrate,
    migration_state,
    ping,
    session_factory,
)

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 20
MIGRATION_POLL_SECONDS = 2.0

KERNEL_TABLES = (OutboxMessage.__table__, ProcessedEvent.__table__)  # type: ignore[attr-defined]


@dataclass
class Runtime:
    settings: ServiceSettings
    # A service's Alembic folder; None creates ``tables`` directly (kernel tests only).
    migrations_dir: Path | None = None
    tables: Sequence[Any] = ()
    metadata: MetaData | None = None
    produces: Sequence[str] = ()
    consumers: list[EventConsumer] = field(default_factory=list)

    def __post_init__(self) -> None:
        s = self.settings
        self.metrics = Metrics(s.service_name)
        self.engine = create_engine(s.database_url)
        self.sessions = session_factory(self.engine)
        self.broker = create_broker(s.kafka, metrics=self.metrics)
        self._topics: set[str] = {s.topic_prefix + t for t in self.produces}
        self.relay = OutboxRelay(
            sessions=self.sessions,
            kafka=s.kafka,
            broker_ready=asyncio.Event(),
            metrics=self.metrics,
            topic_prefix=s.topic_prefix,
            poll_seconds=s.outbox_poll_seconds,
            stall_seconds=s.outbox_stall_seconds,
            max_record_bytes=s.outbox_max_record_bytes,
        )
        self.connection: BrokerConnection | None = None
        # Dependencies the service works without (reported, never failing readiness): a
        # service adds its own, e.g. the shared rate-limit store.
        self.optional_checks: dict[str, ReadinessCheck] = {}
        self._watchers: list[asyncio.Task[None]] = []
        report_insecure_defaults(self.metrics, s.insecure_defaults())

    def consume(
        self,
        topics: Sequence[str],
        *,
        handlers: Mapping[str, EventHandler] | None = None,
        batch_handler: BatchHandler | None = None,
        group_id: str | None = None,
        listener: ConsumerRebalanceListener | None = None,
        partition_assignment_strategy: Sequence[type[AbstractPartitionAssignor]] | None = None,
    ) -> EventConsumer:
        """Subscribe with the inbox/DLQ rules. A consumer that keeps state in memory per
        partition passes a rebalance ``listener`` and, to see every topic's partition N on
        one instance, ``partition_assignment_strategy=(RangePartitionAssignor,)``."""
        s = self.settings
        consumer = EventConsumer(
            broker=self.broker,
            sessions=self.sessions,
            metrics=self.metrics,
            topics=topics,
            # Prefixed like the topics: two platforms on one broker (a demo beside the
            # tests) must not share a group, or each one's start rebalances the other's.
            group_id=group_id or s.topic_prefix + s.service_name,
            handlers=handlers,
            batch_handler=batch_handler,
            topic_prefix=s.topic_prefix,
            max_attempts=s.max_delivery_attempts,
            max_records=s.consumer_max_records,
            max_chunk_keys=s.consumer_chunk_keys or None,
            batch_timeout_ms=s.consumer_batch_timeout_ms,
            partition_fetch_bytes=s.consumer_partition_fetch_bytes,
            listener=listener,
            partition_assignment_strategy=partition_assignment_strategy,
        )
        self._topics.update(consumer.topics)
        self.consumers.append(consumer)
        return consumer

    async def prepare_database(self) -> None:
        """Migrate the service's database (or create the tables of a kernel test); where
        migrations are a step of their own, wait for that step to have run."""
        s = self.settings
        if self.migrations_dir is not None and s.migrate_at_start:
            await migrate(self.migrations_dir, s.database_url)
        elif self.migrations_dir is not None:
            await self._wait_for_migrations(self.migrations_dir)
        elif self.metadata is not None:
            await create_tables(self.engine, self.metadata, [*KERNEL_TABLES, *self.tables])

    async def _wait_for_migrations(self, migrations_dir: Path) -> None:
        """Started beside the migration step (a Kubernetes Job, compose's one-shot): wait
        for it rather than fail at once; refuse to run on a database it never migrated."""
        s = self.settings
        deadline = time.monotonic() + s.migration_wait_seconds
        while True:
            try:
                behind = await migration_state(migrations_dir, s.database_url)
            except Exception as exc:  # database not up yet: the same wait
                behind = f"the database is unreachable ({type(exc).__name__})"
            if behind is None:
                return
            if time.monotonic() >= deadline:
                raise NotMigrated(
                    f"{s.service_name}: {behind}; run `python -m services.migrate "
                    f"{s.service_name}` (or set KINERJA_MIGRATE_AT_START=true)"
                )
            log.warning("%s: waiting for migrations: %s", s.service_name, behind)
            await asyncio.sleep(MIGRATION_POLL_SECONDS)

    async def start(self) -> None:
        await self.prepare_database()
        self.connection = BrokerConnection(
            self.broker,
            topics=sorted(self._topics),
            kafka=self.settings.kafka,
        )
        self.relay.broker_ready = self.connection.ready
        self.connection.start()
        self.relay.start()
        self._start_watchers()

    def _start_watchers(self) -> None:
        """Background measurements Prometheus reads without anyone probing: readiness per
        check, consumer lag from committed offsets, the dead-letter topics' backlog."""
        s = self.settings
        assert self.connection is not None
        groups: dict[str, list[str]] = {}
        for consumer in self.consumers:
            groups.setdefault(consumer.group_id, []).extend(consumer.topics)
        self._watchers = [
            asyncio.create_task(
                watch_readiness(
                    self.metrics,
                    self.readiness_checks(),
                    s.readiness_check_seconds,
                    self.optional_checks,
                ),
                name="readiness-watch",
            ),
            asyncio.create_task(
                watch_kafka(
                    self.metrics,
                    s.kafka,
                    groups,
                    ready=self.connection.ready,
                    lag_every_seconds=s.consumer_lag_check_seconds,
                    dead_letter_every_seconds=s.dead_letter_check_seconds,
                ),
                name="kafka-watch",
            ),
        ]

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {
            "database": self.check_database,
            "kafka": self.check_broker,
            "outbox": self.relay.check,
        }

    async def stop(self) -> None:
        # Each step is bounded: a shutdown that hangs (a broker that does not answer, a
        # connection cancelled mid-query) must not keep the process from exiting.
        # The consumers stop first, so that the relay's last round at stop sends what
        # their final batches staged.
        await cancel(self._watchers)
        steps = []
        if self.connection is not None:
            steps.append(("broker", self.connection.stop()))
        steps.append(("outbox relay", self.relay.stop()))
        steps.append(("database", self.engine.dispose()))
        for name, step in steps:
            try:
                await asyncio.wait_for(step, STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                log.warning("%s did not stop within %ss", name, STOP_TIMEOUT_SECONDS)

    async def check_database(self) -> None:
        try:
            await ping(self.engine)
        except Exception as exc:  # the text (host, SQL) goes to the log, not to /readyz
            log.warning("database check failed: %s: %s", type(exc).__name__, exc)
            raise NotReady("unreachable") from exc

    async def check_broker(self) -> None:
        if self.connection is None:
            raise NotReady("not_started")
        await self.connection.check()

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    def create_api(
        self,
        *,
        title: str,
        description: str,
        routers: Sequence[APIRouter] = (),
        larger_bodies: Sequence[tuple[str, int]] = (),
    ) -> FastAPI:
        """The service's app. Request bodies are capped at ``settings.max_body_bytes``;
        ``larger_bodies`` lists (path regex, bytes) exceptions such as a CSV import."""
        app = FastAPI(title=title, description=description, version="1.0.0", lifespan=self.lifespan)
        app.add_middleware(
            BodyLimit, max_bytes=self.settings.max_body_bytes, larger=list(larger_bodies)
        )
        app.add_exception_handler(EventTooLarge, _event_too_large)
        app.state.runtime = self
        # Verification only: the current secret, then the previous ones of a rotation.
        app.state.jwt_secret = self.settings.jwt_verify_secrets
        app.state.trusted_proxies = self.settings.trusted_proxies
        for router in routers:
            app.include_router(router)
        install_http_semantics(app)
        instrument(
            app,
            self.metrics,
            checks=self.readiness_checks(),
            details={"outbox": self.relay.details},
            optional=self.optional_checks,
        )
        return app


def runtime_of(request: Request) -> Runtime:
    """FastAPI dependency: the runtime ``Runtime.app`` put on the app serving the request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _event_too_large(_request: Request, exc: Exception) -> JSONResponse:
    # Raised by add_event inside the write's transaction, which is rolled back: nothing of
    # the change is written.
    return JSONResponse({"detail": str(exc)}, status_code=413)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run a service's app with uvicorn: the one place every ``__main__`` starts HTTP.

    uvloop and httptools are named (not left to uvicorn's "auto", which falls back to
    asyncio and h11 without a word when they are missing): they cut the CPU each request
    costs in the event loop and the HTTP parser (bench/README.md, alert_latency)."""
    uvicorn.run(app, host=settings.host, port=settings.port, loop="uvloop", http="httptools")
