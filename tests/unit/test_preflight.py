"""What ``deploy.run`` refuses before starting anything: one line a person can act on,
never a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import preflight
from deploy.ports import available_services

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_a_data_directory_of_another_version_is_refused(tmp_path: Path) -> None:
    preflight.check_data_dir(tmp_path, sqlite=True)  # a new one is stamped
    stamp = json.loads((tmp_path / preflight.STAMP).read_text())
    assert stamp["demo"] == preflight.DEMO_VERSION
    preflight.check_data_dir(tmp_path, sqlite=True)  # ours: accepted again
    stamp["migrations"]["identity"].append("ffff_from_the_future")
    (tmp_path / preflight.STAMP).write_text(json.dumps(stamp))
    with pytest.raises(preflight.StartError, match=r"another version of Kinerja.*--reset"):
        preflight.check_data_dir(tmp_path, sqlite=True)
    stamp["migrations"]["identity"].pop()
    stamp["demo"] = 1
    (tmp_path / preflight.STAMP).write_text(json.dumps(stamp))
    with pytest.raises(preflight.StartError, match="another version of the demo"):
        preflight.check_data_dir(tmp_path, sqlite=True)


def test_databases_without_a_stamp_are_refused(tmp_path: Path) -> None:
    (tmp_path / "identity.db").write_bytes(b"")
    with pytest.raises(preflight.StartError, match="without a version stamp"):
        preflight.check_data_dir(tmp_path, sqlite=True)


def test_a_busy_port_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    offset = 23170  # away from every other test's ports
    port = available_services(offset)["identity"]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        done = subprocess.run(
            [sys.executable, "-m", "deploy.run", "--demo", "--kafka", "127.0.0.1:1",
             "--port-offset", str(offset), "--data-dir", str(tmp_path)],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"kinerja: port {port} (identity) is already in use: stop what listens there "
        "(another demo?) or move every port with --port-offset N"
    )
    assert "Traceback" not in done.stderr + done.stdout


def _refused(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """The launcher's one line (exit code 2, no traceback, nothing started)."""
    done = subprocess.run(
        [sys.executable, "-m", "deploy.run", "--demo", "--port-offset", "23270", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr.strip()


def test_a_missing_java_is_one_line(tmp_path: Path) -> None:
    no_java = tmp_path / "bin"
    no_java.mkdir()
    env = {**os.environ, "PATH": str(no_java)}
    line = _refused(tmp_path, "--data-dir", str(tmp_path / "data"), env=env)
    assert line.startswith("kinerja: java (17+) is needed for the local Kafka")
    assert "--kafka HOST:PORT" in line
    assert not (tmp_path / "data").exists()  # refused before anything was written


def test_an_old_data_directory_is_one_line_through_the_command(tmp_path: Path) -> None:
    preflight.check_data_dir(tmp_path, sqlite=True)
    stamp = json.loads((tmp_path / preflight.STAMP).read_text())
    stamp["demo"] = preflight.DEMO_VERSION - 1
    (tmp_path / preflight.STAMP).write_text(json.dumps(stamp))
    line = _refused(tmp_path, "--kafka", "127.0.0.1:1", "--data-dir", str(tmp_path))
    assert line.startswith("kinerja: the demo data in ") and line.endswith("--reset")


def test_a_database_url_that_is_not_postgresql_is_one_line(tmp_path: Path) -> None:
    line = _refused(
        tmp_path, "--kafka", "127.0.0.1:1", "--data-dir", str(tmp_path),
        "--database-url", "mysql://u:p@127.0.0.1/x",
    )  # fmt: skip
    assert (
        line == "kinerja: --database-url must be a postgresql:// URL, not 'mysql://u:p@127.0.0.1/x'"
    )
