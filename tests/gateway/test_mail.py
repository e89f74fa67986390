"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1) and real Kafka: a complaint
alert reaches whoever asked for it at once, in their language; nothing is lost while the
server is down and nothing is sent twice, after a restart of the sender or with two
senders on one store; the daily digest lists the open alerts once a day."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, update
from sqlmodel import col, select

from services.common.clock import utcnow
from services.common.events import (
    SCORING_TOPIC,
    AlertCleared,
    AlertRaised,
    ContactSet,
    EmployeeRegistered,
    TenantRegistered,
    TenantSettings,
    new_event,
)
from services.common.runtime import Runtime
from services.gateway.app import Settings, create_app
from services.gateway.mailer import DigestMemory, Mailer, queue_digests
from services.gateway.models import GatewayAlert, MailContact, MailOutbox
from tests.gateway.harness import free_port, lone_gateway_settings, publish, run_servers
from tests.support import produce_raw, wait_until

pytestmark = pytest.mark.kafka

TENANT = "bantul"
REFUSED = "tidak.ada@bantulkab.go.id"


@dataclass
class Inbox:
    """What the SMTP server accepted, as parsed messages."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextlib.contextmanager
def smtp_server(inbox: Inbox, port: int) -> Iterator[Controller]:
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def mail_settings(database_url: str, bootstrap: str, prefix: str, port: int) -> Settings:
    settings: Settings = lone_gateway_settings(database_url, bootstrap, prefix)
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "mail_from": "Kinerja Bantul <kinerja@bantulkab.go.id>",
            "mail_message_id_domain": "kinerja.bantulkab.go.id",
            "public_url": "https://kinerja.bantulkab.go.id",
            "mail_poll_seconds": 0.2,
            "mail_backoff_seconds": 0.2,
            "mail_backoff_max_seconds": 1.0,
            "mail_digest_hour": 0,
        }
    )


@contextlib.asynccontextmanager
async def gateway(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings)
    async with run_servers({"gateway": app}):
        yield app


def runtime_of(app: Any) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


async def rows(app: Any) -> list[MailOutbox]:
    async with runtime_of(app).sessions() as session:
        return list((await session.exec(select(MailOutbox).order_by(MailOutbox.key))).all())


@contextlib.contextmanager
def reader_reads(app: Any) -> Iterator[list[str]]:
    """The statements a digest pass runs for one reader (is the day's digest queued, and
    their alert history) while the block runs."""
    reads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        history = "FROM gateway_alert" in statement and "ORDER BY gateway_alert.seq" in statement
        # SQLite quotes the column ("key" is a keyword there), PostgreSQL does not.
        queued = "WHERE mail_outbox.key =" in statement.replace('"', "")
        if history or queued:
            reads.append(statement)

    engine = runtime_of(app).engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def contacts_arrived(app: Any, n: int) -> None:
    """Identity's events and scoring's travel on different topics: the contacts are
    awaited, as in life they are set long before an alert."""

    async def arrived() -> bool:
        async with runtime_of(app).sessions() as session:
            return len((await session.exec(select(MailContact))).all()) == n

    await wait_until(arrived, timeout=60)


def complaint(recipient: str, about: str) -> AlertRaised:
    return AlertRaised(
        alert_id=f"complaint-{about}",
        recipient_id=recipient,
        kind="complaint",
        subject_id="c-1",
        message=f"A complaint (received) names {about}.",
        params={"status": "received", "about": about},
    )


def silent(recipient: str) -> AlertRaised:
    return AlertRaised(
        alert_id=f"silent-eko-{recipient}",
        recipient_id=recipient,
        kind="silent",
        subject_id="e-9",
        message="Eko has logged no activity since 2026-02-01.",
        params={"name": "Eko", "since": "2026-02-01"},
    )


async def people(bootstrap: str, prefix: str, contacts: dict[str, tuple[str, str, str]]) -> None:
    """The regency, one employee per contact and their contacts (address, preference,
    language), as identity would publish them."""
    await publish(
        bootstrap,
        prefix,
        TENANT,
        TenantRegistered(
            name="Kabupaten Bantul", time_zone="Asia/Jakarta", settings=TenantSettings()
        ),
        *(
            EmployeeRegistered(
                employee_id=who,
                nip=f"19850315200901{i:04d}",
                name=f"Pegawai {who.title()}",
                position="Kepala Bidang",
                unit_id="u-1",
            )
            for i, who in enumerate(contacts)
        ),
    )
    await publish(
        bootstrap,
        prefix,
        TENANT,
        *(
            ContactSet(
                user_id=f"user-{who}", recipient_id=who, email=address, preference=pref, locale=lang
            )
            for who, (address, pref, lang) in contacts.items()
        ),
    )


async def test_a_complaint_is_mailed_once_in_the_readers_language(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    inbox, port = Inbox(), free_port()
    settings = mail_settings(database_url, kafka_bootstrap, topic_prefix, port)
    contacts = {
        "budi": ("budi@bantulkab.go.id", "immediate", "id"),
        "ani": ("ani@bantulkab.go.id", "immediate", "en"),
        "citra": ("citra@bantulkab.go.id", "none", "id"),
        "dodi": (REFUSED, "immediate", "id"),
    }
    with smtp_server(inbox, port):
        async with gateway(settings) as app:
            await people(kafka_bootstrap, topic_prefix, contacts)
            await contacts_arrived(app, len(contacts))
            budis = new_event(complaint("budi", "Siti"), tenant=TENANT)
            # Budi's event twice, as a producer retry after a lost acknowledgement sends it.
            twice = [(budis.key.encode(), budis.to_bytes())] * 2
            await produce_raw(kafka_bootstrap, topic_prefix + SCORING_TOPIC, twice)
            ids = await publish(
                kafka_bootstrap,
                topic_prefix,
                TENANT,
                complaint("ani", "Rudi"),
                complaint("citra", "Joko"),  # preference none: no mail
                complaint("dodi", "Eka"),  # the server refuses the address for good
                silent("budi"),  # not a complaint: never immediate
            )
            assert len(ids) == 4

            async def settled() -> bool:
                mine = await rows(app)
                done = [r for r in mine if r.sent_at or r.failed_at]
                return len(mine) == 3 and len(done) == 3

            await wait_until(settled, timeout=60)
            await asyncio.sleep(1)  # a few more sender passes: still nothing more
            stored = {r.recipient_id: r for r in await rows(app)}
            metrics = app.state.mailer.metrics
            assert metrics.sent.labels("gateway")._value.get() == 2
            assert metrics.failed.labels("gateway")._value.get() == 1

    assert sorted(m["To"] for m in inbox.messages) == [
        "ani@bantulkab.go.id",
        "budi@bantulkab.go.id",
    ]
    budi = inbox.to("budi@bantulkab.go.id")[0]
    assert budi["Subject"] == "Kinerja: ada pengaduan yang perlu Anda tindak lanjuti"
    assert budi["From"] == "Kinerja Bantul <kinerja@bantulkab.go.id>"
    assert budi["Content-Language"] == "id"
    body = budi.get_content()
    assert body.startswith("Yth. Pegawai Budi,")
    assert "Sebuah pengaduan (Diterima) menyebut Siti." in body
    assert "Buka Kinerja: https://kinerja.bantulkab.go.id" in body
    ani = inbox.to("ani@bantulkab.go.id")[0]
    assert ani["Subject"] == "Kinerja: a complaint needs your attention"
    assert "A complaint (Received) names Rudi." in ani.get_content()
    assert budi["Message-ID"] == f"<{stored['budi'].id}@kinerja.bantulkab.go.id>"
    refused = stored["dodi"]
    assert refused.sent_at is None and refused.failed_at is not None
    assert "no such mailbox" in refused.last_error


async def test_nothing_is_lost_while_the_server_is_down_nor_sent_twice_after_a_restart(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    inbox, port = Inbox(), free_port()
    settings = mail_settings(database_url, kafka_bootstrap, topic_prefix, port)
    contacts = {"budi": ("budi@bantulkab.go.id", "immediate", "id")}
    async with gateway(settings) as app:
        await people(kafka_bootstrap, topic_prefix, contacts)
        await contacts_arrived(app, 1)
        # The SMTP server is down: the mails wait, retried with a growing wait.
        await publish(
            kafka_bootstrap,
            topic_prefix,
            TENANT,
            *(complaint("budi", f"warga-{i}") for i in range(3)),
        )

        async def retried() -> bool:
            mine = await rows(app)
            return len(mine) == 3 and all(r.attempts >= 2 and r.sent_at is None for r in mine)

        await wait_until(retried, timeout=60)
        waiting = await rows(app)
        assert all("Connect" in r.last_error or "Errno" in r.last_error for r in waiting)
        assert all(r.next_attempt_at > r.created_at for r in waiting)
        retries = app.state.mailer.metrics.retried.labels("gateway")._value.get()
        assert retries >= 6
        await app.state.mailer.measure()
        assert app.state.mailer.metrics.pending.labels("gateway")._value.get() == 3
        assert app.state.mailer.metrics.oldest_age.labels("gateway")._value.get() > 0

        # The server comes back: each waiting mail arrives, once.
        with smtp_server(inbox, port):

            async def delivered() -> bool:
                return len(inbox.messages) == 3 and all(r.sent_at for r in await rows(app))

            await wait_until(delivered, timeout=60)
            await app.state.mailer.measure()
            assert app.state.mailer.metrics.pending.labels("gateway")._value.get() == 0

    # The sender restarts (a new gateway process on the same store and group): what was
    # sent is not sent again; a new complaint is.
    with smtp_server(inbox, port):
        again = settings.model_copy(update={"alert_consumer_group": "gateway-again"})
        async with gateway(again) as app:
            await publish(kafka_bootstrap, topic_prefix, TENANT, complaint("budi", "warga-9"))

            async def fourth() -> bool:
                return len(inbox.messages) == 4

            await wait_until(fourth, timeout=60)
            await asyncio.sleep(1.5)  # several more passes of the new sender
            assert len(await rows(app)) == 4
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == len(set(ids)) == 4
    about = sorted(m.get_content().split("menyebut ")[1].split(".")[0] for m in inbox.messages)
    assert about == ["warga-0", "warga-1", "warga-2", "warga-9"]


async def test_two_senders_on_one_store_send_each_mail_once(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    """The lease is a compare-and-set: of two senders polling the same rows together, one
    takes each row; a lease held by a live sender is left alone, an expired one (a sender
    that died mid-batch) is taken over."""
    inbox, port = Inbox(), free_port()
    settings = mail_settings(database_url, kafka_bootstrap, topic_prefix, port)
    # The gateway's own sender waits: the two below do the sending.
    settings = settings.model_copy(update={"mail_poll_seconds": 3600})
    contacts = {f"p{i}": (f"p{i}@bantulkab.go.id", "immediate", "id") for i in range(8)}
    with smtp_server(inbox, port):
        async with gateway(settings) as app:
            await asyncio.sleep(0.5)  # the gateway's own first pass is over
            await people(kafka_bootstrap, topic_prefix, contacts)
            await contacts_arrived(app, len(contacts))
            await publish(
                kafka_bootstrap,
                topic_prefix,
                TENANT,
                *(complaint(who, f"warga-{who}") for who in contacts),
            )

            async def queued() -> bool:
                return len(await rows(app)) == len(contacts)

            await wait_until(queued, timeout=60)
            sessions = runtime_of(app).sessions
            mail = app.state.mailer.settings
            # Two rows held by someone else: one lease alive, one expired.
            alive, expired = sorted(r.id for r in await rows(app))[:2]
            async with sessions.begin() as session:
                for row_id, until in ((alive, 60), (expired, -60)):
                    await session.exec(
                        update(MailOutbox)
                        .where(col(MailOutbox.id) == row_id)
                        .values(
                            lease_owner="other", lease_until=utcnow() + timedelta(seconds=until)
                        )
                    )
            one, two = Mailer(sessions, mail, owner="one"), Mailer(sessions, mail, owner="two")
            sent = await asyncio.gather(one.send_due(), two.send_due())
            assert sum(sent) == len(contacts) - 1
            assert await one.send_due() + await two.send_due() == 0
            left = [r for r in await rows(app) if r.sent_at is None]
            assert [(r.id, r.lease_owner) for r in left] == [(alive, "other")]
    assert len(inbox.messages) == len(contacts) - 1
    assert len({m["To"] for m in inbox.messages}) == len(contacts) - 1


async def test_the_digest_lists_the_open_alerts_once_a_day(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    inbox, port = Inbox(), free_port()
    # Digest hour 0: the day's digest is due at once, whatever the time of the test.
    settings = mail_settings(database_url, kafka_bootstrap, topic_prefix, port)
    contacts = {
        "budi": ("budi@bantulkab.go.id", "digest", "id"),
        "ani": ("ani@bantulkab.go.id", "digest", "en"),  # nothing open: no mail
    }
    with smtp_server(inbox, port):
        async with gateway(settings.model_copy(update={"mail_poll_seconds": 3600})) as app:
            await people(kafka_bootstrap, topic_prefix, contacts)
            await contacts_arrived(app, len(contacts))
            await publish(
                kafka_bootstrap,
                topic_prefix,
                TENANT,
                silent("budi"),
                complaint("budi", "Siti"),
                complaint("budi", "Joko"),
                AlertCleared(
                    alert_id="complaint-Joko", recipient_id="budi", kind="complaint", subject_id="c"
                ),
                complaint("ani", "Rudi"),
                AlertCleared(
                    alert_id="complaint-Rudi", recipient_id="ani", kind="complaint", subject_id="c"
                ),
            )

            async def stored() -> bool:
                async with runtime_of(app).sessions() as session:
                    return len((await session.exec(select(GatewayAlert))).all()) == 6

            await wait_until(stored, timeout=60)
            now, sessions = utcnow(), runtime_of(app).sessions
            assert await queue_digests(sessions, now, 0) == 1
            assert await queue_digests(sessions, now, 0) == 0  # once a day
            assert await app.state.mailer.send_due() == 1

            # A process's passes remember what they settled: once nothing changed, a pass
            # reads nothing per reader (it runs every minute all day)...
            memory = DigestMemory()
            assert await queue_digests(sessions, now, 0, memory) == 0
            assert await queue_digests(sessions, now, 0, memory) == 0
            with reader_reads(app) as reads:
                assert await queue_digests(sessions, now, 0, memory) == 0
            assert reads == []
            # ... but a reader found with nothing open still gets the day's digest when an
            # alert of theirs opens later that day.
            await publish(kafka_bootstrap, topic_prefix, TENANT, complaint("ani", "Wati"))

            async def seventh() -> bool:
                async with sessions() as session:
                    return len((await session.exec(select(GatewayAlert))).all()) == 7

            await wait_until(seventh, timeout=60)
            with reader_reads(app) as reads:
                assert await queue_digests(sessions, now, 0, memory) == 1
            assert len(reads) == 3  # all ani's (queued? history, the queueing's check); none budi's
            late = [r for r in await rows(app) if r.kind == "digest" and r.sent_at is None]
            assert [r.address for r in late] == ["ani@bantulkab.go.id"]
    [digest] = inbox.messages
    assert digest["To"] == "budi@bantulkab.go.id"
    assert digest["Subject"].startswith("Kinerja: 2 peringatan terbuka per ")
    body = digest.get_content()
    assert "- Eko belum mencatat kegiatan sejak 2026-02-01." in body
    assert "- Sebuah pengaduan (Diterima) menyebut Siti." in body
    assert "Joko" not in body  # cleared before the digest
