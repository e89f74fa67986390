"""The unit projection: citizen surveys (IKM per unit and year, sums per named officer),
complaints, and the org facts that change who their alerts go to."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from services.common.events import (
    ComplaintFiled,
    ComplaintStatus,
    ComplaintStatusChanged,
    Envelope,
    SurveyReceived,
    UnitCreated,
)
from services.common.skm import ikm_from_sums

if TYPE_CHECKING:
    from services.scoring.projector.batch import Batch


def org_fact_changed(
    b: Batch,
    tenant: str,
    *,
    cause: uuid.UUID,
    unit_id: str | None = None,
    officer_id: str | None = None,
) -> None:
    """A unit's head or an officer's supervisor may have changed: re-evaluate the unit
    and complaint alerts that name them (their recipient or message may change)."""
    for complaint, row in b.complaints.items():
        if complaint[0] == tenant and (
            row["unit_id"] == unit_id or row["officer_id"] == officer_id
        ):
            b.touched_complaints[complaint] = cause
    if unit_id is not None:
        for unit in b.units:
            if unit[0] == tenant and unit[1] == unit_id:
                b.touched_units[unit] = cause


def apply_unit_created(b: Batch, event: Envelope, p: UnitCreated) -> None:
    t = event.tenant
    b.org_units[(t, p.unit_id)] = {
        "tenant": t,
        "unit_id": p.unit_id,
        "name": p.name,
        "parent_id": p.parent_id,
        "serves_public": p.serves_public,
        "kind": p.kind.value,
        "head_employee_id": p.head_employee_id,
    }
    b.mark("org_unit", (t, p.unit_id))
    org_fact_changed(b, t, unit_id=p.unit_id, cause=event.event_id)


def apply_survey(b: Batch, event: Envelope, p: SurveyReceived) -> None:
    t = event.tenant
    year = b.regencies.local_date(t, event.occurred_at).year
    key = (t, p.unit_id, year)
    unit = b.units.get(key)
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
        b.put_unit(unit)
    unit["survey_sums"] = [a + b for a, b in zip(unit["survey_sums"], p.scores, strict=True)]
    unit["survey_count"] += 1
    b.mark("unit", key)
    b.touched_units[key] = event.event_id
    if p.officer_id:
        sums = b.officer_surveys.setdefault((t, p.officer_id, year), [0] * 10)
        sums[0] += 1
        for i, score in enumerate(p.scores, start=1):
            sums[i] += score


def apply_complaint(b: Batch, event: Envelope, p: ComplaintFiled | ComplaintStatusChanged) -> None:
    t, key = event.tenant, (event.tenant, p.complaint_id)
    row = b.complaints.get(key)
    if row is None:
        row = b.complaints[key] = {
            "tenant": t,
            "complaint_id": p.complaint_id,
            "unit_id": p.unit_id,
            "officer_id": p.officer_id,
            "status": ComplaintStatus.RECEIVED.value,
            "year": b.regencies.local_date(t, event.occurred_at).year,
        }
    if isinstance(p, ComplaintStatusChanged):
        row["status"] = p.to_status.value
    row["officer_id"] = p.officer_id or row["officer_id"]
    b.mark("complaint", key)
    b.touched_complaints[key] = event.event_id


def recompute(b: Batch) -> None:
    """The IKM of the batch's changed unit rows."""
    for key in b.dirty.get("unit", set()):
        unit = b.units[key]
        result = ikm_from_sums(unit["survey_sums"], unit["survey_count"])
        unit["ikm"], unit["ikm_category"] = float(result.ikm), result.category
