"""What ``deploy.run`` refuses before starting anything: one line a person can act on,
never a traceback."""

from __future__ import annotations

import json
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
