"""Payloads the assessment service publishes on ``assessment.events``."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.events.bounds import (
    ASSESSMENT_TOPIC,
    RHK_MAX,
    EntityId,
    Expectation,
    Label,
    Recommendation,
    ReportText,
    Text,
)
from services.common.events.payload import EventPayload
from services.common.events.vocabulary import BerAkhlak, Rating, Relation


class SelfReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    achievements: ReportText = ""
    obstacles: ReportText = ""
    solutions: ReportText = ""


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["monthly", "quarterly", "annual"]
    label: Label  # e.g. 2026-03, 2026-Q1, 2026
    start: date
    end: date


class AssessmentSubmitted(EventPayload):
    TYPE = "assessment.submitted"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "assessee_id"
    assessment_id: EntityId
    period: Period
    relation: Relation
    assessor_id: EntityId
    assessee_id: EntityId
    rhk_ratings: dict[EntityId, Rating] = Field(default_factory=dict, max_length=RHK_MAX)
    result_rating: Rating | None = None
    behaviour_ratings: dict[BerAkhlak, Rating] = Field(default_factory=dict)
    special_expectations: dict[BerAkhlak, Expectation] = Field(default_factory=dict)
    development_recommendation: Recommendation = ""
    report: SelfReport | None = None
    supersedes: EntityId | None = None


class FeedbackNoted(EventPayload):
    TYPE = "feedback.noted"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "employee_id"
    note_id: EntityId
    supervisor_id: EntityId
    employee_id: EntityId
    text: Text
    noted_on: date


class ObjectionFiled(EventPayload):
    TYPE = "objection.filed"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "employee_id"
    objection_id: EntityId
    assessment_id: EntityId
    employee_id: EntityId
    decider_id: EntityId
    reason: Text


class ObjectionDecided(EventPayload):
    TYPE = "objection.decided"
    TOPIC = ASSESSMENT_TOPIC
    KEY_FIELD = "employee_id"
    objection_id: EntityId
    assessment_id: EntityId
    employee_id: EntityId
    decided_by: EntityId
    accepted: bool
    result_rating: Rating | None = None
    behaviour_ratings: dict[BerAkhlak, Rating] = Field(default_factory=dict)
    reason: Text = ""
