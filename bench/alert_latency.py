"""Alert latency under load: accepted activity POST -> the alert on a supervisor's live stream.

    .venv/bin/python -m bench.alert_latency [--rates 50,200,500] [--duration 60]
        [--kafka 127.0.0.1:19092] [--port-offset 700] [--database-url postgresql://...]
        [--reuse] [--supervisors 20] [--per-supervisor 15] [--alert-every 10]
        [--bound 30] [--drain 30] [--floor-messages 1000] [--idle-seconds 15]
        [--env SCORING_CONSUMER_BATCH_TIMEOUT_MS=10 ...] [--json out.json]

Starts the real platform (``deploy.run``: every service as its own process) on the broker
given, under a topic prefix of its own, on a fresh data directory (``--reuse``: the platform
already answering on ``--port-offset``'s ports), and seeds a regency of its own through the
services' APIs: ``--supervisors`` heads with ``--per-supervisor`` staff each, every staff
member with an approved SKP of one indicator aggregated as "latest" (target 100 %).

Then, per rate, an open-loop load of single activity POSTs through the gateway
(``/api/targets/activities``, each as its employee with their own token) for ``--duration``
seconds, each request due at a fixed time whatever the earlier ones did, its latency counted
from that due time. Every ``--alert-every``-th request is a toggle: it logs 40 % for an
employee who is on target (raising "behind target" to the supervisor) or 100 % for one who
is behind (clearing it); the rest log 100 % for employees on target (no alert). Every
supervisor's SSE stream (``/events/alerts``) is open all along; an alert is matched to the
toggle that caused it, and the latency is the POST's 2xx answer -> the alert on the stream.
An alert not there ``--bound`` seconds after its POST was accepted counts as missing. A
POST still unanswered ``--drain`` seconds after the phase's last one was due is cancelled
and counted (``unanswered_at_phase_end``): past capacity a backlog outlasts any run.

In the same run, before the load: the floor, a plain Kafka produce -> consume round trip on
the same broker (acks=all, idempotent: the services' producer settings), one message at a
time; then each service's CPU while idle. Per phase: each process's CPU seconds. At the
end: the peak RSS of every service process; the load average with every phase. ``--env``
passes settings to the services (an A/B of a setting in two runs of the same code).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.live_platform import Person, Seeded, cpu_of, launched, relogin, seed
from bench.openloop import Expectation, Matcher, Plan, due_times
from bench.rawhttp import Pool, ProtocolError
from bench.report import emit, latency_summary, peak_rss_mib
from services.common.kafka import KafkaClientConfig
from services.common.messaging import ensure_topics
from services.common.messaging.broker import create_producer, delete_topics

TOKEN_REFRESH_SECONDS = 8 * 60  # access tokens live 15 minutes


# ---------------------------------------------------------------- the floor


async def kafka_floor(kafka: str, topic: str, messages: int) -> dict[str, Any]:
    """Produce -> consume round trips, one message at a time, in ms."""
    config = KafkaClientConfig.plain(kafka)
    await ensure_topics(config, [topic], partitions=1, with_dead_letter=False)
    producer = create_producer(config, client_id="bench-floor")
    consumer = AIOKafkaConsumer(**config.client_options(), enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    samples: list[float] = []
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_end(partition)
        for i in range(messages + 20):  # the first 20 warm the connections up
            sent = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            await consumer.getone()
            if i >= 20:
                samples.append((time.perf_counter() - sent) * 1000)
    finally:
        await consumer.stop()
        await producer.stop()
    return latency_summary(samples)


# ---------------------------------------------------------------- the streams


@dataclass
class Streams:
    """Every supervisor's SSE stream, each reconnecting (with Last-Event-ID) when it ends."""

    gateway: str
    matcher: Matcher
    connected: int = 0
    reconnects: int = 0
    alerts: int = 0
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # every stream connected once

    def open(self, supervisors: list[Person]) -> None:
        self.tasks = [asyncio.create_task(self._follow(p)) for p in supervisors]

    async def _follow(self, person: Person) -> None:
        last: str | None = None
        timeout = httpx.Timeout(10.0, read=None)
        async with httpx.AsyncClient(base_url=self.gateway, timeout=timeout) as client:
            while True:
                headers = {"Authorization": f"Bearer {person.token}"}
                if last is not None:
                    headers["Last-Event-ID"] = last
                try:
                    async with client.stream("GET", "/events/alerts", headers=headers) as r:
                        r.raise_for_status()
                        last = await self._read(r, last)
                except (httpx.HTTPError, OSError):
                    await asyncio.sleep(0.5)
                self.reconnects += 1  # the stream ended (a token expires): follow on

    async def _read(self, response: httpx.Response, last: str | None) -> str | None:
        event, data, seq = "", "", last
        async for line in response.aiter_lines():
            if line.startswith(":"):
                if "connected" in line:
                    self.connected += 1
                    if self.connected >= len(self.tasks):
                        self.ready.set()
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif line.startswith("id:"):
                seq = line[3:].strip()
            elif not line and event:
                if event == "alert":
                    at = time.monotonic()
                    alert = json.loads(data)
                    self.alerts += 1
                    self.matcher.arrived(alert["kind"], alert["action"], alert["subject_id"], at)
                event, data = "", ""
        return seq

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


# ---------------------------------------------------------------- one phase


@dataclass
class Phase:
    rate: float
    duration: float
    posts: list[float] = field(default_factory=list)  # ms from due to the answer
    send_lag: list[float] = field(default_factory=list)  # ms from due to sent
    errors: Counter[str] = field(default_factory=Counter)
    toggles: list[Expectation] = field(default_factory=list)
    sent: int = 0
    schedule_seconds: float = 0.0
    answers_seconds: float = 0.0

    async def post(
        self,
        client: Pool,
        plan: Plan,
        person: Person,
        value: float,
        day: str,
        due: float,
        expected: Expectation | None,
    ) -> None:
        body = {
            "skp_id": person.skp_id,
            "indicator_id": person.indicator_id,
            "activity_date": day,
            "value": value,
        }
        headers = {"Authorization": f"Bearer {person.token}"}
        try:
            response = await client.post_json("/api/targets/activities", body, headers)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ProtocolError) as exc:
            self.errors[type(exc).__name__] += 1
            if expected is not None:
                plan.lost(expected)
            return
        except asyncio.CancelledError:  # unanswered at the phase's end (counted there)
            if expected is not None:
                plan.lost(expected)
            raise
        now = time.monotonic()
        self.posts.append((now - due) * 1000)
        if response.ok:
            if expected is not None:
                expected.accepted = now
        else:
            self.errors[str(response.status)] += 1
            if expected is not None:
                plan.failed(expected)

    async def run(
        self, client: Pool, plan: Plan, staff: dict[str, Person], day: str, drain: float
    ) -> None:
        """Send the phase's requests on schedule (``staff`` by employee id)."""
        in_flight: set[asyncio.Task[None]] = set()
        start = time.monotonic() + 0.2
        for offset in due_times(self.rate, self.duration):
            due = start + offset
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.send_lag.append((time.monotonic() - due) * 1000)
            employee, value, expected = plan.next(due)
            if expected is not None:
                self.toggles.append(expected)
            task = asyncio.create_task(
                self.post(client, plan, staff[employee], value, day, due, expected)
            )
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            self.sent += 1
        self.schedule_seconds = time.monotonic() - start
        if in_flight:
            # Bounded: past capacity the backlog would outlast any run. What is still
            # unanswered then is cancelled and counted, never dropped from the figures.
            _, late = await asyncio.wait(set(in_flight), timeout=drain)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            self.errors["unanswered_at_phase_end"] += len(late)
        self.answers_seconds = time.monotonic() - start

    async def settle(self, bound: float) -> float:
        """Wait until every accepted toggle's alert arrived, or ``bound`` seconds after the
        last answer; how long it took."""
        began = time.monotonic()
        while any(t.arrived is None and t.accepted is not None for t in self.toggles):
            if time.monotonic() - began > bound:
                break
            await asyncio.sleep(0.05)
        return time.monotonic() - began

    def result(self, settle_seconds: float) -> dict[str, Any]:
        accepted = [t for t in self.toggles if t.accepted is not None]
        latencies = [ms for t in accepted if (ms := Matcher.latency_ms(t)) is not None]
        return {
            "rate": self.rate,
            "duration_s": self.duration,
            "sent": self.sent,
            "achieved_send_rate": round(self.sent / self.schedule_seconds, 1)
            if self.schedule_seconds
            else None,
            "send_lag_ms": latency_summary(self.send_lag),
            "post_ms": latency_summary(self.posts),
            "post_errors": dict(self.errors),
            "last_answer_after_s": round(self.answers_seconds, 2),
            "answered_per_s": round(len(self.posts) / self.answers_seconds, 1)
            if self.answers_seconds
            else None,
            "toggles_sent": len(self.toggles),
            "toggles_accepted": len(accepted),
            "alert_ms": latency_summary(latencies),
            "alerts_missing": sum(1 for t in accepted if t.arrived is None),
            "alerts_before_answer": sum(
                1 for t in accepted if t.arrived is not None and t.arrived < (t.accepted or 0)
            ),
            "settle_s": round(settle_seconds, 2),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }


# ---------------------------------------------------------------- the run


def idle_cpu(pids: dict[str, int], seconds: float) -> dict[str, float]:
    """Each process's CPU while nothing happens (polling consumers, relays, checks), in
    percent of one core."""
    before = cpu_of(pids)
    time.sleep(seconds)
    after = cpu_of(pids)
    return {n: round((after[n] - before[n]) / seconds * 100, 1) for n in after if n in before}


async def load(args: argparse.Namespace, gateway: str, seeded: Seeded) -> dict[str, Any]:
    staff = seeded.staff()
    togglers_n = max(len(staff) // 2, 1)
    # Keyed by employee id: that is the alerts' subject.
    plan = Plan(
        togglers=[p.employee_id for p in staff[:togglers_n]],
        steady=[p.employee_id for p in staff[togglers_n:]] or [p.employee_id for p in staff],
        every=args.alert_every,
    )
    matcher = Matcher(plan)
    streams = Streams(gateway, matcher)
    streams.open(seeded.supervisors())
    by_id = {p.employee_id: p for p in staff}
    phases: list[dict[str, Any]] = []
    client = Pool("127.0.0.1", args.ports["gateway"], args.connections)
    tokens_at = time.monotonic()
    try:
        await asyncio.wait_for(streams.ready.wait(), timeout=60)
        for rate in args.rates:
            if time.monotonic() - tokens_at > TOKEN_REFRESH_SECONDS:
                await asyncio.to_thread(relogin, args.ports, seeded)
                tokens_at = time.monotonic()
            phase = Phase(rate, args.duration)
            cpu_before = cpu_of(args.pids)
            await phase.run(client, plan, by_id, seeded.today.isoformat(), args.drain)
            settled = await phase.settle(args.bound)
            phases.append(phase.result(settled))
            phases[-1]["cpu_seconds"] = {  # where the machine's time went in this phase
                name: round(after - cpu_before[name], 1)
                for name, after in cpu_of(args.pids).items()
                if name in cpu_before
            }
            print(json.dumps(phases[-1]), flush=True)
            await asyncio.sleep(args.pause)
    finally:
        await client.close()
        await streams.close()
    return {
        "phases": phases,
        "streams": {
            "supervisors": len(seeded.supervisors()),
            "connected": streams.connected,
            "reconnects": streams.reconnects,
            "alerts_received": streams.alerts,
            "alerts_unmatched": matcher.unexpected,
        },
        "toggles_skipped_none_free": plan.skipped,
    }


def summary(result: dict[str, Any]) -> str:
    floor = result["floor_ms"]
    parts = []
    for p in result["phases"]:
        a = p["alert_ms"]
        ratio = a["p99"] / floor["p99"] if a["p99"] is not None and floor["p99"] else None
        parts.append(
            f"{p['rate']:g}/s (sent {p['achieved_send_rate']}/s): alert p50 {a['p50']} "
            f"p99 {a['p99']} p99.9 {a['p99.9']} ms n={a['count']} missing "
            f"{p['alerts_missing']}, p99/floor {ratio and round(ratio, 1)}; POST p50 "
            f"{p['post_ms']['p50']} p99 {p['post_ms']['p99']} ms, errors "
            f"{sum(p['post_errors'].values())}"
        )
    return (
        "; ".join(parts)
        + f" | floor kafka p50 {floor['p50']} p99 {floor['p99']} ms; goal p99@200/s <= 5x floor"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    prefix = args.prefix or f"latency.{uuid.uuid4().hex[:8]}."
    slug = "lat-" + uuid.uuid4().hex[:8]
    with launched(
        args.kafka,
        port_offset=args.port_offset,
        prefix=prefix,
        database_url=args.database_url,
        reuse=args.reuse,
        env=dict(item.split("=", 1) for item in args.env),
    ) as platform:
        args.ports = platform.ports
        args.pids = {**platform.pids, "bench": os.getpid()}
        seeded = seed(platform.ports, slug, args.supervisors, args.per_supervisor)
        print(f"seeded {len(seeded.staff())} staff in {seeded.seconds:.1f}s", flush=True)
        floor = asyncio.run(kafka_floor(args.kafka, prefix + "bench.floor", args.floor_messages))
        idle = idle_cpu(args.pids, args.idle_seconds)
        gateway = f"http://127.0.0.1:{platform.ports['gateway']}"
        result = asyncio.run(load(args, gateway, seeded))
        rss = {name: peak_rss_mib(pid) for name, pid in platform.pids.items()}
    if args.reuse:
        asyncio.run(delete_topics(KafkaClientConfig.plain(args.kafka), prefix))
    return {
        "floor_ms": floor,
        "idle_cpu_percent": idle,
        "service_env": args.env,
        **result,
        "peak_rss_mib": {**rss, "bench": peak_rss_mib()},
        "seeding_s": round(seeded.seconds, 1),
        "staff": len(seeded.staff()),
        "alert_every": args.alert_every,
        "database": "postgresql" if args.database_url else "sqlite",
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rates", default="50,200,500")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--kafka", default="127.0.0.1:19092")
    parser.add_argument("--port-offset", type=int, default=700)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="use the platform already running")
    parser.add_argument("--prefix", help="topic prefix (default latency.<random>.)")
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--per-supervisor", type=int, default=15)
    parser.add_argument("--alert-every", type=int, default=10)
    parser.add_argument("--bound", type=float, default=30.0, help="seconds before 'missing'")
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between phases")
    parser.add_argument(
        "--drain", type=float, default=30.0, help="seconds for answers after the schedule"
    )
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--floor-messages", type=int, default=1000)
    parser.add_argument("--idle-seconds", type=float, default=15.0)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="for the services, e.g. SCORING_CONSUMER_BATCH_TIMEOUT_MS=100 (repeatable)",
    )
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    args.rates = [float(r) for r in args.rates.split(",")]
    return args


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # so the platform and the topics are cleaned up on `kill` too


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _stop)
    args = parse_args(argv)
    result = run(args)
    emit("alert_latency", result, summary(result), args.json)


if __name__ == "__main__":
    main()
