"""Which services this tree has and on which ports they listen.

Its own module because both the launcher (``deploy.run``) and the demo loader
(``deploy.demo``, which may run against a platform started elsewhere) need it, and neither
should import the other.
"""

from __future__ import annotations

import importlib.util

# Start order: identity first (the others build their org chart from its events).
SERVICES = {
    "identity": 8001,
    "targets": 8002,
    "assessment": 8003,
    "feedback": 8004,
    "scoring": 8005,
    "gateway": 8000,
}


def available_services(offset: int = 0) -> dict[str, int]:
    """Services that exist in this tree, with their ports moved by ``offset`` (a second
    platform on one machine, e.g. the end-to-end test: ``KINERJA_PORT_OFFSET``)."""
    return {
        name: port + offset
        for name, port in SERVICES.items()
        if _exists(f"services.{name}.__main__")
    }


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the service's package itself is absent
        return False
