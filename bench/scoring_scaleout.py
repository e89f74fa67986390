"""Scale-out of scoring: drain the same backlog with 1, 2 and 3 instances in one group.

    .venv/bin/python -m bench.scoring_scaleout [--events 100000] [--employees 10000]
        [--instances 1,2,3] [--partitions 12] [--json PATH]
        [--postgres postgresql://kinerja:kinerja@127.0.0.1:15432] [--max-records N]

Pre-fills fresh topics (``--partitions`` each) with the events of ``bench.scoring_drain``,
then for each count N starts N ``python -m services.scoring`` processes, configured by
the environment as a deployment does, in ONE consumer group on a fresh PostgreSQL
database (several instances need a shared one), and measures until every event is
applied (the instances' ``kinerja_events_applied_total``, summed):

- the rate from the moment the group is Stable with N members (after the start-up
  rebalances) to the end, and from the moment all N may start together (rebalances
  included);
- CPU seconds of each instance and of the PostgreSQL backends over the same window
  (``/proc``), hence events per CPU-second: on a 2-core machine shared with other work the
  wall rate of 3 processes cannot triple, the work per event says how it would on 3 cores;
- each instance's peak RSS, and the events each applied;
- a digest of every projection table, which must equal the 1-instance run's (nothing lost
  or applied twice by the rebalances).

The floor printed with it: a raw aiokafka read of the same topics, in the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import httpx

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
    stable_members,
)
from bench.scoring_drain import raw_drain
from services.common.storage import migrate
from services.scoring.app import MIGRATIONS


class Failed(RuntimeError):
    pass


async def drain_with(n: int, run: Backlog, *, max_records: int | None) -> dict[str, Any]:
    """N instances in one group drain the topics into a fresh database."""
    async with fresh_database(run.postgres, "scale") as url:
        await migrate(MIGRATIONS, url)  # once, before: the instances find it done
        group = f"{run.prefix}scoring-{n}"
        env = instance_env(
            database_url=url,
            kafka=run.kafka,
            prefix=run.prefix,
            group=group,
            data_dir=str(run.workdir),
        )
        if max_records is not None:
            env["SCORING_CONSUMER_MAX_RECORDS"] = str(max_records)
        backends = BackendCpu(url)
        sampler = asyncio.create_task(backends.run())
        try:
            with instances() as spawn:
                return await _measure(n, spawn, env, run, group, backends, url)
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler


async def _measure(
    n: int,
    spawn: Any,
    env: dict[str, str],
    run: Backlog,
    group: str,
    backends: BackendCpu,
    url: str,
) -> dict[str, Any]:
    total, timeout = run.total, run.timeout
    gate = StartGate(url)
    await gate.close()
    running = [spawn(env, log=run.workdir / f"scoring-{n}-{i}.log") for i in range(n)]
    await gate.open_when(n, lambda: all(i.alive() for i in running), timeout)
    spawned = time.perf_counter()
    for instance in running:  # CPU and memory from here on: start-up is not the drain's
        instance.sample()
    cpu_at_start = sum(i.cpu for i in running)
    stable_at: float | None = None
    at_stable: dict[str, float] = {}
    applied = 0.0
    last_group_check = 0.0
    async with httpx.AsyncClient(timeout=2.0) as client:
        while True:
            now = time.perf_counter()
            if now - spawned > timeout:
                raise Failed(f"{n} instances: {applied:.0f}/{total} applied after {timeout:.0f}s")
            for instance in running:
                if not instance.alive():
                    raise Failed(f"instance exited; see {instance.log}")
                instance.sample()
            counts = [await i.applied(client) for i in running]
            applied = sum(counts)
            if stable_at is None and now - last_group_check >= 0.5:
                last_group_check = now
                if await stable_members(run.kafka, group) == n:
                    stable_at = time.perf_counter()
                    at_stable = {
                        "applied": applied,
                        "cpu": sum(i.cpu for i in running),
                        "pg": backends.total,
                    }
            if applied >= total and stable_at is not None:
                break
            await asyncio.sleep(0.2)
    ended = time.perf_counter()
    for instance in running:
        instance.sample()
    window = ended - stable_at
    in_window = total - at_stable["applied"]
    cpu_window = sum(i.cpu for i in running) - at_stable["cpu"]
    pg_window = backends.total - at_stable["pg"]
    return {
        "instances": n,
        # None: every event was applied before the group settled (a backlog smaller than
        # one batch: the first instance took it all).
        "events_per_s": round(in_window / window) if window > 0 and in_window > 0 else None,
        # From the moment all N start connecting to Kafka: the rebalances included.
        "events_per_s_from_start": round(total / (ended - spawned)),
        "stable_after_s": round(stable_at - spawned, 2),
        "scoring_cpu_s_from_start": round(sum(i.cpu for i in running) - cpu_at_start, 2),
        "applied_before_stable": int(at_stable["applied"]),
        "window_s": round(window, 2),
        "scoring_cpu_s": round(cpu_window, 2),
        "postgres_cpu_s": round(pg_window, 2),
        "events_per_cpu_s": round(in_window / (cpu_window + pg_window))
        if cpu_window + pg_window > 0 and in_window > 0
        else None,
        "per_instance": [
            {"applied": int(c), "cpu_s_total": round(i.cpu, 2), "peak_rss_mib": i.peak_rss_mib}
            for i, c in zip(running, counts, strict=True)
        ],
        "digest": await digest(url),
    }


def ratio(a: int | None, b: int | None) -> float | None:
    return round(a / b, 2) if a and b else None


def peak(run: dict[str, Any]) -> float:
    return max(i["peak_rss_mib"] or 0.0 for i in run["per_instance"])


async def main() -> None:
    parser = backlog_arguments(__doc__, partitions=12, timeout=600.0)
    parser.add_argument("--instances", default="1,2,3", help="counts to run, in order")
    parser.add_argument(
        "--max-records",
        type=int,
        default=None,
        help="SCORING_CONSUMER_MAX_RECORDS of the instances (default: the service's)",
    )
    args = parser.parse_args()
    counts = [int(c) for c in args.instances.split(",")]
    runs: list[dict[str, Any]] = []
    async with backlog(args) as run:
        total = run.total
        raw = await raw_drain(run.kafka, run.prefix, total)
        print(f"floor: raw aiokafka getmany + json.loads {raw:,.0f} events/s", flush=True)
        for n in counts:
            drained = await drain_with(n, run, max_records=args.max_records)
            runs.append(drained)
            print(
                f"{n} instance(s): {drained['events_per_s'] or 0:,} events/s "
                f"({drained['events_per_cpu_s'] or 0:,} per CPU-s; scoring "
                f"{drained['scoring_cpu_s']} + postgres {drained['postgres_cpu_s']} CPU-s), "
                f"peak RSS {[i['peak_rss_mib'] for i in drained['per_instance']]} MiB, "
                f"load {machine()['load_average_1m']}",
                flush=True,
            )
    base = runs[0]
    for each in runs:
        each["ratio_to_first"] = ratio(each["events_per_s"], base["events_per_s"])
        each["cpu_ratio_to_first"] = ratio(each["events_per_cpu_s"], base["events_per_cpu_s"])
        each["differs_from_first"] = same(base["digest"], each["digest"])
    result = {
        "events": total,
        "employees": args.employees,
        "partitions": args.partitions,
        "max_records": args.max_records,
        "raw_events_per_s": round(raw),
        "runs": runs,
    }
    summary = ", ".join(
        f"{r['instances']}x {r['events_per_s'] or 0:,}/s (x{r['ratio_to_first']}, "
        f"{r['events_per_cpu_s'] or 0:,}/CPU-s, rss<={peak(r)}MiB"
        f"{', DIFFERS ' + str(r['differs_from_first']) if r['differs_from_first'] else ''})"
        for r in runs
    )
    emit(
        "scoring_scaleout",
        result,
        f"{summary}; floor raw {raw:,.0f}/s; load {machine()['load_average_1m']}",
        args.json,
    )


if __name__ == "__main__":
    asyncio.run(main())
