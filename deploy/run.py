"""Run the whole platform on this machine: Kafka, then every service, optionally demo data.

    python -m deploy.run            # infrastructure + every service, until Ctrl-C
    python -m deploy.run --demo     # the same, plus demo regencies, people and activity

Embedded defaults: one SQLite file per service under ``.data/`` and the local Kafka of
``deploy.local`` (unless ``KAFKA_BOOTSTRAP_SERVERS`` points elsewhere). Each service runs
as its own process (``python -m services.<name>``), as it would in production.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

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
    log_path = data_dir / f"{name}.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", f"services.{name}"],
        cwd=ROOT,
        env={**env, f"{name.upper()}_PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()  # the child keeps its own descriptor
    try:
        wait_healthy(name, port, process, timeout=60, log=log_path)
    except BaseException:
        process.kill()
        process.wait()
        raise
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
        for name, port in ports.items():
            processes[name] = start_service(name, port, env, data_dir)
            print(f"  {name:<11} http://127.0.0.1:{port}  (docs: /docs, metrics: /metrics)")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="load demo data once started")
    parser.add_argument(
        "--exit-after-start",
        action="store_true",
        help="stop everything once started (and seeded): a smoke test of the whole platform",
    )
    args = parser.parse_args(argv)
    # `kill` (SIGTERM) stops the services too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)

    env = dict(os.environ)
    # This runs the platform on one machine: development, unless the caller says otherwise
    # (a service started on its own defaults to production and refuses development values).
    env.setdefault("KINERJA_ENVIRONMENT", "development")
    print(f"Environment: {env['KINERJA_ENVIRONMENT']}")
    if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
        from deploy.local.kafka import ensure_kafka

        env["KAFKA_BOOTSTRAP_SERVERS"] = ensure_kafka()
    print(f"Kafka: {env['KAFKA_BOOTSTRAP_SERVERS']}")
    data_dir = ROOT / env.setdefault("KINERJA_DATA_DIR", ".data")
    data_dir.mkdir(parents=True, exist_ok=True)

    ports = available_services(int(env.get("KINERJA_PORT_OFFSET") or 0))
    print("Starting services:")
    processes = start_services(env, data_dir, ports)
    try:
        if args.demo:
            from deploy.demo.cli import load_demo_data

            load_demo_data(ports)
        if args.exit_after_start:
            return 0
        print("Running. Ctrl-C stops every service (Kafka keeps running: deploy.local down).")
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        failed = [n for n, p in processes.items() if p.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(failed)}; see {data_dir}/<service>.log")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop_services(processes)


if __name__ == "__main__":
    sys.exit(main())
