"""Events the targets service consumes: the org chart from identity, with the regency's
kepala daerah (nothing else yet)."""

from __future__ import annotations

from services.common.events import IDENTITY_TOPIC
from services.common.messaging import EventHandler
from services.common.orgchart import KEPALA_DAERAH_HANDLERS, ORG_HANDLERS

TOPICS = (IDENTITY_TOPIC,)
HANDLERS: dict[str, EventHandler] = {**ORG_HANDLERS, **KEPALA_DAERAH_HANDLERS}
