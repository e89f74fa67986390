"""Payloads the feedback service publishes on ``feedback.events``: citizen surveys and
complaints."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from services.common.events.bounds import FEEDBACK_TOPIC, EntityId, Label, Text
from services.common.events.payload import EventPayload
from services.common.events.vocabulary import ComplaintStatus

SkmScores = Annotated[list[Annotated[int, Field(ge=1, le=4)]], Field(min_length=9, max_length=9)]


class SurveyReceived(EventPayload):
    TYPE = "survey.received"
    TOPIC = FEEDBACK_TOPIC
    KEY_FIELD = "unit_id"
    survey_id: EntityId
    unit_id: EntityId
    officer_id: EntityId | None = None
    service_type: Label = ""
    scores: SkmScores


class ComplaintFiled(EventPayload):
    TYPE = "complaint.filed"
    TOPIC = FEEDBACK_TOPIC
    KEY_FIELD = "unit_id"
    complaint_id: EntityId
    unit_id: EntityId
    officer_id: EntityId | None = None
    category: Label


class ComplaintStatusChanged(EventPayload):
    TYPE = "complaint.status_changed"
    TOPIC = FEEDBACK_TOPIC
    KEY_FIELD = "unit_id"
    complaint_id: EntityId
    unit_id: EntityId
    officer_id: EntityId | None = None
    from_status: ComplaintStatus
    to_status: ComplaintStatus
    reason: Text
