"""Run the whole platform on this machine: Kafka, then every service, optionally demo data.

    python -m deploy.run            # infrastructure + every service, until Ctrl-C
    python -m deploy.run --demo     # the same, plus demo regencies, people and activity

Embedded defaults: one SQLite file per service under ``.data/`` and the local Kafka of
``deploy.local`` (unless ``KAFKA_BOOTSTRAP_SERVERS`` points elsewhere). Each service runs
as its own process (``python -m services.<name>``), as it would in production.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Start order: identity first (the others build their org chart from its events).
SERVICES = {
    "identity": 8001,
    "targets": 8002,
    "assessment": 8003,
    "feedback": 8004,
    "scoring": 8005,
    "gateway": 8000,
}


def available_services() -> dict[str, int]:
    return {
        name: port
        for name, port in SERVICES.items()
        if importlib.util.find_spec(f"services.{name}.__main__") is not None
    }


def wait_healthy(name: str, port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/healthz"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            code = process.returncode
            raise RuntimeError(f"{name} exited with code {code}; see .data/{name}.log")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{name} did not answer {url} within {timeout:.0f}s")


def start_services(env: dict[str, str], data_dir: Path) -> dict[str, subprocess.Popen[bytes]]:
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, port in available_services().items():
        log = (data_dir / f"{name}.log").open("ab")
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_healthy(name, port, processes[name], timeout=60)
        print(f"  {name:<11} http://127.0.0.1:{port}  (docs: /docs, metrics: /metrics)")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="load demo data once started")
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help="stop everything once started (and seeded): a smoke test of the whole platform",
    )
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
        from deploy.local.kafka import ensure_kafka

        env["KAFKA_BOOTSTRAP_SERVERS"] = ensure_kafka()
    print(f"Kafka: {env['KAFKA_BOOTSTRAP_SERVERS']}")
    data_dir = ROOT / env.setdefault("KINERJA_DATA_DIR", ".data")
    data_dir.mkdir(parents=True, exist_ok=True)

    print("Starting services:")
    processes = start_services(env, data_dir)
    try:
        if args.demo:
            from deploy.demo_data import load_demo_data

            load_demo_data(SERVICES)
        if args.exit_after_start:
            return 0
        print("Running. Ctrl-C stops every service (Kafka keeps running: deploy.local down).")
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        failed = [n for n, p in processes.items() if p.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(failed)}; see .data/<service>.log")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_services(processes)


if __name__ == "__main__":
    sys.exit(main())
