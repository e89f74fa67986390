"""The employee projection: SKPs, activities, assessments and objections applied to an
employee's score rows, and the annual row's figures recomputed from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from typing import TYPE_CHECKING, cast

from services.common.events import (
    ActivityLogged,
    AssessmentSubmitted,
    BerAkhlak,
    EmployeeDeactivated,
    EmployeeRegistered,
    Envelope,
    ObjectionDecided,
    Rating,
    Relation,
    ScoreUpdated,
    TargetSet,
    TenantSettings,
    new_internal_event,
)
from services.scoring import domain as d
from services.scoring.models import ScoreActivity
from services.scoring.projector.rows import (
    ActivityRow,
    EmployeeRow,
    RhkFiguresRow,
    SkpRow,
    stored_figures,
)
from services.scoring.projector.unit import org_fact_changed
from services.scoring.shared import indicator_specs
from services.scoring.store import load

if TYPE_CHECKING:
    from services.scoring.projector.batch import Batch


@dataclass(frozen=True, slots=True)
class ParsedSkp:
    specs: list[list[d.IndicatorSpec]]  # the indicators of each RHK
    indicator_ids: frozenset[str]


# (tenant, skp id, version) -> its parsed indicators: a version of an SKP never changes, so it
# is parsed once, not once per batch (or per activity) that needs it.
_PARSED: dict[tuple[str, str, int], ParsedSkp] = {}


def parsed_skp(skp: SkpRow) -> ParsedSkp:
    key = (skp["tenant"], skp["skp_id"], skp["version"])
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= 100_000:
            _PARSED.clear()
        specs = [indicator_specs(rhk) for rhk in skp["rhk"]]
        ids = frozenset(s.indicator_id for rhk in specs for s in rhk)
        parsed = _PARSED[key] = ParsedSkp(specs, ids)
    return parsed


# ---------------------------------------------------------------- figures


def project(
    row: EmployeeRow,
    skp: SkpRow | None,
    settings: TenantSettings,
    today: date,
    share: float,
    target_share: float = 1.0,
) -> None:
    """Recompute the figures of an employee row from its indicator state (``share``: of
    the row's period passed by the end of ``today``; ``target_share``: of the year's ``sum``
    targets due in the row's period, 1 for the year)."""
    if skp is None:
        return
    cap = settings.achievement_cap
    rhk_out: list[RhkFiguresRow] = []
    current, projected = [], []
    states = row["indicators"]
    for rhk, specs in zip(skp["rhk"], parsed_skp(skp).specs, strict=True):
        figures = []
        for spec in specs:
            state = d.IndicatorState(**states.get(spec.indicator_id, {}))
            scaled = d.scaled_spec(spec, target_share)
            figures.append((spec, d.indicator_figures(scaled, state, share, cap)))
        rhk_now = d.mean_achievement([(f.achievement, s.weight) for s, f in figures])
        rhk_end = d.mean_achievement([(f.projected_achievement, s.weight) for s, f in figures])
        current.append((rhk["kind"], rhk_now))
        projected.append((rhk["kind"], rhk_end))
        rhk_out.append(
            {
                "rhk_id": rhk["rhk_id"],
                "achievement": rhk_now,
                "projected_achievement": rhk_end,
                "indicators": {f.indicator_id: stored_figures(f) for _, f in figures},
            }
        )
    tambahan = settings.count_tambahan_in_overall
    row["figures"] = {
        "share": share,
        "as_of": today.isoformat(),
        "target_share": target_share,
        "rhk": rhk_out,
    }
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


def set_final(
    row: EmployeeRow, result: Rating | None, behaviour: dict[str, str], above_min: int
) -> None:
    overall = d.overall_behaviour(
        {BerAkhlak(k): Rating(v) for k, v in behaviour.items()}, above_min
    )
    row["final_result_rating"] = result.value if result else None
    row["behaviour_ratings"] = dict(behaviour)
    row["final_behaviour_rating"] = overall.value if overall else None
    row["final_predikat"] = d.predikat(result, overall).value if result and overall else None


# The figures ``score.updated`` carries: an event goes out when one of them moves.
PUBLISHED = ("achievement", "projected_rating", "projected_predikat")


def recompute(b: Batch) -> None:
    """The figures of the batch's changed rows: the annual ones, then the periods' (their
    ``sum`` targets the period's share of the year's, their pace the period's; the current
    period's with every annual row of the year, so that each employee with an SKP has
    one); a ``score.updated`` for each annual row whose published figures moved (one per
    employee and year per batch, whatever the number of its events: the batch's net
    change)."""
    periods: set[tuple[str, str, str]] = set()
    for key in sorted(b.dirty.get("employee", set())):
        row = b.employees[key]
        if row["period_kind"] != "annual":
            periods.add(key)
            continue
        t, emp, _ = key
        settings, _ = b.regencies.rules(t)
        year = row["year"]
        skp = b.skps.get((t, emp, year))
        before = [row[f] for f in PUBLISHED]  # type: ignore[literal-required]
        project(row, skp, settings, b.regencies.today(t), b.regencies.share(t, year))
        if [row[f] for f in PUBLISHED] != before:  # type: ignore[literal-required]
            b.outgoing.append(score_updated(b, row))
        current = b.regencies.current_period(t)
        if skp is not None and current.start.year == year:
            periods.add((t, emp, b.employee(t, emp, current.label, current.kind, year)["period"]))
    for key in sorted(periods):
        row = b.employees[key]
        t, emp, _ = key
        skp = b.skps.get((t, emp, row["year"]))
        span = d.period_of_label(row["period"])
        if span is None or skp is None:
            continue
        # The behaviour the period's projected predikat assumes: the period's own
        # assessment's, else sesuai (never another row's: that would depend on which
        # batch recomputed the period last).
        row["latest_behaviour"] = row["final_behaviour_rating"]
        share = b.regencies.period_share(t, span)
        settings, _ = b.regencies.rules(t)
        today = b.regencies.today(t)
        project(row, skp, settings, today, share, b.regencies.target_share(t, span))


def score_updated(b: Batch, row: EmployeeRow) -> Envelope:
    rating = row["projected_rating"]
    payload = ScoreUpdated(
        employee_id=row["employee_id"],
        period_label=row["period"],
        achievement=row["achievement"],
        projected_rating=Rating(rating) if rating else None,
        projected_predikat=row["projected_predikat"],
    )
    return new_internal_event(payload, tenant=row["tenant"], occurred_at=b.now)


async def recompute_latest(b: Batch) -> None:
    """'latest' indicators whose latest entry was edited away or deleted, in the annual
    row or a period's (keyed by the row's period label)."""
    if not b.latest_to_recompute:
        return
    employees = {emp for _, emp, _, _ in b.latest_to_recompute}
    spans = {label: d.period_of_label(label) for _, _, label, _ in b.latest_to_recompute}
    best: dict[tuple[str, str, str, str], ActivityRow] = {}
    rows = cast("list[ActivityRow]", await load(b.session, ScoreActivity, "employee_id", employees))
    for r in rows:
        for label, span in spans.items():
            key = (r["tenant"], r["employee_id"], label, r["indicator_id"])
            if (
                key in b.latest_to_recompute
                and span is not None
                and span.start <= r["activity_date"] <= span.end
                and (key not in best or r["sort_key"] > best[key]["sort_key"])
            ):
                best[key] = r
    for key in b.latest_to_recompute:
        t, emp, label, indicator = key
        state = b.employees[(t, emp, label)]["indicators"].setdefault(indicator, {})
        found = best.get(key)
        state["latest"] = found["value"] if found else None
        state["latest_key"] = found["sort_key"] if found else None


# ---------------------------------------------------------------- applying


def activity_ready(b: Batch, t: str, p: ActivityLogged) -> bool:
    """Its SKP is known, with the indicator it names."""
    skp = b.skp_for(t, p.employee_id, p.skp_id)
    return skp is not None and p.indicator_id in parsed_skp(skp).indicator_ids


def apply_registered(b: Batch, event: Envelope, p: EmployeeRegistered) -> None:
    t = event.tenant
    b.org_employees[(t, p.employee_id)] = {
        "tenant": t,
        "employee_id": p.employee_id,
        "nip": p.nip,
        "name": p.name,
        "position": p.position,
        "unit_id": p.unit_id,
        "active": p.active,
        "supervisor_id": p.supervisor_id,
    }
    b.mark("org_employee", (t, p.employee_id))
    for period in b.periods.get((t, p.employee_id), ()):
        row = b.employees[(t, p.employee_id, period)]
        if row["unit_id"] != p.unit_id:
            row["unit_id"] = p.unit_id
            b.mark("employee", (t, p.employee_id, period))
    b.touched_employees[(t, p.employee_id)] = event.event_id
    org_fact_changed(b, t, officer_id=p.employee_id, cause=event.event_id)


def apply_deactivated(b: Batch, event: Envelope, p: EmployeeDeactivated) -> None:
    t = event.tenant
    org = b.org_employees.get((t, p.employee_id))
    if org is not None:
        org["active"] = False
        b.mark("org_employee", (t, p.employee_id))
    b.touched_employees[(t, p.employee_id)] = event.event_id


def apply_target(b: Batch, event: Envelope, p: TargetSet) -> None:
    t, key = event.tenant, (event.tenant, p.employee_id, p.year)
    existing = b.skps.get(key)
    if existing is not None and existing["version"] > p.version:
        return  # an older version arriving late
    received = existing["received_on"] if existing else b.regencies.local_date(t, event.occurred_at)
    b.put_skp(
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
    b.mark("skp", key)
    row = b.annual(t, p.employee_id, p.year)
    row["skp_received_on"] = received
    # The year's period rows are projected against it as well: one made before it came
    # (a month's assessment, on another topic, can arrive first) would otherwise keep no
    # figures, unlike the same row when the SKP came first.
    for period in b.periods.get((t, p.employee_id), ()):
        other = b.employees[(t, p.employee_id, period)]
        if other["year"] == p.year and other["period_kind"] != "annual":
            b.mark("employee", (t, p.employee_id, period))
    b.touched_employees[(t, p.employee_id)] = event.event_id


def period_row(b: Batch, t: str, employee_id: str, year: int, day: date) -> EmployeeRow | None:
    """The employee's row of the regency's cadence period containing ``day`` (of the SKP's
    year), marked to be written: its indicator state counts that period's activities."""
    span = d.cadence_period(day, b.regencies.rules(t)[0].evaluation_cadence)
    if span.start.year != year:
        return None
    return b.employee(t, employee_id, span.label, span.kind, year)


def _take_out(b: Batch, row: EmployeeRow, old: ActivityRow) -> None:
    """An edited or deleted entry leaves the row's indicator state."""
    state = row["indicators"].setdefault(old["indicator_id"], {})
    state["total"] = state.get("total", 0.0) - old["value"]
    state["count"] = state.get("count", 0) - 1
    if state.get("latest_key") == old["sort_key"]:
        b.latest_to_recompute.add(
            (row["tenant"], row["employee_id"], row["period"], old["indicator_id"])
        )


def _put_in(b: Batch, row: EmployeeRow, new: ActivityRow) -> None:
    state = row["indicators"].setdefault(new["indicator_id"], {})
    state["total"] = state.get("total", 0.0) + new["value"]
    state["count"] = state.get("count", 0) + 1
    latest_key = state.get("latest_key")
    if latest_key is None or new["sort_key"] >= latest_key:
        state["latest"], state["latest_key"] = new["value"], new["sort_key"]
        if b.latest_to_recompute:
            key = (row["tenant"], row["employee_id"], row["period"], new["indicator_id"])
            b.latest_to_recompute.discard(key)
    last = row["last_activity_date"]
    # The annual row's only (the silent alert's): a period's would depend on whether its
    # state was counted entry by entry or rebuilt from the entries kept.
    if row["period_kind"] == "annual" and (last is None or new["activity_date"] > last):
        row["last_activity_date"] = new["activity_date"]


async def rebuild_periods(b: Batch, tenant: str, ids: set[str]) -> None:
    """Every period row's indicator state again from the stored activities: after the
    regency's cadence changed, or arrived after the activities (another partition), the
    entries counted in another cadence's periods count in this one's."""
    rows = cast("list[ActivityRow]", await load(b.session, ScoreActivity, "employee_id", ids))
    by_year: dict[tuple[str, int], list[ActivityRow]] = {}
    for r in rows:
        if r["tenant"] == tenant and (tenant, r["employee_id"], r["year"]) in b.skps:
            by_year.setdefault((r["employee_id"], r["year"]), []).append(r)
            period_row(b, tenant, r["employee_id"], r["year"], r["activity_date"])
    for key, row in list(b.employees.items()):
        span = d.period_of_label(key[2])
        if key[0] != tenant or key[1] not in ids or row["period_kind"] == "annual" or not span:
            continue
        row["indicators"] = {}
        for entry in by_year.get((key[1], row["year"]), []):
            if span.start <= entry["activity_date"] <= span.end:
                _put_in(b, row, entry)
        b.mark("employee", key)


def apply_activity(b: Batch, event: Envelope, p: ActivityLogged) -> None:
    """The entry counts in the annual row and in the row of its date's cadence period."""
    t = event.tenant
    skp = b.skp_for(t, p.employee_id, p.skp_id)
    assert skp is not None  # ready() checked it
    year = skp["year"]
    row = b.annual(t, p.employee_id, year)
    key = (t, p.activity_id)
    old = b.activities.get(key)
    if old is None:
        created_part = event.occurred_at.astimezone(UTC).isoformat()
    else:
        _take_out(b, b.annual(t, old["employee_id"], old["year"]), old)
        before = period_row(b, t, old["employee_id"], old["year"], old["activity_date"])
        if before is not None:
            _take_out(b, before, old)
        created_part = old["sort_key"].split("|")[1]
    if p.action == "deleted":
        if old is not None:
            b.activities[key] = None
            b.deleted_activities.add(key)
    else:
        sort_key = f"{p.activity_date.isoformat()}|{created_part}|{p.activity_id}"
        new: ActivityRow = {
            "tenant": t,
            "activity_id": p.activity_id,
            "employee_id": p.employee_id,
            "year": year,
            "indicator_id": p.indicator_id,
            "activity_date": p.activity_date,
            "value": p.value,
            "sort_key": sort_key,
        }
        b.activities[key] = new
        if b.deleted_activities:
            b.deleted_activities.discard(key)
        _put_in(b, row, new)
        period = period_row(b, t, p.employee_id, year, p.activity_date)
        if period is not None:
            _put_in(b, period, new)
    b.mark("activity", key)
    b.touched_employees[(t, p.employee_id)] = event.event_id


def apply_assessment(b: Batch, event: Envelope, p: AssessmentSubmitted) -> None:
    t = event.tenant
    b.assessments[(t, p.assessment_id)] = {
        "tenant": t,
        "assessment_id": p.assessment_id,
        "employee_id": p.assessee_id,
        "assessor_id": p.assessor_id,
        "relation": p.relation.value,
        "period": p.period.label,
        "period_kind": p.period.kind,
    }
    b.mark("assessment", (t, p.assessment_id))
    if p.relation != Relation.SUPERVISOR:
        return  # peer and self assessments never make a final rating
    settings, _ = b.regencies.rules(t)
    year = p.period.start.year
    row = b.employee(t, p.assessee_id, p.period.label, p.period.kind, year)
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
    annual = b.annual(t, p.assessee_id, year)
    if row["final_behaviour_rating"]:
        annual["latest_behaviour"] = row["final_behaviour_rating"]
    b.touched_employees[(t, p.assessee_id)] = event.event_id


def apply_objection(b: Batch, event: Envelope, p: ObjectionDecided) -> None:
    t = event.tenant
    if not p.accepted:
        return
    assessment = b.assessments[(t, p.assessment_id)]
    settings, _ = b.regencies.rules(t)
    year = int(assessment["period"][:4])
    employee_id = assessment["employee_id"]
    row = b.employee(t, employee_id, assessment["period"], assessment["period_kind"], year)
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
        b.annual(t, employee_id, year)["latest_behaviour"] = row["final_behaviour_rating"]
    b.touched_employees[(t, employee_id)] = event.event_id
