"""Events the targets service consumes: the org chart from identity (nothing else yet)."""

from __future__ import annotations

from services.common.events import IDENTITY_TOPIC
from services.common.messaging import EventHandler
from services.common.orgchart import ORG_HANDLERS

TOPICS = (IDENTITY_TOPIC,)
HANDLERS: dict[str, EventHandler] = {**ORG_HANDLERS}
