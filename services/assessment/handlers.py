"""Events in: the org chart (identity) and each employee's approved RHK list (targets)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.models import ApprovedSkp
from services.common.events import Envelope, TargetRevised, TargetSet
from services.common.messaging import EventHandler
from services.common.orgchart import KEPALA_DAERAH_HANDLERS, ORG_HANDLERS


async def target_approved(session: AsyncSession, event: Envelope) -> None:
    """Keep the newest approved version of an employee's SKP for the year."""
    payload = event.payload
    assert isinstance(payload, TargetSet)
    tenant = event.tenant
    row = await session.get(ApprovedSkp, (tenant, payload.employee_id, payload.year))
    if row is not None and row.version > payload.version:
        return  # an older version arriving late
    rhk = [{"rhk_id": r.rhk_id, "title": r.title, "kind": r.kind} for r in payload.rhk]
    if row is None:
        row = ApprovedSkp(
            tenant=tenant, employee_id=payload.employee_id, year=payload.year, skp_id="", version=0
        )
    row.skp_id, row.version, row.rhk = payload.skp_id, payload.version, rhk
    session.add(row)


HANDLERS: dict[str, EventHandler] = {
    **ORG_HANDLERS,
    **KEPALA_DAERAH_HANDLERS,
    TargetSet.TYPE: target_approved,
    TargetRevised.TYPE: target_approved,
}
