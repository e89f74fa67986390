"""The benchmarks' shared percentile is nearest-rank: p99.9 of a small sample is a value
that was observed (the largest), never an interpolation that flatters the tail."""

from __future__ import annotations

import pytest

from bench.report import latency_summary, peak_rss_mib, percentile

pytestmark = pytest.mark.unit


def test_nearest_rank_percentiles() -> None:
    samples = [float(v) for v in range(1, 1001)]
    assert percentile(samples, 50) == 500.0
    assert percentile(samples, 99) == 990.0
    assert percentile(samples, 99.9) == 999.0
    assert percentile(samples, 100) == 1000.0
    assert percentile([7.0], 99.9) == 7.0
    assert percentile([], 50) is None


def test_the_tail_of_a_small_sample_is_its_worst_value() -> None:
    summary = latency_summary([1.0] * 98 + [5.0, 400.0])
    assert summary == {"count": 100, "p50": 1.0, "p99": 5.0, "p99.9": 400.0}


def test_peak_memory_of_this_process_is_read_from_the_kernel() -> None:
    peak = peak_rss_mib()
    assert peak is not None and peak > 10
    assert peak_rss_mib(2**22 + 12345) is None
