"""Replay of scoring against the live drain of the same topics, on PostgreSQL.

    .venv/bin/python -m bench.scoring_replay [--events 100000] [--employees 10000]
        [--partitions 6] [--json PATH]
        [--postgres postgresql://kinerja:kinerja@127.0.0.1:15432]

Pre-fills fresh topics with the events of ``bench.scoring_drain``, then, in the same run:

1. live (the floor): one ``python -m services.scoring`` process, configured by the
   environment as a deployment does, drains them into a fresh database; events/s from the
   moment it may start (``bench.scoring_scaleout``'s start gate) until all are applied;
2. replay: ``python -m services.scoring replay`` rebuilds them from offset 0 into another
   fresh database; events/s from the same gate until the process has exited (its group's
   join, the outbox marked published and its clean-up included);

and prints the ratio replay/live (the goal: >= 3), the peak RSS and CPU seconds of each
process and of the PostgreSQL backends, and whether the rebuilt projections equal the live
ones (a digest of every projection table).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from bench.report import emit, machine
from bench.resources import fresh_database
from bench.scoring_cluster import (
    BackendCpu,
    Backlog,
    StartGate,
    backlog,
    backlog_arguments,
    digest,
    instance_env,
    instances,
    same,
)
from bench.scoring_scaleout import drain_with


class Failed(RuntimeError):
    pass


async def replay_run(run: Backlog) -> dict[str, Any]:
    total, timeout = run.total, run.timeout
    async with fresh_database(run.postgres, "scale") as url:
        env = instance_env(
            database_url=url,
            kafka=run.kafka,
            prefix=run.prefix,
            group="",
            data_dir=str(run.workdir),
        )
        log = run.workdir / "replay.log"
        backends = BackendCpu(url)
        sampler = asyncio.create_task(backends.run())
        try:
            with instances() as spawn:
                gate = StartGate(url)
                await gate.close()
                replaying = spawn(env, "replay", log=log)
                await gate.open_when(1, replaying.alive, timeout)
                started = time.perf_counter()
                replaying.sample()
                cpu_at_start = replaying.cpu
                while replaying.alive():
                    if time.perf_counter() - started > timeout:
                        raise Failed(f"replay did not end within {timeout:.0f}s; see {log}")
                    replaying.sample()
                    await asyncio.sleep(0.1)
                ended = time.perf_counter()
                if replaying.process.returncode != 0 or f"replayed {total} records" not in (
                    log.read_text()
                ):
                    raise Failed(f"replay failed; see {log}")
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        return {
            "events_per_s": round(total / (ended - started)),
            "seconds": round(ended - started, 2),
            # The last sample before it exited: a few tenths of a second may be missing.
            "scoring_cpu_s": round(replaying.cpu - cpu_at_start, 2),
            "postgres_cpu_s": round(backends.total, 2),
            "peak_rss_mib": replaying.peak_rss_mib,
            "digest": await digest(url),
        }


async def main() -> None:
    parser = backlog_arguments(__doc__, partitions=6, timeout=900.0)  # the platform's default
    args = parser.parse_args()
    async with backlog(args) as run:
        total = run.total
        live = await drain_with(1, run, max_records=None)
        live_rate = live["events_per_s_from_start"]
        print(
            f"live drain: {live_rate:,} events/s, peak RSS "
            f"{live['per_instance'][0]['peak_rss_mib']} MiB, "
            f"load {machine()['load_average_1m']}",
            flush=True,
        )
        rebuilt = await replay_run(run)
        print(
            f"replay: {rebuilt['events_per_s']:,} events/s, peak RSS "
            f"{rebuilt['peak_rss_mib']} MiB, load {machine()['load_average_1m']}",
            flush=True,
        )
    ratio = rebuilt["events_per_s"] / live_rate
    differs = same(live["digest"], rebuilt["digest"])
    result = {
        "events": total,
        "employees": args.employees,
        "partitions": args.partitions,
        "live": live,
        "replay": rebuilt,
        "ratio_replay_to_live": round(ratio, 2),
        "replay_differs_from_live": differs,
    }
    emit(
        "scoring_replay",
        result,
        f"replay {rebuilt['events_per_s']:,}/s = {ratio:.2f}x live {live_rate:,}/s (floor); "
        f"peak RSS live {live['per_instance'][0]['peak_rss_mib']} MiB, replay "
        f"{rebuilt['peak_rss_mib']} MiB; "
        f"{'DIFFERS from live: ' + ', '.join(differs) if differs else 'equals live'}; "
        f"{total} events, {args.employees} employees; load {machine()['load_average_1m']}",
        args.json,
    )


if __name__ == "__main__":
    asyncio.run(main())
