"""What the deployment tests share: the repository root and a free block of ports."""

from __future__ import annotations

from pathlib import Path

from deploy.local import port_open

REPO = Path(__file__).resolve().parents[2]


# Test ports stay below Linux's ephemeral range (32768-60999): a port found free there can
# be taken by any outgoing connection before the broker binds it.
def free_base(candidates: range, offsets: tuple[int, ...]) -> int:
    """First candidate base port whose derived ports are all unused."""
    for base in candidates:
        if not any(port_open(base + offset) for offset in offsets):
            return base
    raise RuntimeError(f"no free port block in {candidates}")
