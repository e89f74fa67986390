"""Drain throughput of the scoring consumer against a raw aiokafka baseline.

    .venv/bin/python -m bench.scoring_drain [--events 100000] [--employees 10000]
        [--postgres postgresql://kinerja:kinerja@127.0.0.1:15432]

Pre-fills fresh topics with N realistic events for one regency (tenant, units and
employees, one approved SKP each, then activities, citizen surveys and supervisor
assessments), then measures, in the same run and over the same topics:

1. raw: an aiokafka consumer doing ``getmany`` + ``json.loads`` until all N are read;
2. scoring: the real scoring service (its consumer, inbox, batch projector, alerts and
   outbox) on a fresh SQLite file, from the moment its broker is connected until all N
   events are applied (the kernel's ``kinerja_events_applied_total``);
3. the kernel alone: the same consumer with a handler that does nothing (decoding and
   validating every event, the inbox, the transaction, the offsets) - the ceiling of any
   durable consumer here.

Prints the rates and the ratios to the raw loop, then the result as JSON (with the CPU
seconds of each drain, steadier than the rates on a loaded machine) and a summary line
(``bench.report.emit``) with the raw loop as the floor and the process's peak RSS while
draining (the generator's envelopes are freed and the high-water mark reset first, where
Linux allows it). The topics are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench import resources
from bench.report import emit, machine, peak_rss_mib
from services.common.events import (
    ActivityLogged,
    AssessmentSubmitted,
    BerAkhlak,
    EmployeeRegistered,
    Envelope,
    EventPayload,
    Indicator,
    Period,
    Rating,
    Rhk,
    SurveyReceived,
    TargetSet,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    new_event,
)
from services.common.kafka import KafkaClientConfig
from services.common.messaging import ensure_topics
from services.common.messaging.broker import delete_topics
from services.common.runtime import Runtime
from services.scoring.app import CONSUMED_TOPICS, MIGRATIONS, Settings, create_app, tune_gc

TENANT = "bench"
AT = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


def generate(total: int, employees: int, seed: int = 7) -> list[Envelope]:
    rng = random.Random(seed)
    units = max(employees // 100, 1)
    ev: list[Envelope] = [
        new_event(
            TenantRegistered(name="Bench", time_zone="Asia/Jakarta", settings=TenantSettings()),
            tenant=TENANT,
            occurred_at=AT,
        )
    ]
    for u in range(units):
        ev.append(
            new_event(
                UnitCreated(
                    unit_id=f"u{u}",
                    name=f"Unit {u}",
                    kind="dinas",
                    serves_public=True,
                    head_employee_id=f"e{u * 100}",
                ),
                tenant=TENANT,
                occurred_at=AT,
            )
        )
    for e in range(employees):
        head = (e // 100) * 100
        ev.append(
            new_event(
                EmployeeRegistered(
                    employee_id=f"e{e}",
                    nip=f"19800101200501{1000 + e % 9000:04d}",
                    name=f"Pegawai {e}",
                    position="Staf",
                    unit_id=f"u{e // 100}",
                    supervisor_id=None
                    if e == head
                    else f"e{head + (e % 100) // 10 * 10 if e % 10 else head}",
                ),
                tenant=TENANT,
                occurred_at=AT,
            )
        )
    for e in range(employees):
        ev.append(
            new_event(
                TargetSet(
                    skp_id=f"skp{e}",
                    employee_id=f"e{e}",
                    year=2026,
                    version=1,
                    approved_by="boss",
                    rhk=(
                        Rhk(
                            rhk_id=f"r{e}",
                            title="Layanan",
                            kind="utama",
                            indicators=(
                                Indicator(
                                    indicator_id="docs",
                                    name="Dokumen",
                                    aspect="kuantitas",
                                    target=80,
                                    unit="dokumen",
                                ),
                                Indicator(
                                    indicator_id="days",
                                    name="Hari proses",
                                    aspect="waktu",
                                    target=3,
                                    unit="hari",
                                    direction="lower",
                                    aggregation="mean",
                                ),
                            ),
                        ),
                    ),
                ),
                tenant=TENANT,
                occurred_at=AT,
            )
        )
    period = Period(kind="monthly", label="2026-06", start=date(2026, 6, 1), end=date(2026, 6, 30))
    n = 0
    while len(ev) < total:
        n += 1
        kind = rng.random()
        payload: EventPayload
        e = rng.randrange(employees)
        if kind < 0.75:
            ind = "docs" if rng.random() < 0.7 else "days"
            payload = ActivityLogged(
                activity_id=f"a{n}",
                employee_id=f"e{e}",
                skp_id=f"skp{e}",
                indicator_id=ind,
                activity_date=date(2026, 6, 1) + timedelta(days=rng.randrange(30)),
                value=rng.randint(1, 20) if ind == "docs" else rng.randint(1, 6),
            )
        elif kind < 0.92:
            payload = SurveyReceived(
                survey_id=f"s{n}",
                unit_id=f"u{rng.randrange(units)}",
                scores=[rng.randint(2, 4) for _ in range(9)],
            )
        else:
            head = (e // 100) * 100
            payload = AssessmentSubmitted(
                assessment_id=f"as{n}",
                period=period,
                relation="supervisor",
                assessor_id=f"e{head}",
                assessee_id=f"e{e}",
                result_rating=rng.choice(list(Rating)),
                behaviour_ratings={v: rng.choice(list(Rating)) for v in BerAkhlak},
            )
        ev.append(new_event(payload, tenant=TENANT, occurred_at=AT))
    return ev[:total]


async def fill(kafka: KafkaClientConfig, prefix: str, events: list[Envelope]) -> None:
    await ensure_topics(kafka, [prefix + t for t in CONSUMED_TOPICS])
    producer = AIOKafkaProducer(
        **kafka.client_options(),
        acks="all",
        enable_idempotence=True,
        linger_ms=20,
        max_batch_size=1 << 20,
        compression_type=None,
    )
    await producer.start()
    try:
        pending = []
        for e in events:
            pending.append(await producer.send(prefix + e.topic, e.to_bytes(), key=e.key.encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def raw_drain(kafka: KafkaClientConfig, prefix: str, total: int) -> float:
    consumer = AIOKafkaConsumer(
        *(prefix + t for t in CONSUMED_TOPICS),
        **kafka.client_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    started = time.perf_counter()
    await consumer.start()
    seen = 0
    try:
        while seen < total:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            for records in batch.values():
                for record in records:
                    json.loads(record.value)
                    seen += 1
    finally:
        await consumer.stop()
    return total / (time.perf_counter() - started)


def applied(runtime: Runtime) -> float:
    total = 0.0
    for metric in runtime.metrics.registry.collect():
        if metric.name == "kinerja_events_applied":
            total += sum(s.value for s in metric.samples if s.name.endswith("_total"))
    return total


async def poll(done: Callable[[], bool]) -> None:
    while not done():  # noqa: ASYNC110 - a metric, not an event, says when it is done
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def fresh_database(postgres: str | None) -> AsyncIterator[str]:
    """A fresh SQLite file, or a fresh database on the PostgreSQL server ``postgres``
    (``postgresql://user:pw@host:port``), dropped afterwards."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/scoring.db"
        return
    async with resources.fresh_database(postgres) as url:
        yield url


def drain_settings(
    database_url: str, kafka: KafkaClientConfig, prefix: str, group: str
) -> Settings:
    return Settings(
        environment="development",  # a local measurement: the development secret is fine
        database_url=database_url,
        kafka_bootstrap_servers=list(kafka.bootstrap_servers),
        topic_prefix=prefix,
        group_id=f"{prefix}{group}",
        scheduler_seconds=0,
    )


async def timed_drain(runtime: Runtime, total: int) -> float:
    """Events/s from the moment the runtime's broker is connected until all are applied."""
    assert runtime.connection is not None
    await runtime.connection.ready.wait()
    started = time.perf_counter()
    await poll(lambda: applied(runtime) >= total)
    return total / (time.perf_counter() - started)


async def scoring_drain(
    kafka: KafkaClientConfig,
    prefix: str,
    total: int,
    max_records: int | None = None,
    postgres: str | None = None,
) -> float:
    async with fresh_database(postgres) as database_url:
        settings = drain_settings(database_url, kafka, prefix, "scoring")
        if max_records is not None:
            settings = settings.model_copy(update={"consumer_max_records": max_records})
        app = create_app(settings, clock=lambda: AT)
        async with app.router.lifespan_context(app):
            return await timed_drain(app.state.runtime, total)


async def floor_drain(
    kafka: KafkaClientConfig, prefix: str, total: int, postgres: str | None = None
) -> float:
    """The kernel alone: the same consumer (decode, inbox claim in one transaction, offsets
    after the commit) with a handler that does nothing, on the scoring schema. What any
    durable consumer of these topics pays before projecting anything."""

    async def nothing(_session: Any, _events: Any) -> None:
        return None

    async with fresh_database(postgres) as database_url:
        settings = drain_settings(database_url, kafka, prefix, "floor")
        runtime = Runtime(settings=settings, migrations_dir=MIGRATIONS)
        runtime.consume(CONSUMED_TOPICS, batch_handler=nothing, group_id=settings.group_id)
        await runtime.start()
        try:
            return await timed_drain(runtime, total)
        finally:
            await runtime.stop()


def reset_peak_rss() -> bool:
    """Reset this process's RSS high-water mark (Linux: ``5`` to ``clear_refs``), so the
    peak measured afterwards is the drains', not the generator's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument(
        "--bootstrap", type=KafkaClientConfig.plain, default="127.0.0.1:19092", help="host:port,..."
    )
    parser.add_argument(
        "--max-records", type=int, default=None, help="default: the service's setting"
    )
    parser.add_argument(
        "--postgres",
        default=None,
        help="drain into a fresh database on this PostgreSQL server "
        "(postgresql://user:pw@host:port) instead of SQLite",
    )
    args = parser.parse_args()
    host = machine()
    print(
        f"machine: {host['cpus']} CPUs, load {host['load_average_1m']:.2f}, "
        f"Python {host['python']}, {host['platform']}"
    )
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    events = generate(args.events, args.employees)
    total = len(events)
    t0 = time.perf_counter()
    try:
        await fill(args.bootstrap, prefix, events)
        print(f"filled {total} events in {time.perf_counter() - t0:.1f}s (prefix {prefix})")
        # The service's process starts without the generator's 100,000 envelopes on its
        # heap: drop them before tuning the collector as ``python -m services.scoring`` does.
        del events
        tune_gc()
        peak_reset = reset_peak_rss()
        raw = await raw_drain(args.bootstrap, prefix, total)
        print(f"raw aiokafka getmany + json.loads: {raw:,.0f} events/s")
        cpu = time.process_time()
        scoring = await scoring_drain(
            args.bootstrap, prefix, total, args.max_records, args.postgres
        )
        scoring_cpu = time.process_time() - cpu
        store = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{f'scoring consumer ({store}):':<35}{scoring:,.0f} events/s")
        print(f"ratio scoring/raw:                 {scoring / raw:.2f}")
        cpu = time.process_time()
        floor = await floor_drain(args.bootstrap, prefix, total, args.postgres)
        floor_cpu = time.process_time() - cpu
        print(f"kernel alone, no-op handler:       {floor:,.0f} events/s (ratio {floor / raw:.2f})")
        rss = peak_rss_mib()
    finally:
        await delete_topics(args.bootstrap, prefix)
    emit(
        "scoring_drain",
        {
            "events": total,
            "employees": args.employees,
            "store": store,
            "max_records": args.max_records,
            "raw_events_per_s": round(raw),
            "scoring_events_per_s": round(scoring),
            "kernel_events_per_s": round(floor),
            "scoring_ratio": round(scoring / raw, 3),
            "kernel_ratio": round(floor / raw, 3),
            # CPU seconds of the whole drain, start-up and migrations included: it moves
            # less than the rates with other load on a shared machine.
            "scoring_cpu_s": round(scoring_cpu, 2),
            "kernel_cpu_s": round(floor_cpu, 2),
            "peak_rss_mib": rss,
            "peak_rss_scope": "drains" if peak_reset else "whole process",
        },
        f"{store}: scoring {scoring:,.0f}/s ({scoring / raw:.2f}x), kernel alone "
        f"{floor:,.0f}/s ({floor / raw:.2f}x) against the raw aiokafka loop's {raw:,.0f}/s; "
        f"CPU {scoring_cpu:.1f} s and {floor_cpu:.1f} s; peak RSS {rss} MiB",
    )


if __name__ == "__main__":
    asyncio.run(main())
