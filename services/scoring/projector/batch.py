"""Events in: the batch projector.

The kernel's consumer calls :meth:`Projector.apply_batch` with the new events of a batch,
inside one transaction. A batch is applied in four set-based steps: lock the entities it
touches, load their state (``loading``), apply every event in order to plain dicts in
memory (``routing`` says which function applies each type), then recompute the touched
projections and alerts (``alerts``) and write them back with one upsert per table. Events
that arrive before a fact they need are parked (``parked_event``) and applied, in their
original order, when that fact arrives.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import Envelope, HolidaysSet, TenantRegistered
from services.common.orgchart import (
    OrgEmployee,
    OrgHoliday,
    OrgKepalaDaerah,
    OrgTenant,
    OrgUnit,
)
from services.scoring.models import (
    SKM_ELEMENTS,
    ParkedEvent,
    ScoreActivity,
    ScoreAssessment,
    ScoreComplaint,
    ScoreEmployee,
    ScoreOfficerSurvey,
    ScoreSkp,
    ScoreUnit,
)
from services.scoring.projector import employee, unit
from services.scoring.projector.alerts import evaluate_alerts
from services.scoring.projector.cache import Cache, EmployeeState, Key, UnitState
from services.scoring.projector.loading import load_entities, load_events_state, load_parked
from services.scoring.projector.regency import Regencies
from services.scoring.projector.routing import lock_keys, route_of
from services.scoring.projector.rows import (
    ActivityRow,
    AlertRow,
    AssessmentRow,
    ComplaintRow,
    EmployeeRow,
    OrgEmployeeRow,
    OrgUnitRow,
    Parked,
    SkpRow,
    UnitRow,
    employee_row,
)
from services.scoring.shared import Context, utc_now
from services.scoring.store import (
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


@dataclass
class Batch:
    """The state one batch (or one scheduler tick) touches, loaded once, written once."""

    ctx: Context
    session: AsyncSession
    cache: Cache | None = None  # the consumer's; None for the scheduler
    now: datetime = field(init=False)
    owned_employees: set[Key] = field(default_factory=set)
    owned_units: set[Key] = field(default_factory=set)
    # The rows, by primary key, and indexes of them.
    org_employees: dict[tuple[str, str], OrgEmployeeRow] = field(default_factory=dict)
    org_units: dict[tuple[str, str], OrgUnitRow] = field(default_factory=dict)
    # kepala_daerah.set of this batch, by (tenant, user id); ``heads``: each regency's
    # active kepala daerah (None: none), looked up for the alerts (``load_heads``).
    kepala_daerah: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    heads: dict[str, str | None] = field(default_factory=dict)
    skps: dict[tuple[str, str, int], SkpRow] = field(default_factory=dict)
    skp_years: dict[Key, set[int]] = field(default_factory=dict)
    skp_ids: dict[tuple[str, str, str], tuple[str, str, int]] = field(default_factory=dict)
    employees: dict[tuple[str, str, str], EmployeeRow] = field(default_factory=dict)
    periods: dict[Key, set[str]] = field(default_factory=dict)
    activities: dict[tuple[str, str], ActivityRow | None] = field(default_factory=dict)
    units: dict[tuple[str, str, int], UnitRow] = field(default_factory=dict)
    unit_years: dict[Key, set[int]] = field(default_factory=dict)
    complaints: dict[tuple[str, str], ComplaintRow] = field(default_factory=dict)
    assessments: dict[tuple[str, str], AssessmentRow] = field(default_factory=dict)
    # (tenant, officer, year) -> [survey count, U1..U9 sums] added by this batch
    officer_surveys: dict[tuple[str, str, int], list[int]] = field(default_factory=dict)
    dirty: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)
    deleted_activities: set[tuple[str, str]] = field(default_factory=set)
    # 'latest' indicators to recompute: (tenant, employee, period label, indicator)
    latest_to_recompute: set[tuple[str, str, str, str]] = field(default_factory=set)
    # Subjects whose alerts are re-evaluated -> the id of the event that touched them last
    # (None: the scheduler).
    touched_employees: dict[tuple[str, str], uuid.UUID | None] = field(default_factory=dict)
    touched_units: dict[tuple[str, str, int], uuid.UUID | None] = field(default_factory=dict)
    touched_complaints: dict[tuple[str, str], uuid.UUID | None] = field(default_factory=dict)
    # (tenant, "e"|"u", subject) -> its active alerts, for owned subjects whose alerts are
    # known (from the cache, or evaluated in this batch).
    alerts: dict[tuple[str, str, str], list[AlertRow]] = field(default_factory=dict)
    waiting: dict[str, list[Parked]] = field(default_factory=dict)
    blocked: Counter[str] = field(default_factory=Counter)
    unparked: list[int] = field(default_factory=list)
    # Events of the projections this batch changed (``score.updated``), staged with them.
    outgoing: list[Envelope] = field(default_factory=list)
    regencies: Regencies = field(init=False)

    def __post_init__(self) -> None:
        self.now = self.ctx.clock()
        self.regencies = Regencies(self.now)

    def mark(self, table: str, key: tuple[Any, ...]) -> None:
        self.dirty.setdefault(table, set()).add(key)

    async def load_heads(self, tenants: set[str]) -> None:
        """The active kepala daerah of each regency (stored, then this batch's changes)."""
        tenants = tenants - set(self.heads)
        if not tenants:
            return
        table = table_of(OrgKepalaDaerah)
        query = select(table.c.tenant, table.c.user_id).where(
            table.c.tenant.in_(tenants), table.c.active.is_(True)
        )
        rows: list[Any] = list(await execute(self.session, query))
        self.heads.update(dict.fromkeys(tenants))
        self.heads.update({str(r.tenant): str(r.user_id) for r in rows})
        for (t, user_id), row in self.kepala_daerah.items():
            if t not in tenants:
                continue
            if row["active"]:
                self.heads[t] = user_id
            elif self.heads.get(t) == user_id:
                self.heads[t] = None

    # ------------------------------------------------------------ rows

    def put_unit(self, row: UnitRow) -> None:
        self.units[(row["tenant"], row["unit_id"], row["year"])] = row
        self.unit_years.setdefault((row["tenant"], row["unit_id"]), set()).add(row["year"])

    def put_skp(self, row: SkpRow) -> None:
        key = (row["tenant"], row["employee_id"], row["year"])
        self.skps[key] = row
        self.skp_years.setdefault((key[0], key[1]), set()).add(row["year"])
        self.skp_ids[(row["tenant"], row["employee_id"], row["skp_id"])] = key

    def put_employee(self, row: EmployeeRow) -> None:
        self.employees[(row["tenant"], row["employee_id"], row["period"])] = row
        self.periods.setdefault((row["tenant"], row["employee_id"]), set()).add(row["period"])

    def skp_for(self, tenant: str, employee_id: str, skp_id: str) -> SkpRow | None:
        key = self.skp_ids.get((tenant, employee_id, skp_id))
        return self.skps.get(key) if key else None

    def employee(
        self, tenant: str, employee_id: str, period: str, kind: str, year: int
    ) -> EmployeeRow:
        """The employee's row of a period (new if it has none), marked to be written."""
        key = (tenant, employee_id, period)
        row = self.employees.get(key)
        if row is None:
            org = self.org_employees.get((tenant, employee_id))
            unit_id = org["unit_id"] if org else None
            row = employee_row(tenant, employee_id, period, kind, year, unit_id)
            self.put_employee(row)
        self.mark("employee", key)
        return row

    def annual(self, tenant: str, employee_id: str, year: int) -> EmployeeRow:
        return self.employee(tenant, employee_id, str(year), "annual", year)

    # ------------------------------------------------------------ applying

    def handle(self, event: Envelope) -> None:
        route = route_of(event.payload)
        if route.parks is not None:
            info = route.parks(event.tenant, event.payload)
            if (
                # (``blocked`` is usually empty: a Counter's lookup of a missing key is not free)
                (self.blocked and self.blocked.get(info[1], 0) > 0)
                or (route.ready is not None and not route.ready(self, event.tenant, event.payload))
            ):
                self.park(event, *info)
                return
        if route.apply is not None:
            route.apply(self, event, event.payload)
        if route.releases is not None:
            for key in route.releases(event.tenant, event.payload):
                self.release(key)

    def ready(self, event: Envelope) -> bool:
        ready = route_of(event.payload).ready
        return ready is None or ready(self, event.tenant, event.payload)

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
            route = route_of(item.event.payload)
            if route.apply is not None:
                route.apply(self, item.event, item.event.payload)
            if route.releases is not None:
                for released in route.releases(item.event.tenant, item.event.payload):
                    self.release(released)
        if stuck:
            self.waiting.setdefault(key, []).extend(stuck)

    # ------------------------------------------------------------ finishing

    async def finish(self) -> None:
        await self.write_activities()
        await employee.recompute_latest(self)
        unit.recompute(self)
        employee.recompute(self)
        await evaluate_alerts(self)
        await stage_events(self.session, self.outgoing)
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
            (OrgTenant, {(k,): v for k, v in self.regencies.rows.items()}, "org_tenant"),
            (OrgUnit, self.org_units, "org_unit"),
            (OrgEmployee, self.org_employees, "org_employee"),
            (OrgKepalaDaerah, self.kepala_daerah, "org_kepala_daerah"),
            (OrgHoliday, self.regencies.holiday_rows, "org_holiday"),
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

    def keep(self, cache: Cache) -> None:
        """After the commit: the owned keys' rows, as committed, stay in the cache."""
        for key in self.owned_employees:
            t, e = key
            cache.keep_employee(
                key,
                EmployeeState(
                    self.org_employees.get(key),
                    [self.skps[(t, e, year)] for year in self.skp_years.get(key, ())],
                    [self.employees[(t, e, period)] for period in self.periods.get(key, ())],
                    self.alerts.get((t, "e", e)),
                ),
            )
        for key in self.owned_units:
            t, u = key
            cache.keep_unit(
                key,
                UnitState(
                    self.org_units.get(key),
                    [self.units[(t, u, year)] for year in self.unit_years.get(key, ())],
                    self.alerts.get((t, "u", u)),
                ),
            )
        cache.trim()


# ---------------------------------------------------------------- entry points

# The key, in the session's ``info``, of the cache generation its transaction keeps under.
_GENERATION = "scoring_cache_generation"
# Employees refreshed at once when a regency's rules or holidays change.
REFRESH_CHUNK = 5_000


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
            retuned={
                e.tenant for e in events if isinstance(e.payload, TenantRegistered | HolidaysSet)
            },
        )
        cache = self.cache
        generation = self._open(session, await read_epoch(session))
        if cache.parked_keys is None:
            parked_table = table_of(ParkedEvent)
            rows = await execute(
                session, select(parked_table.c.release_key, parked_table.c.order_key)
            )
            cache.parked_keys = {str(k) for r in rows for k in r}
        batch = Batch(self.ctx, session, cache)
        parked = await load_parked(batch, events)
        await load_events_state(batch, [*events, *(p.event for p in parked)])
        for event in events:
            batch.handle(event)
        await batch.finish()
        for tenant in sorted(batch.regencies.retuned):
            # Projections computed before the tenant's rules arrived used the defaults. Those
            # this batch recomputed and re-checked already used the new rules (its figures
            # and alerts are computed after all its events): the rest are refreshed.
            rebuild = tenant in batch.regencies.recadenced
            done = (
                set()
                if rebuild  # every period row is counted again, those of this batch too
                else {(t, e) for t, e, _ in batch.dirty.get("employee", ())}
                & set(batch.touched_employees)
            )
            ids = sorted(
                e for e in await employees_with_targets(session, tenant) if (tenant, e) not in done
            )
            skip_units = {
                u
                for t, u, y in batch.touched_units
                if t == tenant and y == batch.regencies.today(t).year
            }
            # In chunks of employees, as the scheduler refreshes: rules arriving after
            # 100,000 SKPs loaded and recomputed all of them at once (bench.scoring_drain:
            # a 1.3 GB spike). The units go with the first chunk.
            for start in range(0, max(len(ids), 1), REFRESH_CHUNK):
                await self.refresh(
                    session,
                    tenant,
                    ids[start : start + REFRESH_CHUNK],
                    skip_units=skip_units,
                    all_periods=True,
                    rebuild_periods=rebuild,
                    with_units=start == 0,
                )

        # Kept now, not after the commit: the kernel may hand one transaction several
        # chunks of a batch, and a chunk's rows are freed as soon as it is applied. Until
        # the commit the cache is marked uncommitted, so a transaction that never commits
        # leaves a cache the next one clears.
        if cache.generation == generation:  # no rebalance or clear meanwhile
            batch.keep(cache)

    def _open(self, session: AsyncSession, epoch: int) -> int:
        """Check the cache at the start of a batch or chunk; return the generation under
        which it may keep this chunk's rows (the transaction's first chunk's)."""
        cache, info = self.cache, session.sync_session.info
        generation: int | None = info.get(_GENERATION)
        if generation is None and cache.uncommitted:  # the transaction's first chunk
            cache.clear("a batch did not commit")
        elif cache.epoch != epoch:
            # Another writer, or this transaction's own refresh (``retuned``): a clear
            # ends the keeping for the rest of this transaction (the generation moves).
            cache.clear("rows written outside the consumer's partitions")
        cache.epoch = epoch
        if generation is None:
            generation = info[_GENERATION] = cache.generation
            cache.uncommitted = True

            def committed(_session: Any) -> None:
                if cache.generation == generation:
                    cache.uncommitted = False

            sa_event.listen(session.sync_session, "after_commit", committed, once=True)
        return generation

    async def refresh(
        self,
        session: AsyncSession,
        tenant: str,
        employee_ids: Iterable[str],
        skip_units: Collection[str] = (),
        all_periods: bool = False,
        rebuild_periods: bool = False,
        with_units: bool = True,
    ) -> None:
        """Recompute the time-dependent figures and alerts of some employees and of the
        tenant's units (but ``skip_units``): the scheduler's tick (the year and the current
        period), a tenant's new rules or holidays (``all_periods``: every period's row of
        the year as well; ``rebuild_periods``: after a new cadence, their activities counted
        again in its periods; ``with_units`` false: employees only, for a chunk after the
        first)."""
        ids = set(employee_ids)
        # With the tenant's lock (shared): a consumer batch too big for entity locks holds
        # it exclusively.
        await lock(session, {f"e:{tenant}:{e}" for e in ids}, tenants={tenant})
        units = [
            u
            for u in (await load(session, ScoreUnit, "tenant", {tenant}) if with_units else [])
            if u["unit_id"] not in skip_units
        ]
        if not ids and not units:
            return  # nothing to recompute (a new tenant): other caches stay valid
        # Rows of other partitions' owners change here: their caches must drop them.
        await bump_epoch(session)
        batch = Batch(self.ctx, session)
        await load_entities(
            batch, {tenant}, {(tenant, e) for e in ids}, {(tenant, u["unit_id"]) for u in units}
        )
        if rebuild_periods:
            await employee.rebuild_periods(batch, tenant, ids)
        year = batch.regencies.today(tenant).year
        for t, emp, skp_year in list(batch.skps):
            batch.annual(t, emp, skp_year)  # and its current period's (employee.recompute)
        if all_periods:  # new rules or holidays: every period's share and targets may move
            for row_key, row in batch.employees.items():
                if row["year"] == year and (row_key[0], row_key[1], year) in batch.skps:
                    batch.mark("employee", row_key)
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
