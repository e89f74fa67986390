"""CPU time of the scoring projector alone: no Kafka, no kernel, no other process.

    .venv/bin/python -m bench.scoring_projector [--events 100000] [--employees 10000]

Applies the drain bench's events (``bench.scoring_drain.generate``) with
``Projector.apply_batch`` in batches of ``--batch`` events (the consumer's default maximum)
on a fresh SQLite file, and prints the process CPU seconds and the wall time. CPU time
hardly moves with other load on a shared machine, so it compares two versions of the
projector where the drain bench's wall-clock rates do not (run each a few times,
alternating).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator

from prometheus_client import CollectorRegistry

from bench.scoring_drain import AT, generate
from services.common.clock import Clock
from services.common.storage import SessionFactory, create_engine, migrate, session_factory
from services.scoring.app import MIGRATIONS, tune_gc
from services.scoring.projector import Projector
from services.scoring.shared import Context, ScoringMetrics


@contextlib.asynccontextmanager
async def standalone(clock: Clock) -> AsyncIterator[tuple[Projector, SessionFactory]]:
    """The scoring projector on a fresh SQLite file, with no Kafka and no kernel: apply
    batches with ``projector.apply_batch`` in a ``sessions.begin()`` block each."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/scoring.db"
        await migrate(MIGRATIONS, url)
        engine = create_engine(url)
        try:
            metrics = ScoringMetrics(CollectorRegistry(), "scoring")
            yield Projector(Context(clock=clock, metrics=metrics)), session_factory(engine)
        finally:
            await engine.dispose()


async def run(events: int, employees: int, batch: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of applying the events."""
    generated = generate(events, employees)
    async with standalone(lambda: AT) as (projector, sessions):
        tune_gc()
        cpu, wall = time.process_time(), time.perf_counter()
        for start in range(0, len(generated), batch):
            async with sessions.begin() as session:
                await projector.apply_batch(session, generated[start : start + batch])
        return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=50_000)
    args = parser.parse_args()
    cpu, wall = asyncio.run(run(args.events, args.employees, args.batch))
    print(
        f"projector alone: {args.events:,} events in {cpu:.2f} s CPU "
        f"({args.events / cpu:,.0f} events per CPU second), {wall:.2f} s wall"
    )


if __name__ == "__main__":
    main()
