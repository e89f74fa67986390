"""Events the feedback service consumes: only the org chart (units that serve the public,
employees who may issue tokens or be named as the officer)."""

from __future__ import annotations

from services.common.messaging import EventHandler
from services.common.orgchart import ORG_HANDLERS

HANDLERS: dict[str, EventHandler] = {**ORG_HANDLERS}
