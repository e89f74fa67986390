"""Loading a batch's state: the parked events it may release or must stay behind, and the
rows its events touch (owned keys from the cache when it has them, the rest with one
``SELECT ... IN`` per table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select

from services.common.events import Envelope, decode_event
from services.common.orgchart import OrgEmployee, OrgHoliday, OrgTenant, OrgUnit
from services.scoring.models import (
    ParkedEvent,
    ScoreActivity,
    ScoreAssessment,
    ScoreComplaint,
    ScoreEmployee,
    ScoreSkp,
    ScoreUnit,
)
from services.scoring.projector.cache import Key
from services.scoring.projector.routing import park_info, releases, route_of
from services.scoring.projector.rows import (
    ActivityRow,
    AssessmentRow,
    ComplaintRow,
    EmployeeRow,
    HolidayRow,
    OrgEmployeeRow,
    OrgUnitRow,
    Parked,
    SkpRow,
    TenantRow,
    UnitRow,
)
from services.scoring.store import load, table_of

if TYPE_CHECKING:
    from services.scoring.projector.batch import Batch

# The kinds of rows a route's ``loads`` may ask for -> (table, column its ids are in).
NEEDS: dict[str, tuple[Any, str]] = {
    "activity": (ScoreActivity, "activity_id"),
    "complaint": (ScoreComplaint, "complaint_id"),
    "complaints_of_unit": (ScoreComplaint, "unit_id"),
    "complaints_of_officer": (ScoreComplaint, "officer_id"),
    "assessment": (ScoreAssessment, "assessment_id"),
}


async def load_parked(b: Batch, events: Sequence[Envelope]) -> list[Parked]:
    """Parked events that this batch may release or must keep in order behind."""
    if b.cache is not None and b.cache.parked_keys == set():
        return []  # nothing is parked (the cache saw every park)
    found: dict[int, Parked] = {}
    frontier = list(events)
    release_seen: set[str] = set()
    order_seen: set[str] = set()
    for _ in range(5):
        release_keys = {k for e in frontier for k in releases(e)} - release_seen
        order_keys = {info[1] for e in frontier if (info := park_info(e))} - order_seen
        if not release_keys and not order_keys:
            break
        release_seen |= release_keys
        order_seen |= order_keys
        known = b.cache.parked_keys if b.cache is not None else None
        if known is not None:
            # Only keys something was parked under (the cache saw every park): a batch of
            # 50,000 events would otherwise query with as many parameters.
            release_keys &= known
            order_keys &= known
            if not release_keys and not order_keys:
                break
        table = table_of(ParkedEvent)
        connection = await b.session.connection()
        rows: list[Any] = []
        for column, keys in ((table.c.release_key, release_keys), (table.c.order_key, order_keys)):
            chunks = sorted(keys)
            for start in range(0, len(chunks), 2000):
                result = await connection.execute(
                    select(table).where(column.in_(chunks[start : start + 2000]))
                )
                rows.extend(result.all())
        frontier = []
        for r in rows:
            if r.seq not in found:
                event = decode_event(r.body)
                found[r.seq] = Parked(r.seq, event, r.release_key, r.order_key, r.parked_at)
                frontier.append(event)
    parked = sorted(found.values(), key=lambda p: p.seq or 0)
    for item in parked:
        b.waiting.setdefault(item.release_key, []).append(item)
        b.blocked[item.order_key] += 1
    return parked


def owned_keys(events: Sequence[Envelope]) -> tuple[set[Key], set[Key]]:
    """(tenant, employee) and (tenant, unit) keys of the events: the state this consumer
    alone writes while it holds their partition."""
    employees: set[Key] = set()
    units: set[Key] = set()
    for e in events:
        route = route_of(e.payload)
        if route.owner == "e":
            employees.add((e.tenant, route.owned_key(e.payload)))
        elif route.owner == "u":
            units.add((e.tenant, route.owned_key(e.payload)))
    return employees, units


async def load_events_state(b: Batch, events: Sequence[Envelope]) -> None:
    """Load the state the events touch."""
    tenants: set[str] = set()
    emp_keys: set[Key] = set()
    unit_keys: set[Key] = set()
    needs: dict[str, set[str]] = {kind: set() for kind in NEEDS}
    for e in events:
        p, t = e.payload, e.tenant
        tenants.add(t)
        route = route_of(p)
        for attr in route.employee_fields:
            if value := getattr(p, attr):
                emp_keys.add((t, value))
        if route.unit_field is not None and (unit := getattr(p, route.unit_field)):
            unit_keys.add((t, unit))
        if route.loads is not None:
            for kind, value in route.loads(p):
                needs[kind].add(value)
    b.owned_employees, b.owned_units = owned_keys(events)
    await load_entities(b, tenants, emp_keys, unit_keys)
    session = b.session
    for r in await load(session, ScoreActivity, "activity_id", needs["activity"]):
        if r["tenant"] in tenants:
            b.activities[(r["tenant"], r["activity_id"])] = cast(ActivityRow, r)
    # The complaints of the events, and those whose alert recipient may change with an
    # org fact of this batch.
    for kind in ("complaint", "complaints_of_unit", "complaints_of_officer"):
        model, column = NEEDS[kind]
        for r in await load(session, model, column, needs[kind]):
            if r["tenant"] in tenants:
                b.complaints.setdefault((r["tenant"], r["complaint_id"]), cast(ComplaintRow, r))
    await load_named_by_complaints(b)
    for r in await load(session, ScoreAssessment, "assessment_id", needs["assessment"]):
        if r["tenant"] in tenants:
            b.assessments[(r["tenant"], r["assessment_id"])] = cast(AssessmentRow, r)


async def load_named_by_complaints(b: Batch) -> None:
    """The officers and units the loaded complaints name: their alert's recipient and
    message come from them, and an org fact may re-evaluate a complaint whose officer no
    other event of the batch names."""
    officers = {
        (t, c["officer_id"])
        for (t, _), c in b.complaints.items()
        if c["officer_id"] and (t, c["officer_id"]) not in b.org_employees
    }
    units = {
        (t, c["unit_id"])
        for (t, _), c in b.complaints.items()
        if (t, c["unit_id"]) not in b.org_units
    }
    for r in await load(b.session, OrgEmployee, "employee_id", {e for _, e in officers}):
        if (r["tenant"], r["employee_id"]) in officers:
            b.org_employees[(r["tenant"], r["employee_id"])] = cast(OrgEmployeeRow, r)
    for r in await load(b.session, OrgUnit, "unit_id", {u for _, u in units}):
        if (r["tenant"], r["unit_id"]) in units:
            b.org_units[(r["tenant"], r["unit_id"])] = cast(OrgUnitRow, r)


async def load_entities(
    b: Batch, tenants: set[str], emp_keys: set[Key], unit_keys: set[Key]
) -> None:
    """Org, SKP and score rows of employees, org and survey rows of units. Owned keys the
    cache holds come from it; the rest (and every key without a cache) from the database,
    with one ``SELECT ... IN`` per table."""
    s, cache = b.session, b.cache
    for r in await load(s, OrgTenant, "slug", tenants):
        b.regencies.rows[r["slug"]] = cast(TenantRow, r)
    for r in await load(s, OrgHoliday, "tenant", tenants):
        b.regencies.holiday_rows[(r["tenant"], r["year"])] = cast(HolidayRow, r)
    cached_emps: set[Key] = set()
    cached_units: set[Key] = set()
    if cache is not None:
        cached_emps = b.owned_employees & cache.employees.keys()
        cached_units = b.owned_units & cache.units.keys()
        for key in cached_emps:
            state = cache.employees[key]
            if state.org is not None:
                b.org_employees[key] = state.org
            for skp in state.skps:
                b.put_skp(skp)
            for row in state.rows:
                b.put_employee(row)
            if state.alerts is not None:
                b.alerts[(key[0], "e", key[1])] = state.alerts
        for key in cached_units:
            unit_state = cache.units[key]
            if unit_state.org is not None:
                b.org_units[key] = unit_state.org
            for unit in unit_state.rows:
                b.put_unit(unit)
            if unit_state.alerts is not None:
                b.alerts[(key[0], "u", key[1])] = unit_state.alerts
    emp_keys = emp_keys - cached_emps
    for r in await load(s, OrgEmployee, "employee_id", {e for _, e in emp_keys}):
        if (r["tenant"], r["employee_id"]) in emp_keys:
            b.org_employees[(r["tenant"], r["employee_id"])] = cast(OrgEmployeeRow, r)
    unit_keys = unit_keys - cached_units
    if cache is None:  # the scheduler: the units of the employees as well
        unit_keys |= {(t, r["unit_id"]) for (t, _), r in b.org_employees.items()}
    # Surveys and complaints name officers of other partitions: only their org row is
    # needed; SKPs and score rows are only ever needed for the events' own employees.
    score_keys = emp_keys if cache is None else emp_keys & b.owned_employees
    for r in await load(s, OrgUnit, "unit_id", {u for _, u in unit_keys}):
        if (r["tenant"], r["unit_id"]) in unit_keys:
            b.org_units[(r["tenant"], r["unit_id"])] = cast(OrgUnitRow, r)
    for r in await load(s, ScoreSkp, "employee_id", {e for _, e in score_keys}):
        if (r["tenant"], r["employee_id"]) in score_keys:
            b.put_skp(cast(SkpRow, r))
    for r in await load(s, ScoreEmployee, "employee_id", {e for _, e in score_keys}):
        if (r["tenant"], r["employee_id"]) in score_keys:
            b.put_employee(cast(EmployeeRow, r))
    for r in await load(s, ScoreUnit, "unit_id", {u for _, u in unit_keys}):
        if (r["tenant"], r["unit_id"]) in unit_keys:
            b.put_unit(cast(UnitRow, r))
