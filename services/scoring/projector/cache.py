"""The consumer's write-through cache of the state it owns.

Every batch still commits its changed rows, inbox ids and alerts in ONE transaction before
its offsets are committed, so a crash loses nothing; the cache only saves the next batch
from loading (and JSON-decoding) rows it already has.

A cached row is right only while this instance is the only writer of it:

- co-partitioning: the consumer uses the range assignor, so one instance holds the same
  partition number of every topic, and every event keyed ``tenant:employee`` (identity,
  targets, assessment) or ``tenant:unit`` (identity, feedback) reaches the same instance.
  Only state keyed like that is cached: an employee's org row, SKPs, score rows and the
  active alerts about them; a unit's org row, survey rows and satisfaction alert. What
  other partitions' owners may write (complaints naming an officer, surveys naming an
  officer, complaint alerts) is read from the database;
- the cache is cleared when partitions are revoked or assigned, when a batch did not
  commit (its rows were changed in place), and when a writer outside the consumer's own
  partitions (the scheduler, a tenant's new rules) bumped the epoch in ``score_lock``.

It may be bounded: past ``max_employees`` / ``max_units`` entries, those kept least
recently are forgotten (read from the database again when next needed). Unbounded, it
holds every owned employee: ~4 KB of Python objects each, so ~400 MB at 100,000.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import islice

from aiokafka import ConsumerRebalanceListener, TopicPartition

from services.scoring.projector.rows import (
    AlertRow,
    EmployeeRow,
    OrgEmployeeRow,
    OrgUnitRow,
    SkpRow,
    UnitRow,
)

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (tenant, employee id) or (tenant, unit id)


@dataclass
class EmployeeState:
    org: OrgEmployeeRow | None
    skps: list[SkpRow]
    rows: list[EmployeeRow]  # score_employee, one per period
    # Its active alerts of the employee kinds (score_alert rows whose subject it is);
    # None: not known (read from the database when next evaluated).
    alerts: list[AlertRow] | None = None


@dataclass
class UnitState:
    org: OrgUnitRow | None
    rows: list[UnitRow]  # score_unit, one per year
    alerts: list[AlertRow] | None = None  # its active satisfaction alert, if known


@dataclass
class Cache:
    employees: dict[Key, EmployeeState] = field(default_factory=dict)
    units: dict[Key, UnitState] = field(default_factory=dict)
    # Release and order keys of parked events (a superset: released ones may linger).
    # None: not loaded since the last clear.
    parked_keys: set[str] | None = None
    epoch: int | None = None  # score_lock's epoch the cached rows were read under
    # Bumped by every clear: a batch that started before a clear keeps nothing.
    generation: int = 0
    # A batch changed cached rows in place and has not committed (yet, or ever).
    uncommitted: bool = False
    # Bounds on the entries kept (None: every owned key stays).
    max_employees: int | None = None
    max_units: int | None = None

    def keep_employee(self, key: Key, state: EmployeeState) -> None:
        self.employees.pop(key, None)  # to the end: the most recently kept
        self.employees[key] = state

    def keep_unit(self, key: Key, state: UnitState) -> None:
        self.units.pop(key, None)
        self.units[key] = state

    def trim(self) -> None:
        """Forget the entries kept least recently beyond the bounds (dicts keep the order
        of insertion, and ``keep_*`` re-inserts)."""
        _trim(self.employees, self.max_employees)
        _trim(self.units, self.max_units)

    def clear(self, reason: str) -> None:
        if self.employees or self.units:
            log.info("scoring cache cleared (%s)", reason)
        self.employees.clear()
        self.units.clear()
        self.parked_keys = None
        self.epoch = None
        self.generation += 1
        self.uncommitted = False


def _trim(entries: dict[Key, EmployeeState] | dict[Key, UnitState], bound: int | None) -> None:
    if bound is not None and len(entries) > bound:
        for key in list(islice(entries, len(entries) - bound)):
            del entries[key]


class ClearOnRebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    """Partitions moving means keys moving: another instance may write them from now on."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.cache.clear("partitions revoked")

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.cache.clear("partitions assigned")
