"""Browser tests of the pages: the platform running for real (every service and the
gateway under uvicorn on one Kafka, ``tests.gateway``'s ``stack``), Debian's Chromium, and
the checks every page must pass (``check_page``)."""

from __future__ import annotations

# The platform and the browser are the gateway tests' own fixtures: one stack per session.
from tests.gateway.conftest import browser, page, stack  # noqa: F401
