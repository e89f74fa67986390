"""Payloads the targets service publishes on ``targets.events``: approved SKPs and
the activity log."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.events.bounds import (
    INDICATORS_PER_RHK_MAX,
    RHK_MAX,
    TARGETS_TOPIC,
    EntityId,
    IndicatorName,
    RhkTitle,
    Text,
    UnitLabel,
    Url,
)
from services.common.events.payload import EventPayload
from services.common.events.vocabulary import Aggregation, Aspect, Direction


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    indicator_id: EntityId
    name: IndicatorName
    aspect: Aspect
    target: float = Field(gt=0)
    unit: UnitLabel
    direction: Direction = Direction.HIGHER_IS_BETTER
    aggregation: Aggregation = Aggregation.SUM
    weight: float | None = Field(default=None, gt=0)


class Rhk(BaseModel):
    """Rencana Hasil Kerja: one work result of an SKP."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rhk_id: EntityId
    title: RhkTitle
    kind: Literal["utama", "tambahan"]
    parent_rhk_id: EntityId | None = None  # the supervisor's RHK it supports (intervensi)
    indicators: tuple[Indicator, ...] = Field(min_length=1, max_length=INDICATORS_PER_RHK_MAX)


class TargetSet(EventPayload):
    """An approved SKP with its full content."""

    TYPE = "target.set"
    TOPIC = TARGETS_TOPIC
    KEY_FIELD = "employee_id"
    skp_id: EntityId
    employee_id: EntityId
    year: int = Field(ge=2000, le=2100)
    version: int = Field(ge=1)
    approved_by: EntityId
    rhk: tuple[Rhk, ...] = Field(min_length=1, max_length=RHK_MAX)


class TargetRevised(TargetSet):
    TYPE = "target.revised"
    previous_version: int = Field(ge=1)


class ActivityLogged(EventPayload):
    """An entry of the daily activity log, or an edit or deletion of one."""

    TYPE = "activity.logged"
    TOPIC = TARGETS_TOPIC
    KEY_FIELD = "employee_id"
    activity_id: EntityId
    employee_id: EntityId
    skp_id: EntityId
    indicator_id: EntityId
    activity_date: date
    value: float = Field(ge=0)
    note: Text = ""
    evidence_url: Url | None = None
    action: Literal["created", "edited", "deleted"] = "created"
