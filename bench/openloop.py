"""The open-loop load of ``bench.alert_latency``, without any I/O: when each request is due,
which of them should cause an alert, and which alert on a stream answers which request.

Kept apart from the benchmark so the unit tests can check the schedule and the matching
(what makes the figures mean anything) without a platform.

Open loop: request ``i`` of a phase at ``rate``/s is due at ``start + i / rate`` whatever
happened to the earlier ones, and its latency counts from that due time, so a platform that
stalls is charged for the requests that waited behind the stall (no coordinated omission).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

RAISED, CLEARED = "raised", "cleared"
# The alert the toggling requests flip: an indicator aggregated as "latest" is behind
# target (projected < 80 %) right after a low value and on target after a high one.
KIND = "behind_target"
LOW, HIGH = 40.0, 100.0  # of a target of 100 %: far from 80 either way


def due_times(rate: float, duration: float, phase: float = 0.0) -> Iterator[float]:
    """Offsets (seconds from the phase's start) at which each request is due; ``phase``
    (a fraction of one interval) shifts a stream so several at one rate do not coincide."""
    if rate <= 0 or duration <= 0:
        return
    for i in range(math.floor(rate * duration)):
        yield (i + phase) / rate


@dataclass
class Expectation:
    """A toggling request and the alert it should cause."""

    subject: str  # the employee whose alert flips
    action: str  # raised or cleared
    due: float  # monotonic seconds: when the request was due
    accepted: float | None = None  # when its 2xx answer arrived
    arrived: float | None = None  # when the alert arrived on the supervisor's stream


@dataclass
class Plan:
    """Which employee logs what at each request.

    Every ``every``-th request goes to a *toggler* (an employee whose alert flips with it)
    when one is free, i.e. none of its earlier toggles is still waiting for its alert (two
    toggles of one employee in flight could land in one scoring batch and cancel out);
    when none is free the request goes to a steady employee instead and is counted in
    ``skipped``, so the share of alerting requests actually sent is reported, not assumed.
    Steady employees always log the high value: their entries never change an alert.
    """

    togglers: Sequence[str]
    steady: Sequence[str]
    every: int
    behind: dict[str, bool] = field(default_factory=dict)  # toggler -> alert active now
    pending: dict[str, Expectation] = field(default_factory=dict)  # toggler -> in flight
    skipped: int = 0
    _sent: int = 0
    _next_toggler: int = 0
    _next_steady: int = 0

    def next(self, due: float) -> tuple[str, float, Expectation | None]:
        """(employee, value, expectation or None) for the request due at ``due``."""
        self._sent += 1
        if self.every > 0 and self._sent % self.every == 0:
            subject = self._free_toggler()
            if subject is not None:
                behind = self.behind.get(subject, False)
                expected = Expectation(subject, CLEARED if behind else RAISED, due)
                self.behind[subject] = not behind
                self.pending[subject] = expected
                return subject, HIGH if behind else LOW, expected
            self.skipped += 1
        subject = self.steady[self._next_steady % len(self.steady)]
        self._next_steady += 1
        return subject, HIGH, None

    def _free_toggler(self) -> str | None:
        for _ in range(len(self.togglers)):
            subject = self.togglers[self._next_toggler % len(self.togglers)]
            self._next_toggler += 1
            if subject not in self.pending:
                return subject
        return None

    def failed(self, expected: Expectation) -> None:
        """The request was refused: nothing changed, the toggler is free again."""
        if self.pending.get(expected.subject) is expected:
            del self.pending[expected.subject]
            self.behind[expected.subject] = expected.action == CLEARED

    def lost(self, expected: Expectation) -> None:
        """No answer (timeout, reset): whether the entry was logged is unknown. The
        toggler stays pending (never toggled again unless its alert does arrive)."""


@dataclass
class Matcher:
    """Pairs alerts arriving on the streams with the requests that caused them."""

    plan: Plan
    done: list[Expectation] = field(default_factory=list)
    unexpected: int = 0  # alerts of the kind no pending request explains

    def arrived(self, kind: str, action: str, subject: str, at: float) -> Expectation | None:
        if kind != KIND:
            return None
        expected = self.plan.pending.get(subject)
        if expected is None or expected.action != action:
            self.unexpected += 1
            return None
        del self.plan.pending[subject]
        expected.arrived = at
        self.done.append(expected)
        return expected

    def early(self) -> int:
        """Alerts that reached the stream before their request's HTTP answer did."""
        return sum(
            1
            for e in self.done
            if e.accepted is not None and e.arrived is not None and e.arrived < e.accepted
        )

    @staticmethod
    def latency_ms(expected: Expectation) -> float | None:
        """Accepted -> on the stream, in ms (0 when the stream was faster than the HTTP
        answer); None when the request was never accepted or the alert never came."""
        if expected.accepted is None or expected.arrived is None:
            return None
        return max(expected.arrived - expected.accepted, 0.0) * 1000

    def overdue(self, now: float, bound: float) -> list[Expectation]:
        """Accepted toggles whose alert has not arrived within ``bound`` seconds."""
        return [
            e
            for e in self.plan.pending.values()
            if e.accepted is not None and now - e.accepted > bound
        ]
