"""The consumer's cache keeps at most its bound, forgetting what it kept least recently."""

from __future__ import annotations

from services.scoring.projector.cache import Cache, EmployeeState, UnitState


def state() -> EmployeeState:
    return EmployeeState(org=None, skps=[], rows=[])


def test_the_least_recently_kept_go_first() -> None:
    cache = Cache(max_employees=2, max_units=1)
    for e in ("a", "b", "c"):
        cache.keep_employee(("t", e), state())
    cache.keep_employee(("t", "b"), state())  # kept again: now the most recent
    cache.keep_unit(("t", "u1"), UnitState(org=None, rows=[]))
    cache.keep_unit(("t", "u2"), UnitState(org=None, rows=[]))
    cache.trim()
    assert list(cache.employees) == [("t", "c"), ("t", "b")]
    assert list(cache.units) == [("t", "u2")]


def test_unbounded_keeps_everything() -> None:
    cache = Cache()
    for e in range(100):
        cache.keep_employee(("t", str(e)), state())
    cache.trim()
    assert len(cache.employees) == 100
