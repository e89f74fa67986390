"""A real Redis for the multi-instance tests: Debian's ``redis-server`` on a free localhost
port, without persistence, killed at teardown."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.gateway.harness import free_port


@contextlib.contextmanager
def redis_server(home: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of its own (URL and process), answering when this yields."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: scripts/install.sh installs Debian's"
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(home),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None, "redis-server exited at start"
                assert time.monotonic() < deadline, "redis-server did not answer in 15 s"
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0", server
    finally:
        server.kill()
        server.wait(10)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, _):
        yield url
