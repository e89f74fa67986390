"""Run the whole platform on this machine: Kafka, then every service, optionally demo data.

    python -m deploy.run            # infrastructure + every service, until Ctrl-C
    python -m deploy.run --demo     # the same, plus demo regencies, people and activity

Embedded defaults: one SQLite file per service under ``.data/`` and the local Kafka of
``deploy.local`` (unless ``KAFKA_BOOTSTRAP_SERVERS`` points elsewhere). Each service runs
as its own process (``python -m services.<name>``), as it would in production.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from deploy import preflight, progress
from deploy.ports import available_services

ROOT = Path(__file__).resolve().parent.parent


def wait_healthy(
    name: str, port: int, process: subprocess.Popen[bytes], timeout: float, log: Path
) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/healthz"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            code = process.returncode
            raise RuntimeError(f"{name} exited with code {code}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{name} did not answer {url} within {timeout:.0f}s")


def start_service(
    name: str, port: int, env: dict[str, str], data_dir: Path
) -> subprocess.Popen[bytes]:
    """One service as its own process on ``port``, once it answers /healthz."""
    process = spawn_service(name, port, env, data_dir)
    try:
        wait_healthy(name, port, process, timeout=90, log=data_dir / f"{name}.log")
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


# prctl(2) option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


def _libc_prctl() -> Any:
    """libc's prctl, looked up here in the parent: the child between fork and exec (where
    other threads' locks may be held) only calls it."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


_prctl = _libc_prctl()


def die_with_parent(launcher: int) -> None:
    """In the child, before exec: SIGTERM when the launcher dies, however it dies (even
    SIGKILL, where its own clean-up never runs), so no service is left behind. Linux only;
    elsewhere the launcher's clean-up is all there is."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != launcher:  # the launcher died before prctl: nobody would stop us
        os._exit(1)


def spawn_service(
    name: str, port: int, env: dict[str, str], data_dir: Path
) -> subprocess.Popen[bytes]:
    """One service as its own process on ``port`` (not waited for)."""
    log_path = data_dir / f"{name}.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", f"services.{name}"],
        cwd=ROOT,
        env={**env, f"{name.upper()}_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=functools.partial(die_with_parent, os.getpid()),
    )
    log.close()  # the child keeps its own descriptor
    return process


def start_services(
    env: dict[str, str], data_dir: Path, ports: dict[str, int] | None = None
) -> dict[str, subprocess.Popen[bytes]]:
    ports = available_services() if ports is None else ports
    if "gateway" in ports:  # its upstreams, and survey QR codes point at its public pages
        wiring = {
            f"GATEWAY_{name.upper()}_URL": f"http://127.0.0.1:{port}"
            for name, port in ports.items()
            if name != "gateway"
        }
        wiring["FEEDBACK_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{ports['gateway']}"
        # Every service listens on 127.0.0.1 only, so the one address that can set
        # X-Forwarded-For is the gateway: each citizen gets their own rate budget.
        wiring["FEEDBACK_TRUSTED_PROXIES"] = "1"
        wiring["IDENTITY_TRUSTED_PROXIES"] = "1"
        env = {**wiring, **env}  # what the caller set wins
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        # All at once: each consumes identity's events from Kafka whenever identity
        # publishes them, so the start order does not matter, and on two cores the
        # imports and migrations overlap with each other's waiting.
        for name, port in ports.items():
            processes[name] = spawn_service(name, port, env, data_dir)
        for name, port in ports.items():
            wait_healthy(name, port, processes[name], 90, data_dir / f"{name}.log")
            progress.say(f"{name:<11} http://127.0.0.1:{port}  (docs: /docs, metrics: /metrics)")
    except BaseException:
        stop_services(processes)
        raise
    return processes


def stop_services(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="load demo data once started")
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help="stop everything once started (and seeded): a smoke test of the whole platform",
    )
    parser.add_argument(
        "--size",
        type=int,
        default=0,
        metavar="N",
        help="demo: N employees per regency (default: the core, ~30)",
    )
    parser.add_argument(
        "--no-live",
        dest="live",
        action="store_false",
        help="demo: no live trickle of activities, surveys and complaints",
    )
    parser.add_argument(
        "--live-speed",
        type=float,
        default=60.0,
        metavar="X",
        help="demo: simulated working minutes per real second x 60 (default 60: an hour a minute)",
    )
    parser.add_argument(
        "--regencies", metavar="SLUG,SLUG", help="demo: only these regencies (default: all six)"
    )
    parser.add_argument(
        "--reset", action="store_true", help="start from nothing: delete the data directory first"
    )
    parser.add_argument("--data-dir", default=os.environ.get("KINERJA_DATA_DIR") or ".data")
    parser.add_argument(
        "--port-offset", type=int, default=int(os.environ.get("KINERJA_PORT_OFFSET") or 0)
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a PostgreSQL server (postgresql://user:pw@host:port): one "
        "database per service there, instead of SQLite files",
    )
    parser.add_argument(
        "--kafka",
        metavar="HOST:PORT",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        help="an external Kafka instead of the local one",
    )
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace) -> tuple[dict[str, str], Path, dict[str, int]]:
    """The environment, data directory and ports; StartError when something is wrong."""
    env = dict(os.environ)
    # This runs the platform on one machine: development, unless the caller says otherwise
    # (a service started on its own defaults to production and refuses development values).
    env.setdefault("KINERJA_ENVIRONMENT", "development")
    data_dir = (ROOT / args.data_dir).resolve()
    env["KINERJA_DATA_DIR"] = str(data_dir)
    ports = available_services(args.port_offset)
    preflight.check_prerequisites(local_kafka=not args.kafka)
    preflight.check_ports(ports)
    if args.reset:
        preflight.reset_data_dir(data_dir)
    preflight.check_data_dir(data_dir, sqlite=not args.database_url)
    if args.database_url:
        prefix = env.get("KINERJA_TOPIC_PREFIX", "")
        env.update(preflight.postgres_urls(args.database_url, list(ports), prefix))
    if args.kafka:
        env["KAFKA_BOOTSTRAP_SERVERS"] = args.kafka
    else:
        from deploy.local.kafka import ensure_kafka

        env["KAFKA_BOOTSTRAP_SERVERS"] = ensure_kafka()
    return env, data_dir, ports


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # `kill` (SIGTERM) stops the services too, as Ctrl-C does; SIGINT explicitly, because a
    # shell that starts us in the background leaves it ignored and Python then keeps it so.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    started = time.monotonic()
    progress.start(started)
    try:
        env, data_dir, ports = prepare(args)
    except (preflight.StartError, TimeoutError, RuntimeError) as exc:
        print(f"kinerja: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    print(
        f"Environment: {env['KINERJA_ENVIRONMENT']}  Kafka: {env['KAFKA_BOOTSTRAP_SERVERS']}"
        f"  data: {data_dir}"
    )
    progress.say("Starting services:")
    processes: dict[str, subprocess.Popen[bytes]] = {}
    live = None
    if args.demo:  # the loader's imports (seconds on a busy machine) while the services start
        threading.Thread(
            target=importlib.import_module, args=("deploy.demo.cli",), daemon=True
        ).start()
    try:
        processes = start_services(env, data_dir, ports)
        if args.demo:
            from deploy.demo.cli import load_demo_data

            live = load_demo_data(
                ports,
                size=args.size,
                live=args.live,
                speed=args.live_speed,
                started=started,
                only=args.regencies,
            )
        pids = {"launcher": os.getpid(), **{n: p.pid for n, p in processes.items()}}
        progress.say(progress.cpu_report(pids))
        if args.exit_after_start:
            return 0
        print(
            "Running. Ctrl-C stops every service (Kafka keeps running: deploy.local down).",
            flush=True,
        )
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        failed = [n for n, p in processes.items() if p.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(failed)}; see {data_dir}/<service>.log")
        return 1
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, TimeoutError) as exc:  # a service that did not start, a refused step
        # (DemoError is a RuntimeError: the service's answer, in one line)
        print(f"kinerja: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not orphan them
        if live is not None:
            live.stop()
        stop_services(processes)


if __name__ == "__main__":
    sys.exit(main())
