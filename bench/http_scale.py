"""HTTP at scale: the pages' JSON APIs through the gateway, open loop at fixed rates, on
regencies of many employees in PostgreSQL, while scoring ingests the activities posted.

    .venv/bin/python -m bench.http_scale [--regencies 10] [--size 10000] [--team 100]
        [--probe 30] [--read-rates 100,250,500] [--write-rates 50,100,200] [--seconds 20]
        [--reuse DIR] [--keep] [--port-offset 300] [--kafka 127.0.0.1:19092]
        [--database-url postgresql://kinerja:kinerja@127.0.0.1:15432] [--json PATH]

Starts the platform with the project's launcher (``deploy.run --no-live``, its own
PostgreSQL databases and topic prefix), seeds it with ``bench.http_seed`` (what is
missing only: ``--keep`` leaves platform data in place and ``--reuse DIR`` starts from it
again, seeding nothing twice). Then:

1. the probe: each endpoint alone, ``--probe`` requests one after another: latency
   without queueing and the CPU milliseconds each service spent per request (what a
   machine shared with other work changes least);
2. each page's HTML once (``/atasan``, ``/pegawai``, ``/admin``);
3. one phase per rate pair: reads at the first rate spread evenly over the endpoints of
   three pages (the supervisor's team view, the employee's score page, the admin's
   regency view), activity POSTs at the second. Latency counts from the scheduled send
   time, so a late send counts (no coordinated omission). The floor, in the same
   schedule: the gateway's ``/healthz`` at 20/s (the client and the gateway's own cost,
   no upstream). Per endpoint: count, errors, p50, p99; per phase: the achieved rate and
   the CPU seconds each service used;
4. how long scoring took to catch up with the posts, and peak RSS per service process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg

from bench.http_load import Endpoint, Target, brief, page_once, probe, run_phase
from bench.http_seed import ADMIN, TIME_ZONE, Seeder, people, sample, slug
from bench.live_platform import cpu_of, launched
from bench.report import emit, peak_rss_mib
from deploy.demo.accounts import DEMO_PASSWORD
from deploy.demo.client import Api
from deploy.ports import available_services
from services.common.kafka import KafkaClientConfig
from services.common.messaging.broker import delete_topics
from services.common.workdays import local_today

ROOT = Path(__file__).resolve().parent.parent
STATE = "http_scale.json"
SAMPLE = 40  # logged-in people per role and regency


def database_url(args: argparse.Namespace, prefix: str, service: str) -> str:
    base = args.database_url.replace("postgresql://", "postgresql+asyncpg://", 1).rstrip("/")
    return f"{base}/{prefix.strip('.').replace('.', '_')}_{service}"


async def drop_everything(args: argparse.Namespace, prefix: str) -> None:
    """The run's databases and topics (only its own: the prefix is new per run)."""
    connection = await asyncpg.connect(args.database_url.rstrip("/") + "/postgres")
    try:
        head = prefix.strip(".").replace(".", "_") + "_"
        rows = await connection.fetch("SELECT datname FROM pg_database")
        for row in rows:
            if row["datname"].startswith(head):
                await connection.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
    finally:
        await connection.close()
    await delete_topics(KafkaClientConfig.plain(args.kafka), prefix)


def targets_of(args: argparse.Namespace, api: Api) -> tuple[list[Target], list[Target]]:
    """Logged-in supervisors, employees (with their SKP) and admins of every regency:
    the read targets and the write targets."""
    everyone = people(args.size, args.team)
    heads = [p for p in everyone if p.unit_head]
    staff = [p for p in everyone if p.supervisor_nip and not p.unit_head]
    year = local_today(TIME_ZONE).year
    reads: list[Target] = []
    writes: list[Target] = []
    for number in range(1, args.regencies + 1):
        tenant = slug(number)
        admin = api.login(tenant, ADMIN, DEMO_PASSWORD)["access_token"]
        for head in sample(heads, SAMPLE // 4):
            token = api.login(tenant, head.nip, DEMO_PASSWORD)["access_token"]
            reads.append(Target("atasan", tenant, token, year))
        for person in sample(staff, SAMPLE):
            pair = api.login(tenant, person.nip, DEMO_PASSWORD)
            token = pair["access_token"]
            skp = api.call("targets", "GET", "/skp", token, params={"year": year})["items"][0]
            indicator = skp["rhk"][0]["indicators"][0]["indicator_id"]
            employee = skp["employee_id"]
            target = Target("pegawai", tenant, token, year, employee, skp["id"], indicator)
            reads.append(target)
            writes.append(target)
        reads.append(Target("admin", tenant, admin, year))
    return reads, writes


def endpoints() -> list[Endpoint]:
    """The JSON calls of the three pages (the paths their scripts ask, via the gateway)."""
    return [
        Endpoint("team.targets", "atasan", "GET", "/api/targets/skp/team?limit=200&year={year}"),
        Endpoint("team.scores", "atasan", "GET", "/api/scoring/scores/team?limit=200&year={year}"),
        Endpoint(
            "score.employee",
            "pegawai",
            "GET",
            "/api/scoring/scores/employees/{employee}?period={year}",
        ),
        Endpoint("score.skp", "pegawai", "GET", "/api/targets/skp?year={year}"),
        Endpoint(
            "regency.scores",
            "admin",
            "GET",
            "/api/scoring/scores/regency?year={year}&organisation_predikat=baik",
        ),
        Endpoint(
            "regency.skp",
            "admin",
            "GET",
            "/api/targets/skp/regency?unapproved=true&limit=500&year={year}",
        ),
        Endpoint("regency.units", "admin", "GET", "/api/identity/units?limit=500"),
    ]


async def scored(args: argparse.Namespace, prefix: str) -> int:
    url = database_url(args, prefix, "scoring").replace("+asyncpg", "")
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM score_activity"))
    finally:
        await connection.close()


async def measure(args: argparse.Namespace, prefix: str, pids: dict[str, int]) -> dict[str, Any]:
    ports = available_services(args.port_offset)
    api = Api(ports)
    seeder = Seeder(
        api,
        targets_url=database_url(args, prefix, "targets"),
        scoring_url=database_url(args, prefix, "scoring"),
        size=args.size,
        team=args.team,
        say=lambda line: print(line, flush=True),
    )
    seed_seconds = await seeder.run(args.regencies)
    print(f"seeded (or found) in {seed_seconds:.0f} s", flush=True)
    reads, writes = await asyncio.to_thread(targets_of, args, api)
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    probed = await probe(
        gateway,
        endpoints(),
        reads,
        writes,
        args.probe,
        lambda: cpu_of(pids),
    )
    for name, figures in probed.items():
        print(f"probe {name}: {figures}", flush=True)
    pages = await page_once(gateway, reads)  # before the phases: no backlog to wait behind
    await asyncio.sleep(2)  # the probe's posts reach scoring before the count
    before = await scored(args, prefix)
    phases = []
    posted = 0
    for read_rate, write_rate in zip(args.read_rates, args.write_rates, strict=True):
        cpu0 = cpu_of(pids)
        phase = await run_phase(
            gateway, endpoints(), reads, writes, read_rate, write_rate, args.seconds
        )
        cpu1 = cpu_of(pids)
        phase["cpu_seconds"] = {n: round(cpu1[n] - cpu0[n], 1) for n in cpu1 if n in cpu0}
        phase["load_average_1m"] = round(os.getloadavg()[0], 2)
        posted += phase["posted"]
        phases.append(phase)
        print(brief(phase), f"cpu s {phase['cpu_seconds']}", flush=True)
    ended = time.monotonic()
    await seeder.wait_for("scoring to catch up", partial(scored, args, prefix), before + posted)
    catch_up = time.monotonic() - ended
    api.close()
    return {
        "regencies": args.regencies,
        "employees_per_regency": args.size,
        "team": args.team,
        "seed_seconds": round(seed_seconds, 1),
        "probe": probed,
        "phases": phases,
        "pages_html_ms": pages,
        "ingest_caught_up_s_after_load": round(catch_up, 2),
        "peak_rss_mib": {n: peak_rss_mib(p) for n, p in pids.items()},
    }


def summary(result: dict[str, Any]) -> str:
    last = result["phases"][-1]
    worst_read = max(
        (e["p99"] or 0, name) for name, e in last["endpoints"].items() if name != "activity.post"
    )
    write = last["endpoints"].get("activity.post", {})
    errors = sum(e["errors"] for p in result["phases"] for e in p["endpoints"].values())
    return (
        f"{result['regencies']}x{result['employees_per_regency']} employees; at "
        f"{last['read_rate']}+{last['write_rate']}/s asked, {last['achieved_rps']}/s done: "
        f"worst read p99 {worst_read[0]} ms ({worst_read[1]}), write p99 {write.get('p99')} ms, "
        f"errors {errors}; floor (gateway /healthz) p99 {last['endpoints']['floor']['p99']} ms"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--regencies", type=int, default=10)
    parser.add_argument("--size", type=int, default=10_000, help="employees per regency")
    parser.add_argument("--team", type=int, default=100, help="staff per unit head")
    rates = lambda text: [int(x) for x in text.split(",")]  # noqa: E731
    parser.add_argument("--read-rates", type=rates, default=[100, 250, 500])
    parser.add_argument("--write-rates", type=rates, default=[50, 100, 200])
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument(
        "--probe", type=int, default=30, help="requests per endpoint, one at a time, first"
    )
    parser.add_argument("--reuse", type=Path, help="a data directory of an earlier --keep run")
    parser.add_argument("--keep", action="store_true", help="keep databases, topics, data dir")
    parser.add_argument("--port-offset", type=int, default=300)
    parser.add_argument("--kafka", default="127.0.0.1:19092")
    parser.add_argument("--database-url", default="postgresql://kinerja:kinerja@127.0.0.1:15432")
    parser.add_argument("--json", help="write the JSON here instead of printing it")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.reuse:
        data_dir = args.reuse.resolve()
        state = json.loads((data_dir / STATE).read_text())
        prefix = state["prefix"]
    else:
        (ROOT / ".data").mkdir(exist_ok=True)
        data_dir = Path(tempfile.mkdtemp(prefix="http_scale-", dir=ROOT / ".data"))
        prefix = f"http.{uuid.uuid4().hex[:8]}."
        (data_dir / STATE).write_text(json.dumps({"prefix": prefix}))
    print(f"data {data_dir}, prefix {prefix}", flush=True)
    try:
        with launched(
            args.kafka,
            port_offset=args.port_offset,
            prefix=prefix,
            database_url=args.database_url,
            data_dir=data_dir,
        ) as platform:
            result = asyncio.run(measure(args, prefix, platform.pids))
    finally:
        if not args.keep and not args.reuse:
            asyncio.run(drop_everything(args, prefix))
            shutil.rmtree(data_dir, ignore_errors=True)
    emit("http_scale", result, summary(result), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
