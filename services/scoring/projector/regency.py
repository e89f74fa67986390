"""The regency (tenant) projection: its rules and time zone. Every figure of a batch is
computed with the rules as they are after the batch's events; the projections computed
earlier with other rules are refreshed after it (``Projector.apply_batch``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.common.events import Envelope, TenantRegistered

if TYPE_CHECKING:
    from services.scoring.projector.batch import Batch


def apply_tenant_registered(b: Batch, event: Envelope, p: TenantRegistered) -> None:
    t = event.tenant
    b.tenants[t] = {
        "slug": t,
        "name": p.name,
        "time_zone": p.time_zone,
        "settings": p.settings.model_dump(mode="json"),
    }
    b.mark("org_tenant", (t,))
    b.retune(t)
