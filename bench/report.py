"""What every benchmark here prints the same way: the machine, percentiles, peak memory,
and the result as JSON plus one summary line.

A benchmark's figures mean something only next to the floor it is compared with (measured
in the same run, on the same machine, under the same load), so ``machine()`` records the
load average at the moment of measuring, and ``emit`` puts the floor in the summary line.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """CPUs, load average, memory and software: enough to tell two runs' machines apart."""
    meminfo = Path("/proc/meminfo")
    total_mib = None
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                total_mib = int(line.split()[1]) // 1024
    return {
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "memory_mib": total_mib,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def percentile(samples: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by the nearest-rank method: a value that was really
    observed, so p99.9 of 1,000 samples is the largest one, never an interpolation."""
    if not samples:
        return None
    ordered = sorted(samples)
    # Rounded first: 99.9 / 100 * 1000 is 999.0000000000001 in binary floating point.
    rank = max(math.ceil(round(q * len(ordered) / 100, 9)), 1)
    return ordered[rank - 1]


def latency_summary(
    samples_ms: Sequence[float], quantiles: Iterable[float] = (50, 99, 99.9)
) -> dict[str, float | int | None]:
    """Count and percentiles of latencies in milliseconds, keyed ``p50``, ``p99``, ``p99.9``."""
    out: dict[str, float | int | None] = {"count": len(samples_ms)}
    for q in quantiles:
        value = percentile(samples_ms, q)
        out[f"p{q:g}"] = None if value is None else round(value, 2)
    return out


def peak_rss_mib(pid: int | None = None) -> float | None:
    """Peak resident memory (the kernel's high-water mark, VmHWM) of a process, in MiB;
    ``None`` once it has exited. ``pid`` defaults to this process."""
    status = Path(f"/proc/{pid or 'self'}/status")
    try:
        text = status.read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def emit(name: str, result: dict[str, Any], summary: str, json_path: str | None = None) -> None:
    """Print the result as JSON (or write it to ``json_path``) and then the one-line summary,
    prefixed with the benchmark's name so a log of several runs stays readable."""
    document = {"bench": name, "machine": machine(), **result}
    text = json.dumps(document, indent=2, default=str)
    if json_path:
        Path(json_path).write_text(text + "\n")
    else:
        print(text)
    print(f"{name}: {summary}", file=sys.stdout, flush=True)
