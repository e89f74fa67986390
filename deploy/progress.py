"""Timestamped progress lines of the launcher and the demo loader: each line says how long
after the command started it was printed, so a slow start shows where its time went.

    progress.say("bantul: SKPs 2026 (4.1s)")   # -> "[  23.4s] bantul: SKPs 2026 (4.1s)"

One clock for the whole command (``start`` is called once by ``deploy.run``); the loader's
threads print through the same lock, so their lines never interleave.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_lock = threading.Lock()
_started = time.monotonic()


def start(at: float | None = None) -> None:
    """Count from ``at`` (a ``time.monotonic()`` value; now when omitted)."""
    global _started
    _started = time.monotonic() if at is None else at


def elapsed() -> float:
    return time.monotonic() - _started


def say(text: str) -> None:
    with _lock:
        print(f"[{elapsed():6.1f}s] {text}", file=sys.stdout, flush=True)


@contextmanager
def phase(label: str, out: Callable[[str], None] = say) -> Iterator[None]:
    """Say ``label`` with its duration once the block is done."""
    began = time.monotonic()
    yield
    out(f"{label} ({time.monotonic() - began:.1f}s)")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU a process has used so far (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_report(pids: dict[str, int]) -> str:
    """Where the CPU went, per process: on a 2-core machine the start is as fast as the
    sum of these allows."""
    spent = {name: cpu_seconds(pid) for name, pid in pids.items()}
    known = {name: s for name, s in spent.items() if s is not None}
    parts = [f"{name} {s:.1f}" for name, s in sorted(known.items(), key=lambda kv: -kv[1])]
    return f"CPU seconds: {sum(known.values()):.1f} in all ({', '.join(parts)})"
