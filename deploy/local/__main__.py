"""CLI: ``python -m deploy.local up|status|down|env``.

``up`` starts the single Kafka node (or the 3-node cluster with ``--cluster``) and
PostgreSQL, creates the per-service databases and prints how long it took; running it
again is harmless. ``down`` stops everything that is running (only the cluster with
``--cluster``). ``env`` prints shell-sourceable settings for the services:
``eval "$(python -m deploy.local env)"``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
import time

from deploy.local import LOOPBACK, kafka, kafka_cluster, postgres


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.local", description=__doc__)
    parser.add_argument("--kafka-port", type=int, default=19092)
    parser.add_argument("--cluster-base-port", type=int, default=29092)
    parser.add_argument("--pg-port", type=int, default=15432)
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start Kafka and PostgreSQL (idempotent)")
    up.add_argument("--kafka", action=argparse.BooleanOptionalAction, default=True)
    up.add_argument("--postgres", action=argparse.BooleanOptionalAction, default=True)
    up.add_argument("--cluster", action="store_true", help="3-node Kafka instead of 1")

    commands.add_parser("fetch", help="resolve the Kafka jars from Maven Central (idempotent)")
    commands.add_parser("status", help="show what is running")

    down = commands.add_parser("down", help="stop everything that is running")
    down.add_argument("--cluster", action="store_true", help="stop only the 3-node cluster")

    env = commands.add_parser("env", help="print KAFKA_BOOTSTRAP_SERVERS and KINERJA_PG_URL")
    env.add_argument("--cluster", action="store_true", help="point at the 3-node cluster")
    return parser


def _up(args: argparse.Namespace) -> None:
    started = time.monotonic()
    # An address given in the environment wins: nothing is started for it.
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        print(f"kafka: {os.environ['KAFKA_BOOTSTRAP_SERVERS']} (given, not started)")
        args.kafka = False
    given_pg = os.environ.get("KINERJA_TEST_PG_URL") or os.environ.get("KINERJA_PG_URL")
    if given_pg:
        print("postgres: given in the environment, not started")
        args.postgres = False
    if args.kafka:
        if args.cluster:
            print(f"kafka cluster: {kafka_cluster.ensure_cluster(args.cluster_base_port)}")
        else:
            print(f"kafka: {kafka.ensure_kafka(args.kafka_port)}")
    if args.postgres:
        dsn = postgres.ensure_postgres(args.pg_port)
        postgres.create_databases(list(postgres.SERVICE_DATABASES), port=args.pg_port)
        print(f"postgres: {dsn} (databases: {', '.join(postgres.SERVICE_DATABASES)})")
    print(f"up in {time.monotonic() - started:.1f}s")


def _fetch(_args: argparse.Namespace) -> None:
    print(f"kafka jars: {kafka.ensure_libs()} (Kafka {kafka.kafka_version()})")


def _status(args: argparse.Namespace) -> None:
    report = {
        "kafka": kafka.kafka_status(args.kafka_port),
        "kafka_cluster": kafka_cluster.cluster_status(args.cluster_base_port),
        "postgres": postgres.postgres_status(args.pg_port),
    }
    print(json.dumps(report, indent=2))


def _down(args: argparse.Namespace) -> None:
    kafka_cluster.stop_cluster(args.cluster_base_port)
    if args.cluster:
        return
    kafka.stop_kafka(args.kafka_port)
    postgres.stop_postgres(args.pg_port)
    print("stopped")


def _env(args: argparse.Namespace) -> None:
    if args.cluster:
        specs = kafka_cluster.cluster_specs(args.cluster_base_port)
        bootstrap = ",".join(spec.bootstrap for spec in specs)
    else:
        bootstrap = f"{LOOPBACK}:{args.kafka_port}"
    print(f"KAFKA_BOOTSTRAP_SERVERS={shlex.quote(bootstrap)}")
    print(f"KINERJA_PG_URL={shlex.quote(postgres.base_dsn(args.pg_port))}")


def main(argv: list[str] | None = None) -> int:
    # aiokafka logs errors while the readiness probe waits for topic/coordinator
    # creation; those warnings are expected here, real failures still raise.
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    args = _parser().parse_args(argv)
    handlers = {"fetch": _fetch, "up": _up, "status": _status, "down": _down, "env": _env}
    try:
        handlers[args.command](args)
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
