"""The gateway's own small database: recent supervisor alerts per recipient, and its copy
of the org chart (public pages name the regency and its public-serving units).

The alerts come from ``scoring.events`` through the inbox consumer; each row is one
``alert.raised`` or ``alert.cleared``. Its ``seq`` is the id of the Server-Sent Event, so
a browser that reconnects with ``Last-Event-ID`` gets exactly what it missed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from services.common.orgchart import KEPALA_DAERAH_TABLE_NAMES, ORG_TABLE_NAMES
from services.common.storage import UtcDateTime

TABLE_NAMES: set[str] = {
    "gateway_alert",
    "outbox",
    "processed_event",
    *ORG_TABLE_NAMES,
    *KEPALA_DAERAH_TABLE_NAMES,
}


class GatewayAlert(SQLModel, table=True):
    __tablename__ = "gateway_alert"
    __table_args__ = (Index("ix_gateway_alert_recipient", "tenant", "recipient_id", "seq"),)

    seq: int | None = Field(default=None, primary_key=True)
    tenant: str = Field(max_length=40)
    recipient_id: str = Field(max_length=64)
    alert_id: str = Field(max_length=64)
    action: str = Field(max_length=8)  # raised | cleared
    kind: str = Field(max_length=24)
    subject_id: str = Field(max_length=64)
    message: str = ""  # English, as scoring wrote it (alerts from before params)
    # The template's parameters (names and figures): the text is rendered per reader.
    params: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    event_id: str = Field(max_length=36)
    occurred_at: datetime = Field(sa_type=UtcDateTime)


class AlertRead(BaseModel):
    """One alert as the browser receives it (the SSE ``data`` and ``/api/gateway/alerts``)."""

    seq: int
    alert_id: str
    action: str
    kind: str
    subject_id: str
    message: str = Field(description="the alert's text in the reader's language")
    occurred_at: datetime


class PublicUnit(BaseModel):
    unit_id: str
    name: str


class PublicRegency(BaseModel):
    """What the public pages show about a regency: its name and the units serving citizens."""

    slug: str
    name: str
    units: list[PublicUnit]
