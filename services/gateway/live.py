"""Wake-ups for open alert streams.

The consumer stores an alert and, once its transaction has committed, wakes the streams
of that (tenant, recipient); each stream then reads its new rows from the database. The
database stays the single source of truth (replay after a reconnect reads the same rows),
and a stream also re-reads on a timer, so another gateway instance's writes arrive too.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from services.common.storage import SessionFactory

Key = tuple[str, str]  # (tenant, recipient employee id)
PENDING = "gateway_alert_keys"


class AlertHub:
    def __init__(self) -> None:
        self._waiters: dict[Key, set[asyncio.Event]] = defaultdict(set)

    @contextlib.contextmanager
    def subscribe(self, key: Key) -> Iterator[asyncio.Event]:
        wake = asyncio.Event()
        self._waiters[key].add(wake)
        try:
            yield wake
        finally:
            self._waiters[key].discard(wake)
            if not self._waiters[key]:
                del self._waiters[key]

    def notify(self, keys: Iterable[Key]) -> None:
        for key in keys:
            for wake in self._waiters.get(key, ()):
                wake.set()

    def listeners(self, key: Key) -> int:
        return len(self._waiters.get(key, ()))

    # ------------------------------------------------------------ transactions

    @staticmethod
    def mark(session_info: dict[str, object], key: Key) -> None:
        """Remember, in a session, whose streams to wake after its commit."""
        pending = session_info.setdefault(PENDING, set())
        assert isinstance(pending, set)
        pending.add(key)

    def attach(self, sessions: SessionFactory) -> None:
        sa_event.listen(sessions.kw["sync_session_class"], "after_commit", self._after_commit)

    def detach(self, sessions: SessionFactory) -> None:
        sa_event.remove(sessions.kw["sync_session_class"], "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        pending = session.info.pop(PENDING, None)
        if pending:
            self.notify(pending)
