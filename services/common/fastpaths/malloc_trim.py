"""Give the C heap's free pages back to the system after a large batch (glibc's
``malloc_trim``).

A consumer batch of tens of thousands of events allocates hundreds of MB of short-lived
objects (decoded events, rows, SQL parameters): pymalloc's arenas go back to the system
when empty, but objects above 512 bytes, the C extensions' buffers (pydantic-core,
orjson, the drivers) come from glibc's heap, which keeps what was freed below its top for
the process's next allocations. Between batches that is resident memory nobody uses, and
the next batch's fragments land beside it: scoring's RSS crept from ~1.2 to ~1.9 GB over
a 100,000-employee backlog while its live Python objects stayed a fraction of that
(bench/README.md, Memory). ``malloc_trim(0)`` returns every free page of every arena
(glibc >= 2.8 also releases pages in the middle of the heap, not only its top).

Relies on the C library exporting ``malloc_trim(size_t pad) -> int`` (glibc does;
musl and other platforms do not, and then :func:`release_free_memory` does nothing).

Contract: ``tests/unit/test_malloc_trim_contract.py`` frees a fragmented heap and checks
that resident memory goes down only when this is called.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _load() -> Callable[[int], int] | None:
    try:
        function = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim this way
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


_malloc_trim = _load()
AVAILABLE = _malloc_trim is not None


def release_free_memory() -> bool:
    """Return the heap's free pages to the system; ``True`` if some were released."""
    return _malloc_trim is not None and _malloc_trim(0) == 1
