"""The one FastStream ``KafkaBroker`` factory, topic creation, and a resilient connect.

aiokafka's producer defaults are unsafe for a system of record (acks=1, no idempotence);
the factory sets acks=all and idempotence on, and a few ms of linger so the outbox relay's
bursts travel as batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware

from services.common.events import dead_letter_topic
from services.common.kafka import KafkaClientConfig
from services.common.observability import Metrics, NotReady

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 6


def create_producer(
    kafka: KafkaClientConfig, *, client_id: str, max_request_size: int = 1 << 20
) -> AIOKafkaProducer:
    """A producer with the platform's safe settings (the outbox relay owns one)."""
    return AIOKafkaProducer(
        **kafka.client_options(),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=15_000,
        max_request_size=max_request_size,
        client_id=client_id,
    )


def create_broker(kafka: KafkaClientConfig, *, metrics: Metrics | None = None) -> KafkaBroker:
    middlewares: tuple[KafkaPrometheusMiddleware, ...] = ()
    if metrics is not None:
        middlewares = (
            KafkaPrometheusMiddleware(registry=metrics.registry, app_name=metrics.service),
        )
    return KafkaBroker(
        list(kafka.bootstrap_servers),  # a list: FastStream takes a string as one host
        security=kafka.faststream_security(),
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=15_000,
        client_id=metrics.service if metrics else "kinerja",
        middlewares=middlewares,
        logger=log,
        log_level=logging.DEBUG,
    )


async def ensure_topics(
    kafka: KafkaClientConfig,
    topics: Iterable[str],
    *,
    partitions: int = DEFAULT_PARTITIONS,
    with_dead_letter: bool = True,
) -> None:
    """Create the topics (and their ``.dlq``) if missing; replication follows the cluster."""
    names = list(topics)
    if with_dead_letter:
        names += [dead_letter_topic(t) for t in names]
    admin = AIOKafkaAdminClient(**kafka.client_options(), request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return
        brokers = len((await admin.describe_cluster())["brokers"])
        replication = min(3, brokers)
        new = [
            NewTopic(n, num_partitions=partitions, replication_factor=replication) for n in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent starter made it
            await admin.create_topics(new)
    finally:
        await admin.close()


async def delete_topics(kafka: KafkaClientConfig, prefix: str) -> None:
    """Delete every topic whose name starts with ``prefix``: what a test or a benchmark
    created under its own prefix (the services' topics and their dead-letter topics)."""
    admin = AIOKafkaAdminClient(**kafka.client_options(), request_timeout_ms=15_000)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


class BrokerConnection:
    """Starts a broker in the background, retrying until Kafka answers.

    A service must accept HTTP writes while Kafka is down (they wait in the outbox), so
    start-up never blocks on the broker: ``ready`` is set once it is connected.
    """

    def __init__(
        self, broker: KafkaBroker, *, topics: Iterable[str], kafka: KafkaClientConfig
    ) -> None:
        self.broker = broker
        self.topics = list(topics)
        self.kafka = kafka
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect(), name="broker-connect")

    async def _connect(self) -> None:
        delay = 0.5
        while True:
            try:
                await ensure_topics(self.kafka, self.topics)
                await self.broker.start()
                self.ready.set()
                return
            except Exception as exc:  # Kafka unreachable: keep trying, the outbox holds events
                log.warning("Kafka not reachable yet (%s); retrying in %.1fs", exc, delay)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def check(self) -> None:
        if not self.ready.is_set():
            raise NotReady("not_connected")
        if not await self.broker.ping(timeout=3):
            raise NotReady("no_answer")

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.ready.is_set():
            await self.broker.stop()
        self.ready.clear()
