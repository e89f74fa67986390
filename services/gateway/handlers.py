"""Events in: supervisor alerts from scoring (each complaint alert queued as a mail for
whoever wants it at once), the org chart and the e-mail contacts from identity."""

from __future__ import annotations

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import (
    IDENTITY_TOPIC,
    SCORING_TOPIC,
    AlertCleared,
    AlertRaised,
    ContactSet,
    Envelope,
)
from services.common.messaging import EventHandler
from services.common.orgchart import KEPALA_DAERAH_HANDLERS, ORG_HANDLERS
from services.gateway import mailer
from services.gateway.live import AlertHub
from services.gateway.models import GatewayAlert, MailContact

TOPICS = (IDENTITY_TOPIC, SCORING_TOPIC)


def alert_handlers(
    hub: AlertHub, *, keep_per_recipient: int, mail: bool = False
) -> dict[str, EventHandler]:
    """Handlers that store each alert event for its recipient (the newest
    ``keep_per_recipient`` rows are kept) and wake the recipient's open streams. With
    ``mail`` (SMTP configured) a complaint alert is queued as a mail in the same
    transaction, so the mail is queued exactly when the alert is stored."""

    async def store(session: AsyncSession, event: Envelope) -> None:
        payload = event.payload
        assert isinstance(payload, AlertRaised | AlertCleared)
        action = "raised" if isinstance(payload, AlertRaised) else "cleared"
        session.add(
            GatewayAlert(
                tenant=event.tenant,
                recipient_id=payload.recipient_id,
                alert_id=payload.alert_id,
                action=action,
                kind=payload.kind,
                subject_id=payload.subject_id,
                message=payload.message if isinstance(payload, AlertRaised) else "",
                params=dict(payload.params) if isinstance(payload, AlertRaised) else None,
                event_id=str(event.event_id),
                occurred_at=event.occurred_at,
            )
        )
        await session.flush()
        await _prune(session, event.tenant, payload.recipient_id, keep_per_recipient)
        AlertHub.mark(session.info, (event.tenant, payload.recipient_id))
        if mail and isinstance(payload, AlertRaised):
            await mailer.queue_alert(session, event, payload)

    return {AlertRaised.TYPE: store, AlertCleared.TYPE: store}


async def _prune(session: AsyncSession, tenant: str, recipient_id: str, keep: int) -> None:
    mine = (col(GatewayAlert.tenant) == tenant, col(GatewayAlert.recipient_id) == recipient_id)
    oldest_kept = (
        await session.exec(
            select(GatewayAlert.seq)
            .where(*mine)
            .order_by(col(GatewayAlert.seq).desc())
            .offset(keep - 1)
            .limit(1)
        )
    ).first()
    if oldest_kept is not None:
        await session.exec(delete(GatewayAlert).where(*mine, col(GatewayAlert.seq) < oldest_kept))


async def store_contact(session: AsyncSession, event: Envelope) -> None:
    payload = event.payload
    assert isinstance(payload, ContactSet)
    row = await session.get(MailContact, (event.tenant, payload.recipient_id))
    row = row or MailContact(tenant=event.tenant, recipient_id=payload.recipient_id, user_id="")
    row.user_id = payload.user_id
    row.email = payload.email
    row.preference = payload.preference
    row.locale = payload.locale
    session.add(row)


def handlers(
    hub: AlertHub, *, keep_per_recipient: int, mail: bool = False
) -> dict[str, EventHandler]:
    return {
        **ORG_HANDLERS,
        **KEPALA_DAERAH_HANDLERS,
        ContactSet.TYPE: store_contact,
        **alert_handlers(hub, keep_per_recipient=keep_per_recipient, mail=mail),
    }
