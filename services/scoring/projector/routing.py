"""ONE table saying, per event type, what the projector does with it.

An entry names the payload type and, for that type:

- ``locks_unit``: whether it writes its unit's rows (its employees' rows are locked and
  loaded from the fields naming an employee, found once per type: ``employee_id``,
  ``assessee_id``, ``officer_id``);
- ``loads``: the extra rows it needs, as (kind, id) pairs (see ``loading.NEEDS``);
- ``parks``: (release key, order key) when it may have to wait for a missing fact, with
  ``ready`` saying whether that fact is there; ``releases``: the release keys of the parked
  events its fact satisfies;
- ``apply``: the function that applies it to the batch's rows.

Adding an event type is one entry here and one apply function (in ``employee``, ``unit`` or
``regency``); a subtype (``employee.updated`` extends ``employee.registered``) takes its base
type's entry. Types without an entry (feedback.noted, objection.filed, scoring's own
events) change no projection: they still lock and load the employees they name, as every
event does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from services.common.events import (
    ActivityLogged,
    AssessmentSubmitted,
    ComplaintFiled,
    ComplaintStatusChanged,
    EmployeeDeactivated,
    EmployeeRegistered,
    EventPayload,
    HolidaysSet,
    KepalaDaerahSet,
    ObjectionDecided,
    SurveyReceived,
    TargetSet,
    TenantRegistered,
    UnitCreated,
)
from services.scoring.projector import employee, regency, unit

if TYPE_CHECKING:
    from services.common.events import Envelope
    from services.scoring.projector.batch import Batch

P = TypeVar("P", bound=EventPayload)

EMPLOYEE_FIELDS = ("employee_id", "assessee_id", "officer_id")
# Kafka key fields whose entity is an employee / a unit: what the consumer alone writes
# while it holds the key's partition (co-partitioning), and so may cache.
EMPLOYEE_KEY_FIELDS = frozenset({"employee_id", "assessee_id"})


@dataclass(frozen=True, slots=True)
class Route(Generic[P]):
    payload: type[P]
    apply: Callable[[Batch, Envelope, P], None] | None = None
    locks_unit: bool = False
    loads: Callable[[P], Iterable[tuple[str, str]]] | None = None
    parks: Callable[[str, P], tuple[str, str]] | None = None
    ready: Callable[[Batch, str, P], bool] | None = None
    releases: Callable[[str, P], list[str]] | None = None
    # Derived from the payload type, once.
    employee_fields: tuple[str, ...] = field(init=False)
    unit_field: str | None = field(init=False)  # names a unit whose rows it loads
    owner: str | None = field(init=False)  # "e" | "u": the kind of entity it is keyed by

    def __post_init__(self) -> None:
        fields = self.payload.model_fields
        key = self.payload.KEY_FIELD
        owner = "e" if key in EMPLOYEE_KEY_FIELDS else "u" if key == "unit_id" else None
        object.__setattr__(
            self, "employee_fields", tuple(f for f in EMPLOYEE_FIELDS if f in fields)
        )
        object.__setattr__(self, "unit_field", "unit_id" if "unit_id" in fields else None)
        object.__setattr__(self, "owner", owner)

    def owned_key(self, payload: Any) -> str:
        """The id of the entity the event is keyed by (with an ``owner``: its partition's
        owner alone writes it)."""
        return str(getattr(payload, self.payload.KEY_FIELD or ""))


_TABLE: tuple[Route[Any], ...] = (
    Route(  # most events are
        ActivityLogged,
        apply=employee.apply_activity,
        # Only edits and deletions need the entry as it was ("created" ids are new).
        loads=lambda p: () if p.action == "created" else (("activity", p.activity_id),),
        parks=lambda t, p: (f"skp:{t}:{p.employee_id}", f"act:{t}:{p.activity_id}"),
        ready=employee.activity_ready,
    ),
    Route(
        TargetSet,
        apply=employee.apply_target,
        releases=lambda t, p: [f"skp:{t}:{p.employee_id}"],
    ),
    Route(
        AssessmentSubmitted,
        apply=employee.apply_assessment,
        loads=lambda p: (("assessment", p.assessment_id),),
        parks=lambda t, p: (f"emp:{t}:{p.assessee_id}", f"emp:{t}:{p.assessee_id}"),
        ready=lambda b, t, p: (t, p.assessee_id) in b.org_employees,
        releases=lambda t, p: [f"asm:{t}:{p.assessment_id}"],
    ),
    Route(
        ObjectionDecided,
        apply=employee.apply_objection,
        loads=lambda p: (("assessment", p.assessment_id),),
        parks=lambda t, p: (f"asm:{t}:{p.assessment_id}", f"asm:{t}:{p.assessment_id}"),
        ready=lambda b, t, p: (t, p.assessment_id) in b.assessments,
    ),
    Route(
        EmployeeRegistered,
        apply=employee.apply_registered,
        # Complaints naming the officer: their alert's recipient may change.
        loads=lambda p: (("complaints_of_officer", p.employee_id),),
        releases=lambda t, p: [f"emp:{t}:{p.employee_id}"],
    ),
    Route(EmployeeDeactivated, apply=employee.apply_deactivated),
    Route(
        UnitCreated,
        apply=unit.apply_unit_created,
        locks_unit=True,
        # Complaints about the unit: their alert's recipient may change with its head.
        loads=lambda p: (("complaints_of_unit", p.unit_id),),
    ),
    Route(SurveyReceived, apply=unit.apply_survey, locks_unit=True),
    Route(
        ComplaintFiled,
        apply=unit.apply_complaint,
        locks_unit=True,
        loads=lambda p: (("complaint", p.complaint_id),),
    ),
    Route(
        ComplaintStatusChanged,
        apply=unit.apply_complaint,
        locks_unit=True,
        loads=lambda p: (("complaint", p.complaint_id),),
    ),
    Route(TenantRegistered, apply=regency.apply_tenant_registered),
    Route(KepalaDaerahSet, apply=regency.apply_kepala_daerah),
    Route(HolidaysSet, apply=regency.apply_holidays),
)

ROUTES: dict[type[EventPayload], Route[Any]] = {r.payload: r for r in _TABLE}


def route_of(payload: EventPayload) -> Route[Any]:
    """The payload type's entry (one dict lookup; a type without one gets a route that
    only locks and loads what it names, made once)."""
    route = ROUTES.get(type(payload))
    if route is None:
        kind = type(payload)
        # A subtype (employee.updated, unit.updated, target.revised) is handled as the type
        # it extends, with its own fields.
        base = next((ROUTES[c] for c in kind.__mro__[1:] if c in ROUTES), None)
        route = ROUTES[kind] = Route(kind) if base is None else replace(base, payload=kind)
    return route


def lock_keys(event: Envelope) -> list[str]:
    """Entities whose rows this event may write (parked events share them)."""
    p, t = event.payload, event.tenant
    route = route_of(p)
    keys = [f"e:{t}:{value}" for attr in route.employee_fields if (value := getattr(p, attr))]
    if route.locks_unit and route.unit_field is not None:
        keys.append(f"u:{t}:{getattr(p, route.unit_field)}")
    return keys


def park_info(event: Envelope) -> tuple[str, str] | None:
    """(release key, order key) for events that may have to wait for a missing fact."""
    parks = route_of(event.payload).parks
    return None if parks is None else parks(event.tenant, event.payload)


def releases(event: Envelope) -> list[str]:
    """The parked events' release keys that this event's fact satisfies."""
    found = route_of(event.payload).releases
    return [] if found is None else found(event.tenant, event.payload)
