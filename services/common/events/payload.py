"""The base of every payload: its type, version, topic and key rule."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """Base of every payload. Subclasses declare their type, version, topic and key field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str]
    # The payload field whose value, prefixed by the tenant, is the Kafka key.
    KEY_FIELD: ClassVar[str | None] = None

    def key_for(self, tenant: str) -> str:
        if self.KEY_FIELD is None:
            return tenant
        return f"{tenant}:{getattr(self, self.KEY_FIELD)}"
