"""The register of issued documents: what a verification QR opens.

Issuing the same content for the same subject again returns the document already
registered (its token, so a re-download prints the same QR); a changed content is a new
document, and the older ones of that subject read as superseded from then on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import new_id
from services.gateway.models import GatewayDocument


@dataclass(frozen=True)
class Issue:
    tenant: str
    kind: str
    subject_key: str
    holder: str
    period: str
    digest: str
    issued_by: str


async def issue(session: AsyncSession, what: Issue, now: datetime) -> GatewayDocument:
    same = await session.exec(
        select(GatewayDocument).where(
            GatewayDocument.tenant == what.tenant,
            GatewayDocument.subject_key == what.subject_key,
            GatewayDocument.digest == what.digest,
        )
    )
    found = same.first()
    if found is not None:
        return found
    row = GatewayDocument(
        token=new_id().replace("-", ""),
        tenant=what.tenant,
        kind=what.kind,
        subject_key=what.subject_key,
        holder=what.holder[:300],
        period=what.period,
        digest=what.digest,
        issued_by=what.issued_by[:200],
        issued_at=now,
    )
    session.add(row)
    await session.commit()
    return row


async def status_of(
    session: AsyncSession, token: str
) -> tuple[GatewayDocument | None, GatewayDocument | None]:
    """The document and the newer one that superseded it (None while it is current)."""
    row = await session.get(GatewayDocument, token)
    if row is None:
        return None, None
    newer = await session.exec(
        select(GatewayDocument)
        .where(
            GatewayDocument.tenant == row.tenant,
            GatewayDocument.subject_key == row.subject_key,
            col(GatewayDocument.issued_at) > row.issued_at,
        )
        .order_by(col(GatewayDocument.issued_at).desc())
        .limit(1)
    )
    return row, newer.first()
