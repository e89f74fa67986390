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

import argparse
import asyncio
import contextlib
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.report import emit, machine
from bench.resources import delete_topics, fresh_database
from bench.scoring_cluster import (
    BackendCpu,
    StartGate,
    create_topics,
    digest,
    instance_env,
    instances,
    same,
    stable_members,
    stop_on_sigterm,
)
from bench.scoring_drain import fill, generate, raw_drain
from services.common.kafka import KafkaClientConfig
from services.common.storage import migrate
from services.scoring.app import MIGRATIONS


class Failed(RuntimeError):
    pass


async def drain_with(
    n: int,
    *,
    kafka: KafkaClientConfig,
    prefix: str,
    total: int,
    postgres: str,
    workdir: Path,
    timeout: float,
    max_records: int | None,
) -> dict[str, Any]:
    """N instances in one group drain the topics into a fresh database."""
    async with fresh_database(postgres, "scale") as url:
        await migrate(MIGRATIONS, url)  # once, before: the instances find it done
        group = f"{prefix}scoring-{n}"
        env = instance_env(
            database_url=url, kafka=kafka, prefix=prefix, group=group, data_dir=str(workdir)
        )
        if max_records is not None:
            env["SCORING_CONSUMER_MAX_RECORDS"] = str(max_records)
        backends = BackendCpu(url)
        sampler = asyncio.create_task(backends.run())
        try:
            with instances() as spawn:
                return await _measure(
                    n, spawn, env, workdir, group, kafka, total, timeout, backends, url
                )
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler


async def _measure(
    n: int,
    spawn: Any,
    env: dict[str, str],
    workdir: Path,
    group: str,
    kafka: KafkaClientConfig,
    total: int,
    timeout: float,
    backends: BackendCpu,
    url: str,
) -> dict[str, Any]:
    gate = StartGate(url)
    await gate.close()
    running = [spawn(env, log=workdir / f"scoring-{n}-{i}.log") for i in range(n)]
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
                if await stable_members(kafka, group) == n:
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--instances", default="1,2,3", help="counts to run, in order")
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument(
        "--bootstrap", type=KafkaClientConfig.plain, default="127.0.0.1:19092", help="host:port,..."
    )
    parser.add_argument("--postgres", default="postgresql://kinerja:kinerja@127.0.0.1:15432")
    parser.add_argument(
        "--max-records",
        type=int,
        default=None,
        help="SCORING_CONSUMER_MAX_RECORDS of the instances (default: the service's)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per count")
    parser.add_argument("--json", default=None, help="write the JSON here instead of stdout")
    args = parser.parse_args()
    stop_on_sigterm()
    counts = [int(c) for c in args.instances.split(",")]
    kafka: KafkaClientConfig = args.bootstrap
    prefix = f"scale.{uuid.uuid4().hex[:8]}."
    print(f"machine: {machine()}  prefix {prefix}", flush=True)
    try:
        await create_topics(kafka, prefix, args.partitions)
        events = generate(args.events, args.employees)
        total = len(events)
        t0 = time.perf_counter()
        await fill(kafka, prefix, events)
        del events
        print(f"filled {total} events in {time.perf_counter() - t0:.1f}s", flush=True)
        raw = await raw_drain(kafka, prefix, total)
        print(f"floor: raw aiokafka getmany + json.loads {raw:,.0f} events/s", flush=True)
        runs: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
            for n in counts:
                run = await drain_with(
                    n,
                    kafka=kafka,
                    prefix=prefix,
                    total=total,
                    postgres=args.postgres,
                    workdir=Path(tmp),
                    timeout=args.timeout,
                    max_records=args.max_records,
                )
                runs.append(run)
                print(
                    f"{n} instance(s): {run['events_per_s'] or 0:,} events/s "
                    f"({run['events_per_cpu_s'] or 0:,} per CPU-s; scoring {run['scoring_cpu_s']} "
                    f"+ postgres {run['postgres_cpu_s']} CPU-s), peak RSS "
                    f"{[i['peak_rss_mib'] for i in run['per_instance']]} MiB, "
                    f"load {machine()['load_average_1m']}",
                    flush=True,
                )
    finally:
        await delete_topics(kafka, prefix)
    base = runs[0]
    for run in runs:
        run["ratio_to_first"] = ratio(run["events_per_s"], base["events_per_s"])
        run["cpu_ratio_to_first"] = ratio(run["events_per_cpu_s"], base["events_per_cpu_s"])
        run["differs_from_first"] = same(base["digest"], run["digest"])
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
