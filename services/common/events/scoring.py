"""Payloads the scoring service publishes on ``scoring.events``."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from services.common.events.bounds import SCORING_TOPIC, AlertMessage, EntityId, Label
from services.common.events.payload import EventPayload
from services.common.events.vocabulary import Rating


class ScoreUpdated(EventPayload):
    TYPE = "score.updated"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "employee_id"
    employee_id: EntityId
    period_label: Label
    achievement: float | None = None
    projected_rating: Rating | None = None
    projected_predikat: Label | None = None


# An alert's text by kind: an English template (a gettext msgid) filled from the event's
# ``params``, so that each reader gets it in their own language; the ``message`` field is
# the English rendering, kept for logs and older readers. Params hold names, never ids.
ALERT_TEMPLATES: dict[str, str] = {
    "behind_target": "{name} is projected below {threshold}% on: {indicators}"
    " ({share}% of {year} passed).",
    "behind_target_period": "{name} is projected below {threshold}% on: {indicators}"
    " ({share}% of period {year} passed).",
    "silent": "{name} has logged no activity since {since}.",
    "assessment_due": "Assess {name} for period {periods} (ends {ends}).",
    "predikat_drop": "{name}'s projected predikat fell from {before} to {now}.",
    "satisfaction": "IKM of {unit} is {ikm:.2f} (category {category}) from {responses} responses.",
    "complaint": "A complaint ({status}) names {about}.",
}
AlertParam = AlertMessage | int | float
AlertParams = Annotated[dict[Label, AlertParam], Field(max_length=12)]


class AlertRaised(EventPayload):
    TYPE = "alert.raised"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "recipient_id"
    alert_id: EntityId
    recipient_id: EntityId
    kind: Literal[
        "behind_target",
        "behind_target_period",
        "silent",
        "complaint",
        "satisfaction",
        "assessment_due",
        "predikat_drop",
    ]
    subject_id: EntityId
    message: AlertMessage
    params: AlertParams = Field(default_factory=dict)
    cause_event_id: uuid.UUID | None = None


class AlertCleared(EventPayload):
    TYPE = "alert.cleared"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "recipient_id"
    alert_id: EntityId
    recipient_id: EntityId
    kind: Label
    subject_id: EntityId
