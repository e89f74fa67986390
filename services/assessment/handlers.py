"""Events in: the org chart (identity) and each employee's approved RHK list (targets)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment import service
from services.common.events import Envelope, TargetRevised, TargetSet
from services.common.messaging import EventHandler
from services.common.orgchart import ORG_HANDLERS


async def target_approved(session: AsyncSession, event: Envelope) -> None:
    payload = event.payload
    assert isinstance(payload, TargetSet)
    await service.apply_target(session, tenant=event.tenant, payload=payload)


HANDLERS: dict[str, EventHandler] = {
    **ORG_HANDLERS,
    TargetSet.TYPE: target_approved,
    TargetRevised.TYPE: target_approved,
}
