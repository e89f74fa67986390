"""Contract of ``fastpaths.malloc_trim``: glibc's ``malloc_trim`` releases freed heap pages
that the allocator otherwise keeps resident."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.fastpaths import malloc_trim

pytestmark = pytest.mark.unit


def rss_anon_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon")


@pytest.mark.skipif(not malloc_trim.AVAILABLE, reason="not glibc")
def test_freed_heap_is_kept_resident_until_trimmed() -> None:
    # 2 KB objects come from glibc's heap (pymalloc serves only <= 512 bytes); keeping one
    # in 64 alive pins the heap's top, so free() alone cannot give the rest back.
    blocks = [bytes(2048) + bytes([i % 256]) for i in range(100_000)]
    keep = blocks[::64]
    del blocks
    freed = rss_anon_mib()
    malloc_trim.release_free_memory()
    trimmed = rss_anon_mib()
    assert freed - trimmed > 100, (freed, trimmed)  # ~190 MiB freed; most of it returned
    assert len(keep) == 1563
