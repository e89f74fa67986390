"""Events the feedback service consumes: only the org chart (units that serve the public,
employees who may issue tokens or be named as the officer) and the regency's holidays."""

from __future__ import annotations

from services.common.messaging import EventHandler
from services.common.orgchart import HOLIDAY_HANDLERS, ORG_HANDLERS

# The holidays: complaint deadlines are counted in working days.
HANDLERS: dict[str, EventHandler] = {**ORG_HANDLERS, **HOLIDAY_HANDLERS}
