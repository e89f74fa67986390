"""Events in: the batch projector.

The kernel's consumer calls :func:`Projector.apply_batch` with the new events of a batch,
inside one transaction. A batch is applied in four set-based steps: lock the entities it
touches, load their state (one ``SELECT ... IN`` per table), apply every event in order to
plain dicts in memory, then recompute the touched projections and alerts and write them
back with one upsert per table. Events that arrive before a fact they need are parked
(``parked_event``) and applied, in their original order, when that fact arrives.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client import Counter as PromCounter
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import (
    ActivityLogged,
    Aggregation,
    AlertCleared,
    AlertRaised,
    AssessmentSubmitted,
    BerAkhlak,
    ComplaintFiled,
    ComplaintStatus,
    ComplaintStatusChanged,
    Direction,
    EmployeeDeactivated,
    EmployeeRegistered,
    Envelope,
    ObjectionDecided,
    Rating,
    Relation,
    SurveyReceived,
    TargetSet,
    TenantRegistered,
    TenantSettings,
    UnitCreated,
    decode_event,
    new_internal_event,
)
from services.common.orgchart import OrgEmployee, OrgTenant, OrgUnit
from services.common.skm import ikm_from_sums
from services.common.workdays import local_today
from services.scoring import domain as d
from services.scoring.cache import Cache, EmployeeState, Key, UnitState
from services.scoring.models import (
    SKM_ELEMENTS,
    ParkedEvent,
    ScoreActivity,
    ScoreAlert,
    ScoreAlertLog,
    ScoreAssessment,
    ScoreComplaint,
    ScoreEmployee,
    ScoreOfficerSurvey,
    ScoreSkp,
    ScoreUnit,
)
from services.scoring.store import (
    Row,
    add_to,
    bump_epoch,
    delete_keys,
    execute,
    insert,
    is_postgres,
    load,
    lock,
    read_epoch,
    stage_events,
    table_of,
    upsert,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
OPEN_COMPLAINT = {ComplaintStatus.RECEIVED, ComplaintStatus.VERIFIED, ComplaintStatus.IN_PROGRESS}
EMPLOYEE_KINDS = ("behind_target", "silent", "assessment_due", "predikat_drop")
# Which owned state holds a kind's active alerts in the cache ("e": the subject is an
# employee, "u": a unit); complaint alerts are not cached (see cache.py).
ALERT_OWNER = dict.fromkeys(EMPLOYEE_KINDS, "e") | {"satisfaction": "u"}
# (tenant, recipient, kind, subject) -> (message, id of the causing event)
Desired = dict[tuple[str, str, str, str], tuple[str, uuid.UUID | None]]
ALERT_NAMESPACE = uuid.UUID("5d1c7a52-8a4e-4b8e-9a51-5c0b1ad0e7f1")


def utc_now(clock: Clock) -> datetime:
    return clock().astimezone(UTC)


class ScoringMetrics:
    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self.alerts = PromCounter(
            "kinerja_scoring_alerts_total",
            "Alerts raised or cleared",
            ["service", "kind", "action"],
            registry=registry,
        )
        self.parked = PromCounter(
            "kinerja_scoring_parked_total",
            "Events parked for a missing fact, released, or expired",
            ["service", "type", "outcome"],
            registry=registry,
        )
        self.parked_now = Gauge(
            "kinerja_scoring_parked_events",
            "Events waiting in parked_event",
            ["service"],
            registry=registry,
        )


@dataclass
class Context:
    clock: Clock
    metrics: ScoringMetrics


# ---------------------------------------------------------------- rows


def employee_row(tenant: str, employee_id: str, period: str, kind: str, year: int) -> Row:
    return {
        "tenant": tenant,
        "employee_id": employee_id,
        "period": period,
        "period_kind": kind,
        "year": year,
        "unit_id": None,
        "indicators": {},
        "figures": {},
        "achievement": None,
        "projected_achievement": None,
        "projected_rating": None,
        "projected_predikat": None,
        "predikat_drop_from": None,
        "final_result_rating": None,
        "final_behaviour_rating": None,
        "final_predikat": None,
        "final_source": None,
        "behaviour_ratings": {},
        "latest_behaviour": None,
        "development_recommendation": "",
        "supervisor_assessed": False,
        "last_activity_date": None,
        "skp_received_on": None,
    }


def indicator_specs(rhk: dict[str, Any]) -> list[d.IndicatorSpec]:
    return [
        d.IndicatorSpec(
            indicator_id=i["indicator_id"],
            name=i["name"],
            target=i["target"],
            unit=i["unit"],
            direction=Direction(i["direction"]),
            aggregation=Aggregation(i["aggregation"]),
            weight=i.get("weight"),
        )
        for i in rhk["indicators"]
    ]


@dataclass(frozen=True, slots=True)
class ParsedSkp:
    specs: list[list[d.IndicatorSpec]]  # the indicators of each RHK
    indicator_ids: frozenset[str]


# (tenant, skp id, version) -> its parsed indicators: a version of an SKP never changes, so it
# is parsed once, not once per batch (or per activity) that needs it.
_PARSED: dict[tuple[str, str, int], ParsedSkp] = {}


def parsed_skp(skp: Row) -> ParsedSkp:
    key = (skp["tenant"], skp["skp_id"], skp["version"])
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= 100_000:
            _PARSED.clear()
        specs = [indicator_specs(rhk) for rhk in skp["rhk"]]
        ids = frozenset(s.indicator_id for rhk in specs for s in rhk)
        parsed = _PARSED[key] = ParsedSkp(specs, ids)
    return parsed


def project(row: Row, skp: Row | None, settings: TenantSettings, today: date, share: float) -> None:
    """Recompute the figures of an annual employee row from its indicator state
    (``share``: of the row's year passed by the end of ``today``)."""
    if skp is None:
        return
    cap = settings.achievement_cap
    rhk_out, current, projected = [], [], []
    for rhk, specs in zip(skp["rhk"], parsed_skp(skp).specs, strict=True):
        figures = []
        for spec in specs:
            state = d.IndicatorState(**row["indicators"].get(spec.indicator_id, {}))
            figures.append((spec, d.indicator_figures(spec, state, share, cap)))
        rhk_now = d.mean_achievement([(f.achievement, s.weight) for s, f in figures])
        rhk_end = d.mean_achievement([(f.projected_achievement, s.weight) for s, f in figures])
        current.append((rhk["kind"], rhk_now))
        projected.append((rhk["kind"], rhk_end))
        rhk_out.append(
            {
                "rhk_id": rhk["rhk_id"],
                "achievement": rhk_now,
                "projected_achievement": rhk_end,
                "indicators": {
                    f.indicator_id: [
                        f.realisation,
                        f.achievement,
                        f.expected_to_date,
                        f.projected_realisation,
                        f.projected_achievement,
                    ]
                    for _, f in figures
                },
            }
        )
    tambahan = settings.count_tambahan_in_overall
    row["figures"] = {"share": share, "as_of": today.isoformat(), "rhk": rhk_out}
    row["achievement"] = d.overall_achievement(current, tambahan)
    row["projected_achievement"] = d.overall_achievement(projected, tambahan)
    rating = d.projected_rating(row["projected_achievement"], settings)
    previous = d.Predikat(row["projected_predikat"]) if row["projected_predikat"] else None
    dropped = d.Predikat(row["predikat_drop_from"]) if row["predikat_drop_from"] else None
    current_predikat = (
        None
        if rating is None
        else d.predikat(rating, Rating(row["latest_behaviour"] or Rating.SESUAI))
    )
    new_drop = d.predikat_drop_from(previous, current_predikat, dropped)
    row["projected_rating"] = rating.value if rating else None
    row["projected_predikat"] = current_predikat.value if current_predikat else None
    row["predikat_drop_from"] = new_drop.value if new_drop else None


def set_final(row: Row, result: Rating | None, behaviour: dict[str, str], above_min: int) -> None:
    overall = d.overall_behaviour(
        {BerAkhlak(k): Rating(v) for k, v in behaviour.items()}, above_min
    )
    row["final_result_rating"] = result.value if result else None
    row["behaviour_ratings"] = dict(behaviour)
    row["final_behaviour_rating"] = overall.value if overall else None
    row["final_predikat"] = d.predikat(result, overall).value if result and overall else None


# ---------------------------------------------------------------- parking


def park_info(event: Envelope) -> tuple[str, str] | None:
    """(release key, order key) for events that may have to wait for a missing fact."""
    p, t = event.payload, event.tenant
    if isinstance(p, ActivityLogged):
        return f"skp:{t}:{p.employee_id}", f"act:{t}:{p.activity_id}"
    if isinstance(p, AssessmentSubmitted):
        return f"emp:{t}:{p.assessee_id}", f"emp:{t}:{p.assessee_id}"
    if isinstance(p, ObjectionDecided):
        return f"asm:{t}:{p.assessment_id}", f"asm:{t}:{p.assessment_id}"
    return None


def releases(event: Envelope) -> list[str]:
    """The parked events' release keys that this event's fact satisfies."""
    p, t = event.payload, event.tenant
    if isinstance(p, ActivityLogged | SurveyReceived):
        return []  # the common case first: they release nothing
    if isinstance(p, TargetSet):
        return [f"skp:{t}:{p.employee_id}"]
    if isinstance(p, EmployeeRegistered):
        return [f"emp:{t}:{p.employee_id}"]
    if isinstance(p, AssessmentSubmitted):
        return [f"asm:{t}:{p.assessment_id}"]
    return []


_EMPLOYEE_ATTRS: dict[type, tuple[str, ...]] = {}


def employee_attrs(payload: Any) -> tuple[str, ...]:
    """The payload type's fields that name an employee (looked up once per type: probing
    a pydantic model for a missing attribute raises and catches, per event)."""
    kind = type(payload)
    attrs = _EMPLOYEE_ATTRS.get(kind)
    if attrs is None:
        names = ("employee_id", "assessee_id", "officer_id")
        attrs = _EMPLOYEE_ATTRS[kind] = tuple(a for a in names if a in kind.model_fields)
    return attrs


def lock_keys(event: Envelope) -> list[str]:
    """Entities whose rows this event may write (parked events share them)."""
    p, t = event.payload, event.tenant
    keys = []
    for attr in employee_attrs(p):
        value = getattr(p, attr)
        if value:
            keys.append(f"e:{t}:{value}")
    if isinstance(p, SurveyReceived | ComplaintFiled | ComplaintStatusChanged | UnitCreated):
        keys.append(f"u:{t}:{p.unit_id}")
    return keys


EMPLOYEE_KEY_FIELDS = {"employee_id", "assessee_id"}


def owned_keys(events: Iterable[Envelope]) -> tuple[set[Key], set[Key]]:
    """(tenant, employee) and (tenant, unit) keys of the events: the state this consumer
    alone writes while it holds their partition."""
    employees: set[Key] = set()
    units: set[Key] = set()
    for e in events:
        name = e.payload.KEY_FIELD
        if name in EMPLOYEE_KEY_FIELDS:
            employees.add((e.tenant, getattr(e.payload, name)))
        elif name == "unit_id":
            units.add((e.tenant, getattr(e.payload, name)))
    return employees, units


@dataclass
class Parked:
    seq: int | None  # None until written
    event: Envelope
    release_key: str
    order_key: str
    parked_at: datetime


# ---------------------------------------------------------------- the batch


@dataclass
class Batch:
    """The state one batch (or one scheduler tick) touches, loaded once, written once."""

    ctx: Context
    session: AsyncSession
    cache: Cache | None = None  # the consumer's; None for the scheduler
    now: datetime = field(init=False)
    owned_employees: set[Key] = field(default_factory=set)
    owned_units: set[Key] = field(default_factory=set)
    skp_years: dict[Key, set[int]] = field(default_factory=dict)
    unit_years: dict[Key, set[int]] = field(default_factory=dict)
    officer_surveys: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)
    tenants: dict[str, Row] = field(default_factory=dict)
    org_employees: dict[tuple[str, str], Row] = field(default_factory=dict)
    org_units: dict[tuple[str, str], Row] = field(default_factory=dict)
    skps: dict[tuple[str, str, int], Row] = field(default_factory=dict)
    skp_ids: dict[tuple[str, str, str], tuple[str, str, int]] = field(default_factory=dict)
    periods: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    employees: dict[tuple[str, str, str], Row] = field(default_factory=dict)
    activities: dict[tuple[str, str], Row | None] = field(default_factory=dict)
    units: dict[tuple[str, str, int], Row] = field(default_factory=dict)
    complaints: dict[tuple[str, str], Row] = field(default_factory=dict)
    assessments: dict[tuple[str, str], Row] = field(default_factory=dict)
    dirty: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)
    deleted_activities: set[tuple[str, str]] = field(default_factory=set)
    latest_to_recompute: set[tuple[str, str, int, str]] = field(default_factory=set)
    # Subjects whose alerts are re-evaluated -> the id of the event that touched them last
    # (None: the scheduler).
    touched_employees: dict[tuple[str, str], uuid.UUID | None] = field(default_factory=dict)
    touched_units: dict[tuple[str, str, int], uuid.UUID | None] = field(default_factory=dict)
    touched_complaints: dict[tuple[str, str], uuid.UUID | None] = field(default_factory=dict)
    # (tenant, "e"|"u", subject) -> its active alerts, for owned subjects whose alerts are
    # known (from the cache, or evaluated in this batch).
    alerts: dict[tuple[str, str, str], list[Row]] = field(default_factory=dict)
    waiting: dict[str, list[Parked]] = field(default_factory=dict)
    blocked: Counter[str] = field(default_factory=Counter)
    unparked: list[int] = field(default_factory=list)
    retuned: set[str] = field(default_factory=set)  # tenants whose settings arrived
    _rules: dict[str, tuple[TenantSettings, str]] = field(default_factory=dict)
    _today: dict[str, date] = field(default_factory=dict)
    _shares: dict[tuple[str, int], float] = field(default_factory=dict)
    _due: dict[str, list[d.PeriodSpan]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.now = self.ctx.clock()

    def mark(self, table: str, key: tuple[Any, ...]) -> None:
        self.dirty.setdefault(table, set()).add(key)

    # ------------------------------------------------------------ tenant facts

    def tenant_rules(self, tenant: str) -> tuple[TenantSettings, str]:
        cached = self._rules.get(tenant)
        if cached is None:
            row = self.tenants.get(tenant)
            cached = (
                (TenantSettings(), "Asia/Jakarta")
                if row is None
                else (TenantSettings.model_validate(row["settings"]), row["time_zone"])
            )
            self._rules[tenant] = cached
        return cached

    def local_date(self, tenant: str, moment: datetime) -> date:
        return local_today(self.tenant_rules(tenant)[1], moment)

    def today(self, tenant: str) -> date:
        day = self._today.get(tenant)
        if day is None:
            day = self._today[tenant] = self.local_date(tenant, self.now)
        return day

    # Figures that depend on the tenant and the day only, computed once per batch.

    def share(self, tenant: str, year: int) -> float:
        """Share of ``year``'s working days passed by the end of today."""
        share = self._shares.get((tenant, year))
        if share is None:
            share = d.period_share(d.annual_period(year), self.today(tenant))
            self._shares[(tenant, year)] = share
        return share

    def due_spans(self, tenant: str) -> list[d.PeriodSpan]:
        """The tenant's assessment periods (cadence and annual) that end within 5 working
        days of today."""
        spans = self._due.get(tenant)
        if spans is None:
            settings, _ = self.tenant_rules(tenant)
            today = self.today(tenant)
            spans = self._due[tenant] = [
                span
                for span in (
                    d.cadence_period(today, settings.evaluation_cadence),
                    d.annual_period(today.year),
                )
                if d.assessment_due(span, today)
            ]
        return spans

    # ------------------------------------------------------------ loading

    async def load_parked(self, events: Sequence[Envelope]) -> list[Parked]:
        """Parked events that this batch may release or must keep in order behind."""
        if self.cache is not None and self.cache.parked_keys == set():
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
            known = self.cache.parked_keys if self.cache is not None else None
            if known is not None:
                # Only keys something was parked under (the cache saw every park): a
                # batch of 50,000 events would otherwise query with as many parameters.
                release_keys &= known
                order_keys &= known
                if not release_keys and not order_keys:
                    break
            table = table_of(ParkedEvent)
            connection = await self.session.connection()
            rows: list[Any] = []
            for column, keys in (
                (table.c.release_key, release_keys),
                (table.c.order_key, order_keys),
            ):
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
            self.waiting.setdefault(item.release_key, []).append(item)
            self.blocked[item.order_key] += 1
        return parked

    async def load(self, events: Sequence[Envelope]) -> None:
        """Load the state the events touch: the owned keys' state from the cache when it
        has them, everything else from the database."""
        tenants: set[str] = set()
        emp_keys: set[Key] = set()
        unit_keys: set[Key] = set()
        activity_ids: set[str] = set()
        complaint_ids: set[str] = set()
        assessment_ids: set[str] = set()
        for e in events:
            p, t = e.payload, e.tenant
            tenants.add(t)
            for attr in employee_attrs(p):
                if value := getattr(p, attr):
                    emp_keys.add((t, value))
            if "unit_id" in type(p).model_fields and (unit := p.unit_id):  # type: ignore[attr-defined]
                unit_keys.add((t, unit))
            if isinstance(p, ActivityLogged) and p.action != "created":
                activity_ids.add(p.activity_id)
            elif isinstance(p, ComplaintFiled | ComplaintStatusChanged):
                complaint_ids.add(p.complaint_id)
            elif isinstance(p, ObjectionDecided | AssessmentSubmitted):
                assessment_ids.add(p.assessment_id)
        self.owned_employees, self.owned_units = owned_keys(events)
        await self.load_entities(tenants, emp_keys, unit_keys)
        # Only edits and deletions need the entry as it was ("created" ids are new).
        for r in await load(self.session, ScoreActivity, "activity_id", activity_ids):
            if r["tenant"] in tenants:
                self.activities[(r["tenant"], r["activity_id"])] = r
        # Complaints whose alert recipient may change with an org fact of this batch.
        unit_events = {e.payload.unit_id for e in events if isinstance(e.payload, UnitCreated)}
        officers = {
            e.payload.employee_id for e in events if isinstance(e.payload, EmployeeRegistered)
        }
        for column, values in (
            ("complaint_id", complaint_ids),
            ("unit_id", unit_events),
            ("officer_id", officers),
        ):
            for r in await load(self.session, ScoreComplaint, column, values):
                if r["tenant"] in tenants:
                    self.complaints.setdefault((r["tenant"], r["complaint_id"]), r)
        await self.load_named_by_complaints()
        for r in await load(self.session, ScoreAssessment, "assessment_id", assessment_ids):
            if r["tenant"] in tenants:
                self.assessments[(r["tenant"], r["assessment_id"])] = r

    async def load_named_by_complaints(self) -> None:
        """The officers and units the loaded complaints name: their alert's recipient and
        message come from them, and an org fact may re-evaluate a complaint whose officer
        no other event of the batch names."""
        officers = {
            (t, c["officer_id"])
            for (t, _), c in self.complaints.items()
            if c["officer_id"] and (t, c["officer_id"]) not in self.org_employees
        }
        units = {
            (t, c["unit_id"])
            for (t, _), c in self.complaints.items()
            if (t, c["unit_id"]) not in self.org_units
        }
        for r in await load(self.session, OrgEmployee, "employee_id", {e for _, e in officers}):
            if (r["tenant"], r["employee_id"]) in officers:
                self.org_employees[(r["tenant"], r["employee_id"])] = r
        for r in await load(self.session, OrgUnit, "unit_id", {u for _, u in units}):
            if (r["tenant"], r["unit_id"]) in units:
                self.org_units[(r["tenant"], r["unit_id"])] = r

    async def load_entities(
        self, tenants: set[str], emp_keys: set[Key], unit_keys: set[Key]
    ) -> None:
        """Org, SKP and score rows of employees, org and survey rows of units. Owned keys
        the cache holds come from it; the rest (and every key without a cache) from the
        database, with one ``SELECT ... IN`` per table."""
        s, cache = self.session, self.cache
        for r in await load(s, OrgTenant, "slug", tenants):
            self.tenants[r["slug"]] = r
        cached_emps: set[Key] = set()
        cached_units: set[Key] = set()
        if cache is not None:
            cached_emps = self.owned_employees & cache.employees.keys()
            cached_units = self.owned_units & cache.units.keys()
            for key in cached_emps:
                state = cache.employees[key]
                if state.org is not None:
                    self.org_employees[key] = state.org
                for row in state.skps:
                    self.put_skp(row)
                for row in state.rows:
                    self.put_employee(row)
                if state.alerts is not None:
                    self.alerts[(key[0], "e", key[1])] = state.alerts
            for key in cached_units:
                unit_state = cache.units[key]
                if unit_state.org is not None:
                    self.org_units[key] = unit_state.org
                for row in unit_state.rows:
                    self.put_unit(row)
                if unit_state.alerts is not None:
                    self.alerts[(key[0], "u", key[1])] = unit_state.alerts
        emp_keys = emp_keys - cached_emps
        for r in await load(s, OrgEmployee, "employee_id", {e for _, e in emp_keys}):
            if (r["tenant"], r["employee_id"]) in emp_keys:
                self.org_employees[(r["tenant"], r["employee_id"])] = r
        unit_keys = unit_keys - cached_units
        if cache is None:  # the scheduler: the units of the employees as well
            unit_keys |= {(t, r["unit_id"]) for (t, _), r in self.org_employees.items()}
        # Surveys and complaints name officers of other partitions: only their org row is
        # needed; SKPs and score rows are only ever needed for the events' own employees.
        score_keys = emp_keys if cache is None else emp_keys & self.owned_employees
        for r in await load(s, OrgUnit, "unit_id", {u for _, u in unit_keys}):
            if (r["tenant"], r["unit_id"]) in unit_keys:
                self.org_units[(r["tenant"], r["unit_id"])] = r
        for r in await load(s, ScoreSkp, "employee_id", {e for _, e in score_keys}):
            if (r["tenant"], r["employee_id"]) in score_keys:
                self.put_skp(r)
        for r in await load(s, ScoreEmployee, "employee_id", {e for _, e in score_keys}):
            if (r["tenant"], r["employee_id"]) in score_keys:
                self.put_employee(r)
        for r in await load(s, ScoreUnit, "unit_id", {u for _, u in unit_keys}):
            if (r["tenant"], r["unit_id"]) in unit_keys:
                self.put_unit(r)

    def keep(self, cache: Cache) -> None:
        """After the commit: the owned keys' rows, as committed, stay in the cache."""
        for key in self.owned_employees:
            t, e = key
            cache.employees[key] = EmployeeState(
                self.org_employees.get(key),
                [self.skps[(t, e, year)] for year in self.skp_years.get(key, ())],
                [self.employees[(t, e, period)] for period in self.periods.get(key, ())],
                self.alerts.get((t, "e", e)),
            )
        for key in self.owned_units:
            t, u = key
            cache.units[key] = UnitState(
                self.org_units.get(key),
                [self.units[(t, u, year)] for year in self.unit_years.get(key, ())],
                self.alerts.get((t, "u", u)),
            )

    def put_unit(self, row: Row) -> None:
        self.units[(row["tenant"], row["unit_id"], row["year"])] = row
        self.unit_years.setdefault((row["tenant"], row["unit_id"]), set()).add(row["year"])

    def put_skp(self, row: Row) -> None:
        key = (row["tenant"], row["employee_id"], row["year"])
        self.skps[key] = row
        self.skp_years.setdefault(key[:2], set()).add(row["year"])
        self.skp_ids[(row["tenant"], row["employee_id"], row["skp_id"])] = key

    def put_employee(self, row: Row) -> None:
        self.employees[(row["tenant"], row["employee_id"], row["period"])] = row
        self.periods.setdefault((row["tenant"], row["employee_id"]), set()).add(row["period"])

    # ------------------------------------------------------------ applying

    def handle(self, event: Envelope) -> None:
        info = park_info(event)
        if info is not None and (
            # (``blocked`` is usually empty: a Counter's lookup of a missing key is not free)
            (self.blocked and self.blocked.get(info[1], 0) > 0) or not self.ready(event)
        ):
            self.park(event, *info)
            return
        self.apply(event)
        for key in releases(event):
            self.release(key)

    def park(self, event: Envelope, release_key: str, order_key: str) -> None:
        item = Parked(None, event, release_key, order_key, utc_now(self.ctx.clock))
        self.waiting.setdefault(release_key, []).append(item)
        self.blocked[order_key] += 1
        self.ctx.metrics.parked.labels(self.ctx.metrics.service, event.type, "parked").inc()

    def release(self, key: str) -> None:
        items = self.waiting.pop(key, [])
        stuck: list[Parked] = []
        stuck_orders: set[str] = set()
        for item in items:
            if item.order_key in stuck_orders or not self.ready(item.event):
                stuck_orders.add(item.order_key)
                stuck.append(item)
                continue
            self.blocked[item.order_key] -= 1
            if item.seq is not None:
                self.unparked.append(item.seq)
            self.ctx.metrics.parked.labels(
                self.ctx.metrics.service, item.event.type, "released"
            ).inc()
            self.apply(item.event)
            for released in releases(item.event):
                self.release(released)
        if stuck:
            self.waiting.setdefault(key, []).extend(stuck)

    def skp_for(self, tenant: str, employee_id: str, skp_id: str) -> Row | None:
        key = self.skp_ids.get((tenant, employee_id, skp_id))
        return self.skps.get(key) if key else None

    def ready(self, event: Envelope) -> bool:
        p, t = event.payload, event.tenant
        if isinstance(p, ActivityLogged):
            skp = self.skp_for(t, p.employee_id, p.skp_id)
            return skp is not None and p.indicator_id in parsed_skp(skp).indicator_ids
        if isinstance(p, AssessmentSubmitted):
            return (t, p.assessee_id) in self.org_employees
        if isinstance(p, ObjectionDecided):
            return (t, p.assessment_id) in self.assessments
        return True

    def employee(self, tenant: str, employee_id: str, period: str, kind: str, year: int) -> Row:
        key = (tenant, employee_id, period)
        row = self.employees.get(key)
        if row is None:
            row = employee_row(tenant, employee_id, period, kind, year)
            org = self.org_employees.get((tenant, employee_id))
            row["unit_id"] = org["unit_id"] if org else None
            self.put_employee(row)
        self.mark("employee", key)
        return row

    def annual(self, tenant: str, employee_id: str, year: int) -> Row:
        return self.employee(tenant, employee_id, str(year), "annual", year)

    def apply(self, event: Envelope) -> None:
        p, t = event.payload, event.tenant
        if isinstance(p, ActivityLogged):  # most events are
            self.apply_activity(event, p)
        elif isinstance(p, TenantRegistered):
            self.tenants[t] = {
                "slug": t,
                "name": p.name,
                "time_zone": p.time_zone,
                "settings": p.settings.model_dump(mode="json"),
            }
            self.mark("org_tenant", (t,))
            self.retuned.add(t)
            self._rules.pop(t, None)
            self._today.pop(t, None)
            self._shares = {k: v for k, v in self._shares.items() if k[0] != t}
            self._due.pop(t, None)
        elif isinstance(p, UnitCreated):
            self.org_units[(t, p.unit_id)] = {
                "tenant": t,
                **p.model_dump(include={"unit_id", "name", "parent_id", "serves_public"}),
                "kind": p.kind.value,
                "head_employee_id": p.head_employee_id,
            }
            self.mark("org_unit", (t, p.unit_id))
            self.org_fact_changed(t, unit_id=p.unit_id, cause=event.event_id)
        elif isinstance(p, EmployeeRegistered):
            self.org_employees[(t, p.employee_id)] = {
                "tenant": t,
                **p.model_dump(
                    include={"employee_id", "nip", "name", "position", "unit_id", "active"}
                ),
                "supervisor_id": p.supervisor_id,
            }
            self.mark("org_employee", (t, p.employee_id))
            for period in self.periods.get((t, p.employee_id), ()):
                row = self.employees[(t, p.employee_id, period)]
                if row["unit_id"] != p.unit_id:
                    row["unit_id"] = p.unit_id
                    self.mark("employee", (t, p.employee_id, period))
            self.touched_employees[(t, p.employee_id)] = event.event_id
            self.org_fact_changed(t, officer_id=p.employee_id, cause=event.event_id)
        elif isinstance(p, EmployeeDeactivated):
            org = self.org_employees.get((t, p.employee_id))
            if org is not None:
                org["active"] = False
                self.mark("org_employee", (t, p.employee_id))
            self.touched_employees[(t, p.employee_id)] = event.event_id
        elif isinstance(p, TargetSet):
            self.apply_target(event, p)
        elif isinstance(p, AssessmentSubmitted):
            self.apply_assessment(event, p)
        elif isinstance(p, ObjectionDecided):
            self.apply_objection(event, p)
        elif isinstance(p, SurveyReceived):
            self.apply_survey(event, p)
        elif isinstance(p, ComplaintFiled | ComplaintStatusChanged):
            self.apply_complaint(event, p)
        # feedback.noted, objection.filed and scoring's own events change no projection.

    def org_fact_changed(
        self,
        tenant: str,
        *,
        cause: uuid.UUID,
        unit_id: str | None = None,
        officer_id: str | None = None,
    ) -> None:
        """A unit's head or an officer's supervisor may have changed: re-evaluate the unit
        and complaint alerts that name them (their recipient or message may change)."""
        for complaint, row in self.complaints.items():
            if complaint[0] == tenant and (
                row["unit_id"] == unit_id or row["officer_id"] == officer_id
            ):
                self.touched_complaints[complaint] = cause
        if unit_id is not None:
            for unit in self.units:
                if unit[0] == tenant and unit[1] == unit_id:
                    self.touched_units[unit] = cause

    def apply_target(self, event: Envelope, p: TargetSet) -> None:
        t, key = event.tenant, (event.tenant, p.employee_id, p.year)
        existing = self.skps.get(key)
        if existing is not None and existing["version"] > p.version:
            return  # an older version arriving late
        received = existing["received_on"] if existing else self.local_date(t, event.occurred_at)
        self.put_skp(
            {
                "tenant": t,
                "employee_id": p.employee_id,
                "year": p.year,
                "skp_id": p.skp_id,
                "version": p.version,
                "approved_by": p.approved_by,
                "received_on": received,
                "rhk": [r.model_dump(mode="json") for r in p.rhk],
            }
        )
        self.mark("skp", key)
        row = self.annual(t, p.employee_id, p.year)
        row["skp_received_on"] = received
        self.touched_employees[(t, p.employee_id)] = event.event_id

    def apply_activity(self, event: Envelope, p: ActivityLogged) -> None:
        t = event.tenant
        skp = self.skp_for(t, p.employee_id, p.skp_id)
        assert skp is not None  # ready() checked it
        year = skp["year"]
        row = self.annual(t, p.employee_id, year)
        states = row["indicators"]
        key = (t, p.activity_id)
        old = self.activities.get(key)
        if old is None:
            created_part = event.occurred_at.astimezone(UTC).isoformat()
        else:
            old_state = self.employee(
                t, old["employee_id"], str(old["year"]), "annual", old["year"]
            )
            state = old_state["indicators"].setdefault(old["indicator_id"], {})
            state["total"] = state.get("total", 0.0) - old["value"]
            state["count"] = state.get("count", 0) - 1
            if state.get("latest_key") == old["sort_key"]:
                self.latest_to_recompute.add(
                    (t, old["employee_id"], old["year"], old["indicator_id"])
                )
            created_part = old["sort_key"].split("|")[1]
        if p.action == "deleted":
            if old is not None:
                self.activities[key] = None
                self.deleted_activities.add(key)
        else:
            sort_key = f"{p.activity_date.isoformat()}|{created_part}|{p.activity_id}"
            self.activities[key] = {
                "tenant": t,
                "activity_id": p.activity_id,
                "employee_id": p.employee_id,
                "year": year,
                "indicator_id": p.indicator_id,
                "activity_date": p.activity_date,
                "value": p.value,
                "sort_key": sort_key,
            }
            if self.deleted_activities:
                self.deleted_activities.discard(key)
            state = states.setdefault(p.indicator_id, {})
            state["total"] = state.get("total", 0.0) + p.value
            state["count"] = state.get("count", 0) + 1
            if state.get("latest_key") is None or sort_key >= state["latest_key"]:
                state["latest"], state["latest_key"] = p.value, sort_key
                if self.latest_to_recompute:
                    self.latest_to_recompute.discard((t, p.employee_id, year, p.indicator_id))
            last = row["last_activity_date"]
            if last is None or p.activity_date > last:
                row["last_activity_date"] = p.activity_date
        self.mark("activity", key)
        self.touched_employees[(t, p.employee_id)] = event.event_id

    def apply_assessment(self, event: Envelope, p: AssessmentSubmitted) -> None:
        t = event.tenant
        self.assessments[(t, p.assessment_id)] = {
            "tenant": t,
            "assessment_id": p.assessment_id,
            "employee_id": p.assessee_id,
            "assessor_id": p.assessor_id,
            "relation": p.relation.value,
            "period": p.period.label,
            "period_kind": p.period.kind,
        }
        self.mark("assessment", (t, p.assessment_id))
        if p.relation != Relation.SUPERVISOR:
            return  # peer and self assessments never make a final rating
        settings, _ = self.tenant_rules(t)
        year = p.period.start.year
        row = self.employee(t, p.assessee_id, p.period.label, p.period.kind, year)
        row["supervisor_assessed"] = True
        if not (row["final_source"] or "").startswith("objection:"):
            set_final(
                row,
                p.result_rating,
                {k.value: v.value for k, v in p.behaviour_ratings.items()},
                settings.behaviour_above_min_count,
            )
            row["final_source"] = f"assessment:{p.assessment_id}"
            row["development_recommendation"] = p.development_recommendation
        annual = self.annual(t, p.assessee_id, year)
        if row["final_behaviour_rating"]:
            annual["latest_behaviour"] = row["final_behaviour_rating"]
        self.touched_employees[(t, p.assessee_id)] = event.event_id

    def apply_objection(self, event: Envelope, p: ObjectionDecided) -> None:
        t = event.tenant
        if not p.accepted:
            return
        assessment = self.assessments[(t, p.assessment_id)]
        settings, _ = self.tenant_rules(t)
        year = int(assessment["period"][:4])
        row = self.employee(
            t, assessment["employee_id"], assessment["period"], assessment["period_kind"], year
        )
        result = p.result_rating or (
            Rating(row["final_result_rating"]) if row["final_result_rating"] else None
        )
        behaviour = (
            {k.value: v.value for k, v in p.behaviour_ratings.items()}
            if p.behaviour_ratings
            else row["behaviour_ratings"]
        )
        set_final(row, result, behaviour, settings.behaviour_above_min_count)
        row["final_source"] = f"objection:{p.objection_id}"
        if row["final_behaviour_rating"]:
            self.annual(t, assessment["employee_id"], year)["latest_behaviour"] = row[
                "final_behaviour_rating"
            ]
        self.touched_employees[(t, assessment["employee_id"])] = event.event_id

    def apply_survey(self, event: Envelope, p: SurveyReceived) -> None:
        t = event.tenant
        year = self.local_date(t, event.occurred_at).year
        key = (t, p.unit_id, year)
        unit = self.units.get(key)
        if unit is None:
            unit = {
                "tenant": t,
                "unit_id": p.unit_id,
                "year": year,
                "survey_count": 0,
                "survey_sums": [0] * 9,
                "ikm": None,
                "ikm_category": None,
            }
            self.put_unit(unit)
        unit["survey_sums"] = [a + b for a, b in zip(unit["survey_sums"], p.scores, strict=True)]
        unit["survey_count"] += 1
        self.mark("unit", key)
        self.touched_units[key] = event.event_id
        if p.officer_id:
            sums = self.officer_surveys.setdefault((t, p.officer_id, year), [0] * 10)
            sums[0] += 1
            for i, score in enumerate(p.scores, start=1):
                sums[i] += score

    def apply_complaint(self, event: Envelope, p: ComplaintFiled | ComplaintStatusChanged) -> None:
        t, key = event.tenant, (event.tenant, p.complaint_id)
        row = self.complaints.get(key)
        if row is None:
            row = self.complaints[key] = {
                "tenant": t,
                "complaint_id": p.complaint_id,
                "unit_id": p.unit_id,
                "officer_id": p.officer_id,
                "status": ComplaintStatus.RECEIVED.value,
                "year": self.local_date(t, event.occurred_at).year,
            }
        if isinstance(p, ComplaintStatusChanged):
            row["status"] = p.to_status.value
        row["officer_id"] = p.officer_id or row["officer_id"]
        self.mark("complaint", key)
        self.touched_complaints[key] = event.event_id

    # ------------------------------------------------------------ finishing

    async def recompute_latest(self) -> None:
        """'latest' indicators whose latest entry was edited away or deleted."""
        if not self.latest_to_recompute:
            return
        employees = {emp for _, emp, _, _ in self.latest_to_recompute}
        best: dict[tuple[str, str, int, str], Row] = {}
        for r in await load(self.session, ScoreActivity, "employee_id", employees):
            key = (r["tenant"], r["employee_id"], r["year"], r["indicator_id"])
            if key in self.latest_to_recompute and (
                key not in best or r["sort_key"] > best[key]["sort_key"]
            ):
                best[key] = r
        for key in self.latest_to_recompute:
            t, emp, year, indicator = key
            state = self.annual(t, emp, year)["indicators"].setdefault(indicator, {})
            found = best.get(key)
            state["latest"] = found["value"] if found else None
            state["latest_key"] = found["sort_key"] if found else None

    def recompute_projections(self) -> None:
        for key in self.dirty.get("unit", set()):
            unit = self.units[key]
            result = ikm_from_sums(unit["survey_sums"], unit["survey_count"])
            unit["ikm"], unit["ikm_category"] = float(result.ikm), result.category
        for key in self.dirty.get("employee", set()):
            row = self.employees[key]
            if row["period_kind"] != "annual":
                continue
            t, emp, _ = key
            settings, _ = self.tenant_rules(t)
            today = self.today(t)
            project(
                row,
                self.skps.get((t, emp, row["year"])),
                settings,
                today,
                self.share(t, row["year"]),
            )

    async def finish(self) -> None:
        await self.write_activities()
        await self.recompute_latest()
        self.recompute_projections()
        await self.evaluate_alerts()
        await self.write()

    async def write_activities(self) -> None:
        rows = [
            row
            for key in self.dirty.get("activity", set())
            if (row := self.activities.get(key)) is not None
        ]
        await upsert(self.session, ScoreActivity, rows)
        await delete_keys(self.session, ScoreActivity, self.deleted_activities)

    async def write(self) -> None:
        s, dirty = self.session, self.dirty
        plans: list[tuple[Any, dict[Any, Any], str]] = [
            (OrgTenant, {(k,): v for k, v in self.tenants.items()}, "org_tenant"),
            (OrgUnit, self.org_units, "org_unit"),
            (OrgEmployee, self.org_employees, "org_employee"),
            (ScoreSkp, self.skps, "skp"),
            (ScoreEmployee, self.employees, "employee"),
            (ScoreUnit, self.units, "unit"),
            (ScoreComplaint, self.complaints, "complaint"),
            (ScoreAssessment, self.assessments, "assessment"),
        ]
        for model, rows, name in plans:
            await upsert(s, model, [rows[k] for k in sorted(dirty.get(name, set()))])
        await add_to(
            s,
            ScoreOfficerSurvey,
            [
                {"tenant": t, "officer_id": o, "year": y, "survey_count": sums[0]}
                | dict(zip(SKM_ELEMENTS, sums[1:], strict=True))
                for (t, o, y), sums in sorted(self.officer_surveys.items())
            ],
            ["survey_count", *SKM_ELEMENTS],
        )
        await delete_keys(s, ParkedEvent, [(seq,) for seq in self.unparked])
        new_parked = [
            {
                "event_id": str(item.event.event_id),
                "tenant": item.event.tenant,
                "type": item.event.type,
                "release_key": item.release_key,
                "order_key": item.order_key,
                "body": item.event.model_dump_json(),
                "parked_at": item.parked_at,
            }
            for items in self.waiting.values()
            for item in items
            if item.seq is None
        ]
        await insert(s, ParkedEvent, new_parked)
        if self.cache is not None and self.cache.parked_keys is not None:
            self.cache.parked_keys.update(
                str(k) for r in new_parked for k in (r["release_key"], r["order_key"])
            )

    # ------------------------------------------------------------ alerts

    def employee_conditions(self, tenant: str, employee_id: str) -> dict[str, str]:
        """kind -> message for each employee alert whose condition holds now."""
        org = self.org_employees.get((tenant, employee_id))
        if org is None or not org["active"]:
            return {}
        today = self.today(tenant)
        year = today.year
        row = self.employees.get((tenant, employee_id, str(year)))
        skp = self.skps.get((tenant, employee_id, year))
        if row is None or skp is None:
            return {}
        name = org["name"]
        found: dict[str, str] = {}
        share = row["figures"].get("share", 0.0)
        projected = {
            indicator: values[4]
            for rhk in row["figures"].get("rhk", [])
            for indicator, values in rhk["indicators"].items()
        }
        figures = [d.IndicatorFigures(i, None, None, None, None, v) for i, v in projected.items()]
        behind = d.behind_target(figures, share)
        if behind:
            names = {i["indicator_id"]: i["name"] for r in skp["rhk"] for i in r["indicators"]}
            listed = ", ".join(f"{names.get(i, i)} ({projected[i]:.0f}%)" for i in behind)
            found["behind_target"] = (
                f"{name} is projected below 80% on: {listed} ({share * 100:.0f}% of {year} passed)."
            )
        since = row["last_activity_date"] or row["skp_received_on"]
        if since is not None and d.is_silent(since, today):
            found["silent"] = f"{name} has logged no activity since {since.isoformat()}."
        due = []
        for span in self.due_spans(tenant):
            assessed = self.employees.get((tenant, employee_id, span.label))
            if not (assessed and assessed["supervisor_assessed"]):
                due.append(span)
        if due:
            labels = ", ".join(f"{s.label} (ends {s.end.isoformat()})" for s in due)
            found["assessment_due"] = f"Assess {name} for period {labels}."
        if row["predikat_drop_from"]:
            before = d.Predikat(row["predikat_drop_from"]).label
            now = d.Predikat(row["projected_predikat"]).label if row["projected_predikat"] else "-"
            found["predikat_drop"] = f"{name}'s projected predikat fell from {before} to {now}."
        return found

    def desired_alerts(
        self,
    ) -> tuple[Desired, set[tuple[str, str, str]]]:
        """Alerts that should be active for the touched subjects, and the (tenant, kind,
        subject) scope they were evaluated for."""
        desired: Desired = {}
        scope: set[tuple[str, str, str]] = set()
        for (t, emp), cause in self.touched_employees.items():
            scope.update((t, kind, emp) for kind in EMPLOYEE_KINDS)
            org = self.org_employees.get((t, emp))
            supervisor = org["supervisor_id"] if org else None
            if not supervisor:
                continue
            for kind, message in self.employee_conditions(t, emp).items():
                desired[(t, supervisor, kind, emp)] = (message, cause)
        for (t, unit_id, year), cause in self.touched_units.items():
            if year != self.today(t).year:
                continue
            scope.add((t, "satisfaction", unit_id))
            unit = self.units[(t, unit_id, year)]
            org_unit = self.org_units.get((t, unit_id))
            head = org_unit["head_employee_id"] if org_unit else None
            settings, _ = self.tenant_rules(t)
            if (
                head
                and unit["ikm_category"] in ("C", "D")
                and unit["survey_count"] >= settings.min_survey_sample
            ):
                name = org_unit["name"] if org_unit else unit_id
                desired[(t, head, "satisfaction", unit_id)] = (
                    f"IKM of {name} is {unit['ikm']:.2f} (category {unit['ikm_category']}) "
                    f"from {unit['survey_count']} responses.",
                    cause,
                )
        for (t, complaint_id), cause in self.touched_complaints.items():
            scope.add((t, "complaint", complaint_id))
            c = self.complaints[(t, complaint_id)]
            if ComplaintStatus(c["status"]) not in OPEN_COMPLAINT:
                continue
            officer = self.org_employees.get((t, c["officer_id"])) if c["officer_id"] else None
            org_unit = self.org_units.get((t, c["unit_id"]))
            recipient = (officer or {}).get("supervisor_id") or (org_unit or {}).get(
                "head_employee_id"
            )
            if recipient:
                about = f"{officer['name']}" if officer else f"unit {c['unit_id']}"
                desired[(t, recipient, "complaint", complaint_id)] = (
                    f"A complaint ({c['status']}) names {about}.",
                    cause,
                )
        return desired, scope

    async def active_alerts(
        self, scope: set[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str, str], Row]:
        """The active alerts in scope: owned subjects' from memory when known, the rest
        from the database."""
        active: dict[tuple[str, str, str, str], Row] = {}
        known: set[tuple[str, str, str]] = set()
        unknown: set[tuple[str, str, str]] = set()
        for t, kind, subject in scope:
            owner = ALERT_OWNER.get(kind)
            if owner is not None and (t, owner, subject) in self.alerts:
                known.add((t, owner, subject))
            else:
                unknown.add((t, kind, subject))
        for t, owner, subject in known:
            for r in self.alerts[(t, owner, subject)]:
                active[(t, r["recipient_id"], r["kind"], subject)] = r
        if unknown:
            tenants = {t for t, _, _ in unknown}
            for r in await load(self.session, ScoreAlert, "subject_id", {s for *_, s in unknown}):
                if r["tenant"] in tenants and (r["tenant"], r["kind"], r["subject_id"]) in unknown:
                    active[(r["tenant"], r["recipient_id"], r["kind"], r["subject_id"])] = r
        return active

    def remember_alerts(
        self,
        scope: set[tuple[str, str, str]],
        active: dict[tuple[str, str, str, str], Row],
        raised: list[Row],
        reworded: list[Row],
        cleared: list[tuple[str, str, str, str]],
    ) -> None:
        """The owned subjects' active alerts after this evaluation (kept in the cache after
        the commit). A subject is known when all the kinds its owner holds were in scope."""
        after = dict(active)
        for key in cleared:
            del after[key]
        for row in (*reworded, *raised):
            after[(row["tenant"], row["recipient_id"], row["kind"], row["subject_id"])] = row
        evaluated: dict[tuple[str, str, str], list[Row]] = {}
        for t, kind, subject in scope:
            owner = ALERT_OWNER.get(kind)
            if owner is not None:
                evaluated.setdefault((t, owner, subject), [])
        for t, employee in {(t, s) for (t, o, s) in evaluated if o == "e"}:
            if any((t, k, employee) not in scope for k in EMPLOYEE_KINDS):
                del evaluated[(t, "e", employee)]
        for (t, _, kind, subject), row in after.items():
            owner = ALERT_OWNER.get(kind)
            if owner is not None and (t, owner, subject) in evaluated:
                evaluated[(t, owner, subject)].append(row)
        self.alerts.update(evaluated)

    async def evaluate_alerts(self) -> None:
        desired, scope = self.desired_alerts()
        if not scope:
            return
        active = await self.active_alerts(scope)
        now = utc_now(self.ctx.clock)
        raised, cleared, logs, reworded = [], [], [], []
        staged: list[Envelope] = []
        m = self.ctx.metrics
        counts: Counter[tuple[str, str]] = Counter()
        for key, (message, cause) in sorted(desired.items()):
            if key in active:
                if active[key]["message"] != message:  # same condition, figures moved
                    reworded.append({**active[key], "message": message})
                continue
            t, recipient, kind, subject = key
            alert_id = str(uuid.uuid5(ALERT_NAMESPACE, f"{'|'.join(key)}|{cause or now.date()}"))
            raised.append(
                {
                    "tenant": t,
                    "recipient_id": recipient,
                    "kind": kind,
                    "subject_id": subject,
                    "alert_id": alert_id,
                    "message": message,
                    "cause_event_id": str(cause) if cause else None,
                    "raised_at": now,
                }
            )
            logs.append((t, recipient, alert_id, kind, subject, "raised", message))
            staged.append(
                new_internal_event(
                    AlertRaised(
                        alert_id=alert_id,
                        recipient_id=recipient,
                        kind=kind,
                        subject_id=subject,
                        message=message,
                        cause_event_id=cause,
                    ),
                    tenant=t,
                    occurred_at=self.now,
                ),
            )
            counts[(kind, "raised")] += 1
        for key, row in sorted(active.items()):
            if key in desired:
                continue
            t, recipient, kind, subject = key
            cleared.append(key)
            logs.append((t, recipient, row["alert_id"], kind, subject, "cleared", row["message"]))
            staged.append(
                new_internal_event(
                    AlertCleared(
                        alert_id=row["alert_id"],
                        recipient_id=recipient,
                        kind=kind,
                        subject_id=subject,
                    ),
                    tenant=t,
                    occurred_at=self.now,
                ),
            )
            counts[(kind, "cleared")] += 1
        for (kind, action), n in counts.items():
            m.alerts.labels(m.service, kind, action).inc(n)
        self.remember_alerts(scope, active, raised, reworded, cleared)
        await stage_events(self.session, staged)
        await delete_keys(self.session, ScoreAlert, cleared)
        await upsert(self.session, ScoreAlert, reworded)
        await insert(self.session, ScoreAlert, raised)
        await insert(
            self.session,
            ScoreAlertLog,
            [
                {
                    "tenant": t,
                    "recipient_id": r,
                    "alert_id": a,
                    "kind": k,
                    "subject_id": s,
                    "action": action,
                    "message": msg,
                    "at": now,
                }
                for t, r, a, k, s, action, msg in logs
            ],
        )


# ---------------------------------------------------------------- entry points


class Projector:
    def __init__(self, ctx: Context, cache: Cache | None = None) -> None:
        self.ctx = ctx
        self.cache = cache or Cache()

    async def apply_batch(self, session: AsyncSession, events: Sequence[Envelope]) -> None:
        """The consumer's batch handler (one transaction, committed by the kernel)."""
        # Entity locks serialise PostgreSQL writers; SQLite has one write lock for all.
        keys = {k for e in events for k in lock_keys(e)} if await is_postgres(session) else set()
        await lock(
            session,
            keys,
            tenants={e.tenant for e in events},
            retuned={e.tenant for e in events if isinstance(e.payload, TenantRegistered)},
        )
        cache = self.cache
        epoch = await read_epoch(session)
        if cache.uncommitted:
            cache.clear("a batch did not commit")
        elif cache.epoch != epoch:
            cache.clear("rows written outside the consumer's partitions")
        if cache.parked_keys is None:
            parked_table = table_of(ParkedEvent)
            rows = await execute(
                session, select(parked_table.c.release_key, parked_table.c.order_key)
            )
            cache.parked_keys = {str(k) for r in rows for k in r}
        cache.epoch, cache.uncommitted = epoch, True
        generation = cache.generation
        batch = Batch(self.ctx, session, cache)
        parked = await batch.load_parked(events)
        await batch.load([*events, *(p.event for p in parked)])
        for event in events:
            batch.handle(event)
        await batch.finish()
        for tenant in sorted(batch.retuned):
            # Projections computed before the tenant's rules arrived used the defaults. Those
            # this batch recomputed and re-checked already used the new rules (its figures
            # and alerts are computed after all its events): the rest are refreshed.
            done = {(t, e) for t, e, _ in batch.dirty.get("employee", ())} & set(
                batch.touched_employees
            )
            await self.refresh(
                session,
                tenant,
                [
                    e
                    for e in await employees_with_targets(session, tenant)
                    if (tenant, e) not in done
                ],
                skip_units={
                    u for t, u, y in batch.touched_units if t == tenant and y == batch.today(t).year
                },
            )

        def committed(_session: Any) -> None:
            if cache.generation == generation:  # no rebalance or clear meanwhile
                batch.keep(cache)
                cache.uncommitted = False

        sa_event.listen(session.sync_session, "after_commit", committed, once=True)

    async def refresh(
        self,
        session: AsyncSession,
        tenant: str,
        employee_ids: Iterable[str],
        skip_units: Collection[str] = (),
    ) -> None:
        """Recompute the time-dependent figures and alerts of some employees and of the
        tenant's units (but ``skip_units``): the scheduler's tick, a tenant's new rules."""
        ids = set(employee_ids)
        # With the tenant's lock (shared): a consumer batch too big for entity locks holds
        # it exclusively.
        await lock(session, {f"e:{tenant}:{e}" for e in ids}, tenants={tenant})
        units = [
            u
            for u in await load(session, ScoreUnit, "tenant", {tenant})
            if u["unit_id"] not in skip_units
        ]
        if not ids and not units:
            return  # nothing to recompute (a new tenant): other caches stay valid
        # Rows of other partitions' owners change here: their caches must drop them.
        await bump_epoch(session)
        batch = Batch(self.ctx, session)
        await batch.load_entities(
            {tenant}, {(tenant, e) for e in ids}, {(tenant, u["unit_id"]) for u in units}
        )
        year = batch.today(tenant).year
        for t, emp, skp_year in list(batch.skps):
            batch.annual(t, emp, skp_year)
        for emp in ids:
            batch.touched_employees[(tenant, emp)] = None
        for key in batch.units:
            if key[2] == year:
                batch.touched_units[key] = None
        await batch.finish()


async def employees_with_targets(session: AsyncSession, tenant: str) -> list[str]:
    table = table_of(ScoreSkp)
    rows = await execute(
        session, select(table.c.employee_id).where(table.c.tenant == tenant).distinct()
    )
    return [r[0] for r in rows]
