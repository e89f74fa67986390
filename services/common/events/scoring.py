"""Payloads the scoring service publishes on ``scoring.events``."""

from __future__ import annotations

import uuid
from typing import Literal

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


class AlertRaised(EventPayload):
    TYPE = "alert.raised"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "recipient_id"
    alert_id: EntityId
    recipient_id: EntityId
    kind: Literal[
        "behind_target", "silent", "complaint", "satisfaction", "assessment_due", "predikat_drop"
    ]
    subject_id: EntityId
    message: AlertMessage
    cause_event_id: uuid.UUID | None = None


class AlertCleared(EventPayload):
    TYPE = "alert.cleared"
    TOPIC = SCORING_TOPIC
    KEY_FIELD = "recipient_id"
    alert_id: EntityId
    recipient_id: EntityId
    kind: Label
    subject_id: EntityId
