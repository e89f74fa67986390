"""The e-mail rules, pure: who is mailed at once, backoff, the digest's day and open
alerts, stable ids, and a mail's text in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.common.i18n import catalog
from services.gateway import domain
from services.gateway.app import Settings

pytestmark = pytest.mark.unit

COMPLAINT = {"kind": "complaint", "params": {"status": "received", "about": "Siti"}, "message": ""}


@pytest.mark.parametrize(
    ("kind", "preference", "email", "mailed"),
    [
        ("complaint", "immediate", "a@b.id", True),
        ("complaint", "digest", "a@b.id", False),
        ("complaint", "none", "a@b.id", False),
        ("complaint", "immediate", None, False),
        ("behind_target", "immediate", "a@b.id", False),
    ],
)
def test_only_complaints_are_mailed_at_once_and_only_to_those_who_asked(
    kind: str, preference: str, email: str | None, mailed: bool
) -> None:
    assert domain.wants_immediate_mail(kind, preference, email) is mailed


def test_backoff_doubles_up_to_its_cap() -> None:
    waits = [domain.mail_backoff_seconds(n, base=5, cap=60) for n in range(1, 7)]
    assert waits == [5, 10, 20, 40, 60, 60]


def test_the_same_key_gives_the_same_id_everywhere() -> None:
    assert domain.mail_id("alert:e-1") == domain.mail_id("alert:e-1")
    assert domain.mail_id("alert:e-1") != domain.mail_id("alert:e-2")


def test_the_digest_is_due_from_its_local_hour() -> None:
    jayapura = ZoneInfo("Asia/Jayapura")
    assert domain.digest_day(datetime(2026, 3, 2, 6, 59, tzinfo=jayapura), 7) is None
    assert domain.digest_day(datetime(2026, 3, 2, 7, 0, tzinfo=jayapura), 7) == date(2026, 3, 2)


def test_open_alerts_are_raised_and_not_cleared_since() -> None:
    rows = [("a", "raised"), ("b", "raised"), ("a", "cleared"), ("c", "raised"), ("a", "raised")]
    assert domain.open_alerts(rows) == ["b", "c", "a"]
    assert domain.open_alerts([("a", "raised"), ("a", "cleared")]) == []


def test_a_complaint_mail_in_indonesian_and_in_english() -> None:
    data = {"name": "Budi Santoso", "alerts": [COMPLAINT]}
    indonesian = domain.render_mail("alert", data, "id", "https://kinerja.bantulkab.go.id")
    assert indonesian.subject == "Kinerja: ada pengaduan yang perlu Anda tindak lanjuti"
    assert indonesian.body.startswith("Yth. Budi Santoso,\n")
    assert "Sebuah pengaduan (Diterima) menyebut Siti." in indonesian.body
    assert "Buka Kinerja: https://kinerja.bantulkab.go.id" in indonesian.body
    english = domain.render_mail("alert", data, "en", "")
    assert english.subject == "Kinerja: a complaint needs your attention"
    assert "A complaint (Received) names Siti." in english.body
    assert "Open Kinerja" not in english.body


def test_a_digest_lists_every_open_alert() -> None:
    behind = {
        "kind": "silent",
        "params": {"name": "Ani", "since": "2026-02-20"},
        "message": "Ani has logged no activity since 2026-02-20.",
    }
    data = {"name": "Budi", "date": "2026-03-02", "alerts": [COMPLAINT, behind]}
    mail = domain.render_mail("digest", data, "id", "")
    assert mail.subject == "Kinerja: 2 peringatan terbuka per 02-03-2026"
    assert mail.body.count("\n- ") == 2
    assert "Peringatan berikut masih terbuka:" in mail.body


def test_every_mail_template_has_its_indonesian() -> None:
    templates = [
        domain.MAIL_ALERT_SUBJECT,
        domain.MAIL_DIGEST_SUBJECT,
        domain.MAIL_GREETING,
        domain.MAIL_DIGEST_INTRO,
        domain.MAIL_LINK,
        domain.MAIL_FOOTER,
    ]
    assert all(catalog("id").get(t) for t in templates)


def test_no_smtp_host_means_no_mail_and_the_password_stays_secret() -> None:
    assert Settings().mail() is None
    configured = Settings(
        smtp_host="smtp.bantulkab.go.id",
        smtp_port=587,
        smtp_starttls=True,
        smtp_username="kinerja",
        smtp_password="rahasia-smtp",
        mail_digest_hour=6,
    )
    mail = configured.mail()
    assert mail is not None
    assert (mail.host, mail.port, mail.start_tls, mail.use_tls) == (
        "smtp.bantulkab.go.id",
        587,
        True,
        False,
    )
    assert (mail.username, mail.password, mail.digest_hour) == ("kinerja", "rahasia-smtp", 6)
    assert "rahasia-smtp" not in repr(configured)
