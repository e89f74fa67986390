"""A real Prometheus (Debian's ``prometheus`` binary) for tests: a generated configuration
scraping a running platform every second, the repository's alert rules with only their
``for:`` shortened, and a small client of its HTTP API."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.deploy.contract import DEPLOY

RULES = DEPLOY / "prometheus" / "alerts.yml"
TEST_FOR = "5s"  # a rule's "for:" in the test copy; nothing else of a rule changes


def rules_with_short_for(source: Path = RULES, for_: str = TEST_FOR) -> dict[str, Any]:
    """The repository's rules with every ``for:`` set to ``for_``: the deployed durations
    (5 to 60 minutes) would not fit a test; the expressions, labels and names stay."""
    rules = yaml.safe_load(source.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = for_
    return dict(rules)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def config(targets: dict[str, int], rule_file: Path) -> dict[str, Any]:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(rule_file)],
        "scrape_configs": [
            {
                "job_name": "kinerja",
                "metrics_path": "/metrics",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{port}"], "labels": {"service": service}}
                    for service, port in targets.items()
                ],
            }
        ],
    }


@contextmanager
def running_prometheus(targets: dict[str, int], workdir: Path) -> Iterator[str]:
    """Prometheus scraping ``targets`` (service -> port); yields its base URL."""
    binary = shutil.which("prometheus")
    assert binary, "Debian's prometheus package is missing (scripts/install.sh installs it)"
    rule_file = workdir / "alerts.yml"
    rule_file.write_text(yaml.safe_dump(rules_with_short_for(), sort_keys=False))
    config_file = workdir / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config(targets, rule_file), sort_keys=False))
    port = free_port()
    log = (workdir / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, (workdir / "prometheus.log").read_text()[-2000:]
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise TimeoutError("Prometheus did not become ready within 30 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class PrometheusApi:
    def __init__(self, url: str) -> None:
        self.url = url

    async def get(self, path: str, **params: str) -> Any:
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.get(f"{self.url}/api/v1/{path}", params=params)
        answer.raise_for_status()
        body = answer.json()
        assert body["status"] == "success", body
        return body["data"]

    async def value(self, query: str) -> float:
        """The single value of an instant query (0 when it has no series)."""
        result = (await self.get("query", query=query))["result"]
        assert len(result) <= 1, f"{query} gave {len(result)} series"
        return float(result[0]["value"][1]) if result else 0.0

    async def targets(self) -> list[dict[str, Any]]:
        return list((await self.get("targets"))["activeTargets"])

    async def firing(self) -> list[dict[str, Any]]:
        return [a for a in (await self.get("alerts"))["alerts"] if a["state"] == "firing"]

    async def until(self, check: Any, *, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            last = await check()
            if last:
                return last
            await asyncio.sleep(0.5)
        raise AssertionError(f"{what}: not within {timeout}s (last: {last!r})")
