"""The one clock and the one id factory every service uses.

Tests that need another "now" pass a clock callable where a service takes one; nothing
else in the code calls ``datetime.now`` or ``uuid.uuid4`` for stored times and ids."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Now, aware, in UTC: every stored time is UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A new random id (UUID4 text): rows, events and content items all use this form."""
    return str(uuid.uuid4())
