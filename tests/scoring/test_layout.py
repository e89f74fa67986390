"""The write side's layout: the read side does not import it, and every event type finds
its entry in the routing table (a subtype its base's)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services.common.events import (
    EmployeeRegistered,
    EmployeeUpdated,
    FeedbackNoted,
    TargetRevised,
    TargetSet,
    UnitCreated,
    UnitUpdated,
)
from services.scoring.projector import employee, unit
from services.scoring.projector.routing import ROUTES, route_of

pytestmark = pytest.mark.unit

SCORING = Path(__file__).resolve().parents[2] / "services" / "scoring"


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    "module", ["views.py", "regency_view.py", "scheduler.py", "api.py", "shared.py"]
)
def test_the_read_side_does_not_import_the_write_side(module: str) -> None:
    imports = imported_modules(SCORING / module)
    assert not [m for m in imports if m.startswith("services.scoring.projector")]


def test_subtypes_take_their_base_types_entry() -> None:
    for subtype, base, apply in (
        (EmployeeUpdated, EmployeeRegistered, employee.apply_registered),
        (UnitUpdated, UnitCreated, unit.apply_unit_created),
        (TargetRevised, TargetSet, employee.apply_target),
    ):
        route = route_of(subtype.model_construct())
        assert route.payload is subtype
        assert route.apply is apply is ROUTES[base].apply
        assert route.releases is ROUTES[base].releases
        assert route.employee_fields == ROUTES[base].employee_fields


def test_a_type_without_an_entry_only_locks_and_loads_what_it_names() -> None:
    route = route_of(FeedbackNoted.model_construct())
    assert route.apply is None and route.parks is None and route.releases is None


def test_no_scoring_module_is_over_500_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in SCORING.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 520} == {}
