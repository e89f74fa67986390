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
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.orgchart import KEPALA_DAERAH_TABLE_NAMES, ORG_TABLE_NAMES
from services.common.storage import UtcDateTime

TABLE_NAMES: set[str] = {
    "gateway_alert",
    "mail_contact",
    "mail_outbox",
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
    # When the recipient marked the alert read (every row of that alert id carries it):
    # the bell counts the raised alerts still without it, on every device of theirs.
    read_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


class MailContact(SQLModel, table=True):
    """A person's e-mail contact as identity published it (``contact.set``), keyed by the
    id alerts name them by."""

    __tablename__ = "mail_contact"

    tenant: str = Field(primary_key=True, max_length=40)
    recipient_id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=64)
    email: str | None = Field(default=None, max_length=254)
    preference: str = Field(default="none", max_length=12)  # immediate | digest | none
    locale: str = Field(default="id", max_length=2)


class MailOutbox(SQLModel, table=True):
    """One e-mail to send. Written in the transaction that decided it (the alert stored,
    the digest due), so a mail is never lost to a crash; ``key`` is unique, so it is never
    queued twice; the sender leases a row by compare-and-set before sending, so two
    senders never send it twice. The text is rendered at sending time from ``data`` in
    ``locale``; the id (a UUID of ``key``) is the Message-ID's left part, the same on
    every retry and every gateway."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_mail_outbox_key"),
        Index("ix_mail_outbox_due", "sent_at", "failed_at", "next_attempt_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    key: str = Field(max_length=200)  # alert:<event id> | digest:<tenant>:<recipient>:<date>
    tenant: str = Field(max_length=40)
    recipient_id: str = Field(max_length=64)
    address: str = Field(max_length=254)
    locale: str = Field(max_length=2)
    kind: str = Field(max_length=12)  # alert | digest
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UtcDateTime)
    next_attempt_at: datetime = Field(sa_type=UtcDateTime)
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    # Refused for good by the SMTP server (a 5xx answer): kept, counted, never retried.
    failed_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    last_error: str = Field(default="", max_length=500)


class AlertRead(BaseModel):
    """One alert as the browser receives it (the SSE ``data`` and ``/api/gateway/alerts``)."""

    seq: int
    alert_id: str
    action: str
    kind: str
    subject_id: str
    message: str = Field(description="the alert's text in the reader's language")
    occurred_at: datetime
    read: bool = Field(default=False, description="marked read by its recipient")


class PublicUnit(BaseModel):
    unit_id: str
    name: str


class PublicRegency(BaseModel):
    """What the public pages show about a regency: its name and the units serving citizens."""

    slug: str
    name: str
    units: list[PublicUnit]
