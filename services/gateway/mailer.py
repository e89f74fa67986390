"""E-mail: queueing into ``mail_outbox`` and the sender loop.

Queueing happens in a transaction that also decides the mail (the alert consumer's, or
the digest pass's), keyed so that a mail is queued once. The sender leases due rows by
compare-and-set (``lease_owner``, ``lease_until``), sends each over one SMTP connection
and marks it sent only if it still holds the lease: two gateways on one store never send
one row twice, and a sender that died mid-batch leaves rows that another takes once
the lease runs out. While the SMTP server is down each row waits longer between tries
(doubling, capped); a 5xx answer is final and the row is kept as failed. A crash between
the server's acceptance and the row's mark would send that row again on restart: its
Message-ID is stable, so the receiving side can recognise the repeat.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiosmtplib
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import new_id, utcnow
from services.common.events import AlertRaised, Envelope
from services.common.i18n import LocaleCode
from services.common.orgchart import OrgEmployee, OrgKepalaDaerah, OrgTenant
from services.common.storage import SessionFactory
from services.gateway import domain
from services.gateway.models import GatewayAlert, MailContact, MailOutbox

log = logging.getLogger(__name__)

DIGEST_PASS_SECONDS = 60.0


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False  # TLS from the first byte (port 465)
    start_tls: bool = False  # STARTTLS after the greeting (port 587)
    timeout: float = 10.0
    sender: str = "Kinerja <kinerja@localhost>"
    message_id_domain: str = "kinerja.localhost"
    public_url: str = ""
    poll_seconds: float = 5.0
    batch: int = 50
    lease_seconds: float = 120.0
    backoff_seconds: float = 5.0
    backoff_max_seconds: float = 600.0
    digest_hour: int = 7


async def _name(session: AsyncSession, tenant: str, recipient_id: str) -> str:
    employee = await session.get(OrgEmployee, (tenant, recipient_id))
    if employee is not None:
        return employee.name
    kd = await session.get(OrgKepalaDaerah, (tenant, recipient_id))
    return kd.name if kd is not None else ""


async def _queue(session: AsyncSession, row: MailOutbox) -> bool:
    """Add the row unless its key is queued already (a second gateway on the same store,
    a digest pass run twice): a savepoint keeps the caller's transaction alive."""
    if (await session.exec(select(MailOutbox.id).where(MailOutbox.key == row.key))).first():
        return False
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def _row(key: str, contact: MailContact, kind: str, data: dict[str, Any]) -> MailOutbox:
    now = utcnow()
    return MailOutbox(
        id=domain.mail_id(key),
        key=key,
        tenant=contact.tenant,
        recipient_id=contact.recipient_id,
        address=contact.email or "",
        locale=contact.locale,
        kind=kind,
        data=data,
        created_at=now,
        next_attempt_at=now,
    )


def _alert_data(kind: str, params: dict[str, Any] | None, message: str) -> dict[str, Any]:
    return {"kind": kind, "params": params or {}, "message": message}


async def queue_alert(session: AsyncSession, event: Envelope, alert: AlertRaised) -> None:
    """In the alert consumer's transaction: a complaint alert as a mail, for a recipient
    whose preference is immediate."""
    contact = await session.get(MailContact, (event.tenant, alert.recipient_id))
    if contact is None or not domain.wants_immediate_mail(
        alert.kind, contact.preference, contact.email
    ):
        return
    name = await _name(session, event.tenant, alert.recipient_id)
    data = {"name": name, "alerts": [_alert_data(alert.kind, dict(alert.params), alert.message)]}
    await _queue(session, _row(f"alert:{event.event_id}", contact, "alert", data))


@dataclass
class DigestMemory:
    """What one process's earlier digest passes settled, so that a pass once a minute all
    day does not re-read every digest reader's alert history: per reader, the day whose
    digest is queued (or was already there) and the day a pass found nothing open. A
    reader found with nothing open is read again only when an alert row of theirs came in
    since the pass before last: one pass of slack for a transaction that took its ``seq``
    before the last pass but committed after it (PostgreSQL's sequences do not wait)."""

    settled: dict[tuple[str, str], str] = field(default_factory=dict)
    empty: dict[tuple[str, str], str] = field(default_factory=dict)
    seen_seq: int = 0
    seen_seq_before: int = 0


async def _readers_with_new_alerts(session: AsyncSession, after: int) -> set[tuple[str, str]]:
    rows = await session.exec(
        select(GatewayAlert.tenant, GatewayAlert.recipient_id)
        .where(col(GatewayAlert.seq) > after)
        .distinct()
    )
    return {(tenant, recipient) for tenant, recipient in rows.all()}


async def queue_digests(
    sessions: SessionFactory, now: datetime, hour: int, memory: DigestMemory | None = None
) -> int:
    """One digest per person whose preference is digest, per local day once the hour has
    come, listing their open alerts (nothing when none is open; a later pass that day
    sends it if one opens). Returns how many were queued. ``memory`` carries what earlier
    passes of this process settled (a fresh one reads everything once)."""
    memory = memory or DigestMemory()
    queued = 0
    async with sessions.begin() as session:
        zones = {t.slug: t.time_zone for t in (await session.exec(select(OrgTenant))).all()}
        last_seq = (await session.exec(select(func.max(GatewayAlert.seq)))).one() or 0
        changed = await _readers_with_new_alerts(session, memory.seen_seq_before)
        contacts = (
            await session.exec(
                select(MailContact).where(
                    MailContact.preference == "digest", col(MailContact.email).is_not(None)
                )
            )
        ).all()
        for contact in contacts:
            local = now.astimezone(ZoneInfo(zones.get(contact.tenant, "Asia/Jakarta")))
            day = domain.digest_day(local, hour)
            if day is None:
                continue
            reader = (contact.tenant, contact.recipient_id)
            key = f"digest:{contact.tenant}:{contact.recipient_id}:{day.isoformat()}"
            if memory.settled.get(reader) == key:
                continue
            if memory.empty.get(reader) == key and reader not in changed:
                continue
            if (await session.exec(select(MailOutbox.id).where(MailOutbox.key == key))).first():
                memory.settled[reader] = key
                continue
            rows = (
                await session.exec(
                    select(GatewayAlert)
                    .where(
                        GatewayAlert.tenant == contact.tenant,
                        GatewayAlert.recipient_id == contact.recipient_id,
                    )
                    .order_by(col(GatewayAlert.seq))
                )
            ).all()
            still_open = set(domain.open_alerts([(r.alert_id, r.action) for r in rows]))
            latest = {r.alert_id: r for r in rows if r.action == "raised"}
            alerts = [
                _alert_data(r.kind, r.params, r.message)
                for alert_id, r in latest.items()
                if alert_id in still_open
            ]
            if not alerts:
                memory.empty[reader] = key
                continue
            name = await _name(session, contact.tenant, contact.recipient_id)
            data = {"name": name, "date": day.isoformat(), "alerts": alerts}
            queued += await _queue(session, _row(key, contact, "digest", data))
            memory.settled[reader] = key
    memory.seen_seq_before, memory.seen_seq = memory.seen_seq, last_seq
    return queued


class MailMetrics:
    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self.pending = Gauge(
            "kinerja_gateway_mail_pending",
            "Mails queued and not yet sent (failed ones excluded)",
            ["service"],
            registry=registry,
        )
        self.oldest_age = Gauge(
            "kinerja_gateway_mail_oldest_pending_age_seconds",
            "Age of the oldest mail not yet sent (0 when none waits)",
            ["service"],
            registry=registry,
        )
        self.sent = Counter(
            "kinerja_gateway_mail_sent_total",
            "Mails the SMTP server accepted",
            ["service"],
            registry=registry,
        )
        self.failed = Counter(
            "kinerja_gateway_mail_failed_total",
            "Mails the SMTP server refused for good (5xx); kept as failed, never retried",
            ["service"],
            registry=registry,
        )
        self.retried = Counter(
            "kinerja_gateway_mail_attempts_failed_total",
            "Sending attempts that failed and will be retried (server down, 4xx)",
            ["service"],
            registry=registry,
        )
        for metric in (self.pending, self.oldest_age, self.sent, self.failed, self.retried):
            metric.labels(service)


class Mailer:
    """The sender loop of one gateway process; ``owner`` names its leases."""

    def __init__(
        self,
        sessions: SessionFactory,
        settings: MailSettings,
        metrics: MailMetrics | None = None,
        owner: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.metrics = metrics
        self.owner = owner or new_id()

    async def run(self) -> None:
        digests_at = 0.0
        memory = DigestMemory()
        loop = asyncio.get_running_loop()
        while True:
            try:
                # Once a minute is enough for a daily mail, whatever the poll interval.
                if loop.time() >= digests_at:
                    await queue_digests(self.sessions, utcnow(), self.settings.digest_hour, memory)
                    digests_at = loop.time() + DIGEST_PASS_SECONDS
                await self.send_due()
                await self.measure()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away: try again at the next poll
                log.exception("mail pass failed")
            await asyncio.sleep(self.settings.poll_seconds)

    async def send_due(self) -> int:
        """Lease the due rows, send them; how many the server accepted."""
        rows = await self._lease(utcnow())
        if not rows:
            return 0
        sent = 0
        smtp = aiosmtplib.SMTP(
            hostname=self.settings.host,
            port=self.settings.port,
            use_tls=self.settings.use_tls,
            start_tls=self.settings.start_tls,
            timeout=self.settings.timeout,
        )
        try:
            await smtp.connect()
            if self.settings.username:
                await smtp.login(self.settings.username, self.settings.password)
        except (aiosmtplib.SMTPException, OSError) as exc:
            for row in rows:  # nothing reached the server: every row waits and tries again
                await self._retry(row, exc)
            return 0
        try:
            for row in rows:
                try:
                    await smtp.send_message(self.message(row))
                except aiosmtplib.SMTPRecipientsRefused as exc:  # the one recipient refused
                    if all(r.code >= 500 for r in exc.recipients):
                        await self._fail(row, exc)
                    else:
                        await self._retry(row, exc)
                except aiosmtplib.SMTPResponseException as exc:
                    if exc.code >= 500:
                        await self._fail(row, exc)
                    else:
                        await self._retry(row, exc)
                except (aiosmtplib.SMTPException, OSError) as exc:
                    await self._retry(row, exc)
                else:
                    sent += await self._mark_sent(row)
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
        return sent

    def message(self, row: MailOutbox) -> EmailMessage:
        locale: LocaleCode = "en" if row.locale == "en" else "id"
        text = domain.render_mail(row.kind, row.data, locale, self.settings.public_url)
        message = EmailMessage()
        message.set_content(text.body)  # first: it replaces every Content-* header
        message["From"] = self.settings.sender
        message["To"] = row.address
        message["Subject"] = text.subject
        message["Date"] = format_datetime(row.created_at)
        message["Message-ID"] = f"<{row.id}@{self.settings.message_id_domain}>"
        message["Content-Language"] = locale
        message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a robot
        return message

    async def _lease(self, now: datetime) -> list[MailOutbox]:
        until = now + timedelta(seconds=self.settings.lease_seconds)
        free = or_(col(MailOutbox.lease_until).is_(None), col(MailOutbox.lease_until) < now)
        waiting = (
            col(MailOutbox.sent_at).is_(None),
            col(MailOutbox.failed_at).is_(None),
            col(MailOutbox.next_attempt_at) <= now,
        )
        leased: list[MailOutbox] = []
        async with self.sessions.begin() as session:
            ids = (
                await session.exec(
                    select(MailOutbox.id)
                    .where(*waiting, free)
                    .order_by(col(MailOutbox.created_at))
                    .limit(self.settings.batch)
                )
            ).all()
            for row_id in ids:
                # Compare-and-set: only a row still free is taken; a concurrent sender
                # that took it first leaves zero rows matched here.
                taken = await session.exec(
                    update(MailOutbox)
                    .where(col(MailOutbox.id) == row_id, *waiting, free)
                    .values(lease_owner=self.owner, lease_until=until)
                )
                if taken.rowcount == 1:
                    row = await session.get(MailOutbox, row_id)
                    assert row is not None
                    leased.append(row)
            for row in leased:
                session.expunge(row)
        return leased

    async def _finish(self, row: MailOutbox, **values: Any) -> bool:
        """Write the outcome if this sender still holds the row's lease."""
        async with self.sessions.begin() as session:
            done = await session.exec(
                update(MailOutbox)
                .where(col(MailOutbox.id) == row.id, col(MailOutbox.lease_owner) == self.owner)
                .values(lease_owner=None, lease_until=None, **values)
            )
            return bool(done.rowcount == 1)

    async def _mark_sent(self, row: MailOutbox) -> int:
        if await self._finish(row, sent_at=utcnow(), last_error=""):
            if self.metrics:
                self.metrics.sent.labels(self.metrics.service).inc()
            return 1
        return 0

    async def _fail(self, row: MailOutbox, exc: Exception) -> None:
        log.warning("mail %s refused for good: %s", row.id, exc)
        await self._finish(row, failed_at=utcnow(), last_error=str(exc)[:500])
        if self.metrics:
            self.metrics.failed.labels(self.metrics.service).inc()

    async def _retry(self, row: MailOutbox, exc: Exception) -> None:
        attempts = row.attempts + 1
        wait = domain.mail_backoff_seconds(
            attempts, base=self.settings.backoff_seconds, cap=self.settings.backoff_max_seconds
        )
        await self._finish(
            row,
            attempts=attempts,
            next_attempt_at=utcnow() + timedelta(seconds=wait),
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        if self.metrics:
            self.metrics.retried.labels(self.metrics.service).inc()

    async def measure(self) -> None:
        if self.metrics is None:
            return
        waiting = (col(MailOutbox.sent_at).is_(None), col(MailOutbox.failed_at).is_(None))
        async with self.sessions() as session:
            pending = (
                await session.exec(select(func.count()).select_from(MailOutbox).where(*waiting))
            ).one()
            oldest = (
                await session.exec(
                    select(MailOutbox.created_at)
                    .where(*waiting)
                    .order_by(col(MailOutbox.created_at))
                    .limit(1)
                )
            ).first()
        self.metrics.pending.labels(self.metrics.service).set(pending)
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        self.metrics.oldest_age.labels(self.metrics.service).set(max(age, 0.0))
