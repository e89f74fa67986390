"""Alert evaluation for a batch: which alerts should be active for the subjects it
touched (the rules, who is told and what, are in ``domain``), compared with the active
ones; the differences are raised or cleared, through the outbox, in the batch's
transaction."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import TYPE_CHECKING, cast

from services.common.events import (
    AlertCleared,
    AlertParams,
    AlertRaised,
    Envelope,
    new_internal_event,
)
from services.scoring import alert_text as at
from services.scoring import domain as d
from services.scoring.models import ScoreAlert, ScoreAlertLog
from services.scoring.projector.rows import AlertRow, EmployeeRow, projected_achievement_of
from services.scoring.shared import utc_now
from services.scoring.store import delete_keys, insert, load, stage_events, upsert

if TYPE_CHECKING:
    from services.scoring.projector.batch import Batch

# Which owned state holds a kind's active alerts in the cache ("e": the subject is an
# employee, "u": a unit); complaint alerts are not cached (see cache.py).
ALERT_OWNER = dict.fromkeys(d.EMPLOYEE_KINDS, "e") | {"satisfaction": "u"}
ALERT_NAMESPACE = uuid.UUID("5d1c7a52-8a4e-4b8e-9a51-5c0b1ad0e7f1")
AlertKey = tuple[str, str, str, str]  # (tenant, recipient, kind, subject)
Scope = set[tuple[str, str, str]]  # (tenant, kind, subject) evaluated
# alert key -> (its params, id of the causing event; None: the scheduler)
Desired = dict[AlertKey, tuple[AlertParams, uuid.UUID | None]]


def behind_indicators(
    row: EmployeeRow, names: dict[str, str]
) -> tuple[list[tuple[str, float]], float] | None:
    """(indicator name, projected achievement) of each indicator behind in a row's period
    (the year's or a cadence period's), with the share of it passed; None when none is."""
    figures = row["figures"]
    share = figures.get("share", 0.0)
    projected = {
        indicator: projected_achievement_of(values)
        for rhk in figures.get("rhk", [])
        for indicator, values in rhk["indicators"].items()
    }
    behind = d.behind_target(
        [d.IndicatorFigures(i, None, None, None, None, v) for i, v in projected.items()], share
    )
    if not behind:
        return None
    return [(names.get(i, i), projected[i] or 0.0) for i in behind], share


def employee_messages(b: Batch, tenant: str, employee_id: str) -> dict[str, AlertParams]:
    """kind -> params of each employee alert whose condition holds now."""
    org = b.org_employees.get((tenant, employee_id))
    if org is None or not org["active"]:
        return {}
    today = b.regencies.today(tenant)
    year = today.year
    row = b.employees.get((tenant, employee_id, str(year)))
    skp = b.skps.get((tenant, employee_id, year))
    if row is None or skp is None:
        return {}
    name = org["name"]
    found: dict[str, AlertParams] = {}
    names = {i["indicator_id"]: i["name"] for r in skp["rhk"] for i in r["indicators"]}
    behind = behind_indicators(row, names)
    if behind:
        found["behind_target"] = at.behind_target_params(name, *behind, year)
    period = b.regencies.current_period(tenant)
    period_row = b.employees.get((tenant, employee_id, period.label))
    behind = behind_indicators(period_row, names) if period_row else None
    if behind:
        found["behind_target_period"] = at.behind_target_params(name, *behind, period.label)
    since = row["last_activity_date"] or row["skp_received_on"]
    if since is not None and d.is_silent(since, today, b.regencies.holidays(tenant)):
        found["silent"] = at.silent_params(name, since)
    due = []
    for span in b.regencies.due_spans(tenant):
        assessed = b.employees.get((tenant, employee_id, span.label))
        if not (assessed and assessed["supervisor_assessed"]):
            due.append(span)
    if due:
        found["assessment_due"] = at.assessment_due_params(name, due)
    if row["predikat_drop_from"]:
        now = d.Predikat(row["projected_predikat"]) if row["projected_predikat"] else None
        found["predikat_drop"] = at.predikat_drop_params(
            name, d.Predikat(row["predikat_drop_from"]), now
        )
    return found


def desired_alerts(b: Batch) -> tuple[Desired, Scope]:
    """Alerts that should be active for the touched subjects, and the (tenant, kind,
    subject) scope they were evaluated for."""
    desired: Desired = {}
    scope: Scope = set()
    for (t, emp), cause in b.touched_employees.items():
        scope.update((t, kind, emp) for kind in d.EMPLOYEE_KINDS)
        org = b.org_employees.get((t, emp))
        recipient = d.employee_alert_recipient(
            org["supervisor_id"] if org else None, b.heads.get(t)
        )
        if recipient is None:
            continue
        for kind, params in employee_messages(b, t, emp).items():
            desired[(t, recipient, kind, emp)] = (params, cause)
    for (t, unit_id, year), cause in b.touched_units.items():
        if year != b.regencies.today(t).year:
            continue
        scope.add((t, "satisfaction", unit_id))
        unit = b.units[(t, unit_id, year)]
        org_unit = b.org_units.get((t, unit_id))
        told = at.satisfaction_told(
            head_id=org_unit["head_employee_id"] if org_unit else None,
            unit_name=org_unit["name"] if org_unit else unit_id,
            ikm=unit["ikm"],
            category=unit["ikm_category"],
            responses=unit["survey_count"],
            min_sample=b.regencies.rules(t)[0].min_survey_sample,
        )
        if told is not None:
            desired[(t, told[0], "satisfaction", unit_id)] = (told[1], cause)
    for (t, complaint_id), cause in b.touched_complaints.items():
        scope.add((t, "complaint", complaint_id))
        c = b.complaints[(t, complaint_id)]
        officer = b.org_employees.get((t, c["officer_id"])) if c["officer_id"] else None
        org_unit = b.org_units.get((t, c["unit_id"]))
        told = at.complaint_told(
            status=c["status"],
            unit_id=c["unit_id"],
            unit_name=org_unit["name"] if org_unit else None,
            officer_name=officer["name"] if officer else None,
            officer_supervisor_id=officer["supervisor_id"] if officer else None,
            unit_head_id=org_unit["head_employee_id"] if org_unit else None,
        )
        if told is not None:
            desired[(t, told[0], "complaint", complaint_id)] = (told[1], cause)
    return desired, scope


async def active_alerts(b: Batch, scope: Scope) -> dict[AlertKey, AlertRow]:
    """The active alerts in scope: owned subjects' from memory when known, the rest from
    the database."""
    active: dict[AlertKey, AlertRow] = {}
    known: set[tuple[str, str, str]] = set()
    unknown: set[tuple[str, str, str]] = set()
    for t, kind, subject in scope:
        owner = ALERT_OWNER.get(kind)
        if owner is not None and (t, owner, subject) in b.alerts:
            known.add((t, owner, subject))
        else:
            unknown.add((t, kind, subject))
    for t, owner, subject in known:
        for r in b.alerts[(t, owner, subject)]:
            active[(t, r["recipient_id"], r["kind"], subject)] = r
    if unknown:
        tenants = {t for t, _, _ in unknown}
        rows = await load(b.session, ScoreAlert, "subject_id", {s for *_, s in unknown})
        for row in cast("list[AlertRow]", rows):
            if (
                row["tenant"] in tenants
                and (row["tenant"], row["kind"], row["subject_id"]) in unknown
            ):
                key = (row["tenant"], row["recipient_id"], row["kind"], row["subject_id"])
                active[key] = row
    return active


def remember_alerts(
    b: Batch,
    scope: Scope,
    active: dict[AlertKey, AlertRow],
    raised: list[AlertRow],
    reworded: list[AlertRow],
    cleared: list[AlertKey],
) -> None:
    """The owned subjects' active alerts after this evaluation (kept in the cache after
    the commit). A subject is known when all the kinds its owner holds were in scope."""
    after = dict(active)
    for key in cleared:
        del after[key]
    for row in (*reworded, *raised):
        after[(row["tenant"], row["recipient_id"], row["kind"], row["subject_id"])] = row
    evaluated: dict[tuple[str, str, str], list[AlertRow]] = {}
    for t, kind, subject in scope:
        owner = ALERT_OWNER.get(kind)
        if owner is not None:
            evaluated.setdefault((t, owner, subject), [])
    for t, employee in {(t, s) for (t, o, s) in evaluated if o == "e"}:
        if any((t, k, employee) not in scope for k in d.EMPLOYEE_KINDS):
            del evaluated[(t, "e", employee)]
    for (t, _, kind, subject), row in after.items():
        owner = ALERT_OWNER.get(kind)
        if owner is not None and (t, owner, subject) in evaluated:
            evaluated[(t, owner, subject)].append(row)
    b.alerts.update(evaluated)


async def evaluate_alerts(b: Batch) -> None:
    await b.load_heads({t for t, _ in b.touched_employees})
    desired, scope = desired_alerts(b)
    if not scope:
        return
    active = await active_alerts(b, scope)
    now = utc_now(b.ctx.clock)
    raised: list[AlertRow] = []
    reworded: list[AlertRow] = []
    cleared: list[AlertKey] = []
    logs = []
    staged: list[Envelope] = []
    m = b.ctx.metrics
    counts: Counter[tuple[str, str, str]] = Counter()  # (tenant, kind, action)
    for key, (params, cause) in sorted(desired.items()):
        message = at.alert_text(key[2], params)
        if key in active:
            if active[key]["message"] != message:  # same condition, figures moved
                changed = active[key].copy()
                changed["message"] = message
                reworded.append(changed)
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
                    params=params,
                    cause_event_id=cause,
                ),
                tenant=t,
                occurred_at=b.now,
            ),
        )
        counts[(t, kind, "raised")] += 1
    for key, row in sorted(active.items()):
        if key in desired:
            continue
        t, recipient, kind, subject = key
        cleared.append(key)
        logs.append((t, recipient, row["alert_id"], kind, subject, "cleared", row["message"]))
        staged.append(
            new_internal_event(
                AlertCleared(
                    alert_id=row["alert_id"], recipient_id=recipient, kind=kind, subject_id=subject
                ),
                tenant=t,
                occurred_at=b.now,
            ),
        )
        counts[(t, kind, "cleared")] += 1
    m.count_alerts(counts)
    remember_alerts(b, scope, active, raised, reworded, cleared)
    await stage_events(b.session, staged)
    await delete_keys(b.session, ScoreAlert, cleared)
    await upsert(b.session, ScoreAlert, reworded)
    await insert(b.session, ScoreAlert, raised)
    await insert(
        b.session,
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
