"""Run real Apache Kafka (KRaft) and PostgreSQL on this machine, without Docker.

The helpers here are shared by :mod:`deploy.local.kafka` and :mod:`deploy.local.postgres`:
where the cache lives, and how to tell whether a detached server process is still ours.
Everything is stdlib so that importing the launcher never needs the project installed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

LOOPBACK = "127.0.0.1"


def cache_root() -> Path:
    """Where downloaded jars and server data live; outside git so nothing big is committed."""
    root = os.environ.get("KINERJA_CACHE") or str(Path.home() / ".cache" / "kinerja")
    path = Path(root).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Serialise launchers: two pytest processes calling ``ensure_*`` at once must not
    both format storage or both start a server on the same port."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def port_open(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # The state letter follows the parenthesised command name, which may contain spaces.
    return stat.rsplit(")", 1)[-1].split()[0] in {"Z", "X"}


def reap(pid: int) -> None:
    """Collect the exit status if the process was started by us, so it is not a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def process_alive(pid: int, marker: str | None = None) -> bool:
    """True if ``pid`` runs and (when given) its command line contains ``marker``.

    The marker guards against pid reuse: a stale pid file may point at an unrelated
    process that must never be signalled.
    """
    if pid <= 0:
        return False
    reap(pid)
    if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
        return False
    return marker is None or marker in _cmdline(pid)


def find_pids(marker: str) -> list[int]:
    """Every live process whose command line mentions ``marker`` (e.g. our config path);
    catches servers whose pid file was lost."""
    found: list[int] = []
    own = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != own:
            pid = int(entry.name)
            if marker in _cmdline(pid) and not _is_zombie(pid):
                found.append(pid)
    return found


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the whole process group (servers are started in their own session) and
    fall back to the single process if the group is already gone."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait until none of ``pids`` is alive; return the ones still alive at the deadline."""
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if process_alive(pid)]
        if alive:
            time.sleep(0.1)
    return alive


def terminate(pids: list[int], timeout: float) -> None:
    """SIGTERM every group at once (so a cluster shuts down together), then SIGKILL
    whatever is still alive after ``timeout``; ``timeout <= 0`` kills outright, like a
    crash."""
    if timeout > 0:
        for pid in pids:
            signal_group(pid, signal.SIGTERM)
    stubborn = wait_gone(pids, timeout) if timeout > 0 else list(pids)
    for pid in stubborn:
        signal_group(pid, signal.SIGKILL)
    leftover = wait_gone(stubborn, 10)
    if leftover:
        raise RuntimeError(f"processes survived SIGKILL: {leftover}")


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])
