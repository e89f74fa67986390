"""Pure rules of the gateway: which upstream a request goes to, which headers travel, who
sees which alert, and how an alert is written as a Server-Sent Event. No I/O here."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any
from urllib.parse import quote

from services.common.events import ALERT_TEMPLATES
from services.common.i18n import LocaleCode, translate
from services.common.pagination import MAX_CURSOR
from services.common.security import Principal, Role

# The services behind the gateway; ``/api/<name>/<path>`` goes to ``<name>``'s ``/api/v1/<path>``.
SERVICES = ("identity", "targets", "assessment", "feedback", "scoring")

# Request headers passed upstream (everything else, cookies included, stays here).
FORWARDED_REQUEST_HEADERS = ("authorization", "content-type", "accept", "accept-language")
# Response headers passed back to the browser.
FORWARDED_RESPONSE_HEADERS = (
    "content-type",
    "retry-after",
    "www-authenticate",
    "content-disposition",
    "cache-control",
)

SERVICE_LABELS = {
    "identity": "data kepegawaian dan login",
    "targets": "SKP dan catatan kegiatan",
    "assessment": "penilaian",
    "feedback": "survei dan pengaduan",
    "scoring": "skor dan peringatan",
}


def upstream_path(path: str) -> str | None:
    """The upstream path for the part after ``/api/<service>/``; None when it tries to
    leave ``/api/v1`` (``..``, ``.``, empty segments or backslashes)."""
    if not path or "\\" in path:
        return None
    segments = path.split("/")
    if any(s in ("", ".", "..") for s in segments[:-1]) or segments[-1] in (".", ".."):
        return None
    # The path arrives decoded: quote it again so "?" or "#" stay inside a segment.
    return "/api/v1/" + "/".join(quote(s, safe="-._~:@!$&'()*+,;=") for s in segments)


def forward_headers(incoming: Mapping[str, str], client_address: str) -> dict[str, str]:
    """Headers for the upstream request.

    ``X-Forwarded-For`` names the browser's address alone (resolved by the kernel's
    ``client_address`` with the gateway's own ``trusted_proxies``), so that identity and
    feedback limit each browser, not the gateway. A client-supplied value is never passed
    on: a citizen could otherwise pick the address that is counted.
    """
    lowered = {k.lower(): v for k, v in incoming.items()}
    headers = {name: lowered[name] for name in FORWARDED_REQUEST_HEADERS if name in lowered}
    headers["x-forwarded-for"] = client_address
    return headers


def response_headers(upstream: Mapping[str, str]) -> dict[str, str]:
    lowered = {k.lower(): v for k, v in upstream.items()}
    return {name: lowered[name] for name in FORWARDED_RESPONSE_HEADERS if name in lowered}


def gateway_status(upstream_status: int) -> int:
    """A failing upstream (5xx) becomes 502 Bad Gateway; everything else passes through."""
    return 502 if upstream_status >= 500 else upstream_status


def unavailable_detail(service: str) -> str:
    label = SERVICE_LABELS.get(service, service)
    return (
        f"Layanan {label} ({service}) sedang tidak dapat dihubungi. Coba lagi beberapa saat lagi."
    )


def failed_detail(service: str) -> str:
    label = SERVICE_LABELS.get(service, service)
    return f"Layanan {label} ({service}) mengalami gangguan. Coba lagi beberapa saat lagi."


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AlertView:
    seq: int
    tenant: str
    recipient_id: str
    alert_id: str
    action: str
    kind: str
    subject_id: str
    message: str  # in the reader's language (see ``alert_message``)
    occurred_at: str  # ISO 8601
    read: bool = False  # marked read by the recipient


def alert_message(
    kind: str, params: Mapping[str, Any] | None, stored: str, locale: LocaleCode
) -> str:
    """An alert's text for one reader: its kind's template (``ALERT_TEMPLATES``, with
    the translations in gateway.po) filled from its params, a complaint's status as its
    label in that language. An alert stored without params keeps its stored text."""
    template = ALERT_TEMPLATES.get(kind)
    if template is None or not params:
        return stored
    filled: dict[str, Any] = dict(params)
    status = filled.get("status")
    if kind == "complaint" and isinstance(status, str) and status in COMPLAINT_STATUS:
        filled["status"] = translate(COMPLAINT_STATUS[status], None, locale)
    return translate(template, filled, locale)


# A complaint's status as people read it (the same msgids as the pages' labels).
COMPLAINT_STATUS = {
    "received": "Received",
    "verified": "Verified",
    "in_progress": "Being followed up",
    "resolved": "Resolved",
    "rejected": "Rejected",
    "not_our_authority": "Not our authority",
    "archived": "Archived",
}


def recipient_of(principal: Principal) -> str | None:
    """Whom the caller's alerts are addressed to: the employee id, or for the kepala daerah
    (an account without an employee record) its account id, as scoring addresses the
    alerts about the employees at the top of the chain. None: no alerts for this account."""
    if principal.employee_id is not None:
        return principal.employee_id
    if Role.KEPALA_DAERAH in principal.roles:
        return principal.user_id
    return None


def visible_to(alert: AlertView, principal: Principal) -> bool:
    """An alert reaches only its recipient, in the recipient's own regency."""
    me = recipient_of(principal)
    return (
        principal.tenant is not None
        and me is not None
        and alert.tenant == principal.tenant
        and alert.recipient_id == me
    )


def sse_fields(alert: AlertView) -> dict[str, str]:
    """``id``/``event``/``data`` of the Server-Sent Event for one alert."""
    data = {
        "seq": alert.seq,
        "alert_id": alert.alert_id,
        "action": alert.action,
        "kind": alert.kind,
        "subject_id": alert.subject_id,
        "message": alert.message,
        "occurred_at": alert.occurred_at,
        "read": alert.read,
    }
    return {"id": str(alert.seq), "event": "alert", "data": json.dumps(data, ensure_ascii=False)}


def last_event_id(header: str | None, query: str | None) -> int | None:
    """Where a reconnecting stream resumes: the ``Last-Event-ID`` header (sent by the
    browser's own reconnect) or the ``last_event_id`` query parameter (a new EventSource
    after a token refresh). None (or garbage): start with the recent history."""
    for raw in (header, query):
        digits = (raw or "").strip()
        # Beyond a 64-bit sequence number it is garbage too (SQLite cannot even bind it).
        if digits.isascii() and digits.isdigit() and len(digits) <= 19:
            cursor = int(digits)
            if cursor <= MAX_CURSOR:
                return cursor
    return None


# The gateway's own operator endpoints: metrics and the API description are for the
# people running it, not for the public the gateway faces.
INTERNAL_PATHS = frozenset(
    {"/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
)


def internal_caller(
    peer: str | None, forwarded: bool, allowed: Sequence[IPv4Network | IPv6Network]
) -> bool:
    """Whether a request may read an internal path: it comes straight from an allowed
    address (Prometheus, an operator on the host), not relayed by a front proxy (which
    adds X-Forwarded-For, and whose own address may well be an allowed one)."""
    if forwarded or not peer:
        return False
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in allowed)


# ---------------------------------------------------------------- e-mail

# The gettext templates of the mails (translations in gateway.po).
MAIL_ALERT_SUBJECT = "Kinerja: a complaint needs your attention"
MAIL_DIGEST_SUBJECT = "Kinerja: {count} open alerts on {date}"
MAIL_GREETING = "Dear {name},"
MAIL_DIGEST_INTRO = "These alerts are still open:"
MAIL_LINK = "Open Kinerja: {url}"
MAIL_FOOTER = (
    "You receive this e-mail because of your choice on your profile page in Kinerja, "
    "where you can change or stop it."
)
# Mails the same key would produce on any gateway get the same id (and Message-ID).
MAIL_NAMESPACE = uuid.UUID("5b0c1f0e-7a53-4c41-9f6e-2f6d1c8e4a10")


def wants_immediate_mail(kind: str, preference: str | None, email: str | None) -> bool:
    """Immediate mail is for complaints only: the other alerts change slowly and come in
    the daily digest, so a supervisor is not mailed for every projection that moves."""
    return kind == "complaint" and preference == "immediate" and bool(email)


def mail_id(key: str) -> str:
    return str(uuid.uuid5(MAIL_NAMESPACE, key))


def mail_backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """The wait before the next try after ``attempts`` failed ones: doubling, capped, so
    an SMTP server that is down for an hour is asked a few dozen times, not thousands."""
    return float(min(cap, base * 2 ** max(attempts - 1, 0)))


def digest_day(local_now: datetime, hour: int) -> date | None:
    """The day whose digest is due at ``local_now`` (the regency's local time): today
    once its hour has come, None before it."""
    return local_now.date() if local_now.hour >= hour else None


def open_alerts(rows: Sequence[tuple[str, str]]) -> list[str]:
    """The alert ids still open from (alert id, action) rows oldest first: raised and not
    cleared since; the order of their last raising."""
    state: dict[str, str] = {}
    for alert_id, action in rows:
        state.pop(alert_id, None)
        state[alert_id] = action
    return [alert_id for alert_id, action in state.items() if action == "raised"]


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def render_mail(kind: str, data: Mapping[str, Any], locale: LocaleCode, url: str) -> MailText:
    """A queued mail's subject and plain text in the reader's language, from its data:
    ``name`` and ``alerts`` (each ``kind``, ``params``, ``message`` as stored), for a
    digest also ``date`` (ISO)."""
    alerts = [
        alert_message(a.get("kind", ""), a.get("params"), a.get("message", ""), locale)
        for a in data.get("alerts", [])
    ]
    lines = [translate(MAIL_GREETING, {"name": data.get("name", "")}, locale), ""]
    if kind == "digest":
        day = date.fromisoformat(str(data.get("date")))
        subject = translate(
            MAIL_DIGEST_SUBJECT, {"count": len(alerts), "date": day.strftime("%d-%m-%Y")}, locale
        )
        lines += [translate(MAIL_DIGEST_INTRO, None, locale), ""]
        lines += [f"- {text}" for text in alerts]
    else:
        subject = translate(MAIL_ALERT_SUBJECT, None, locale)
        lines += alerts
    if url:
        lines += ["", translate(MAIL_LINK, {"url": url}, locale)]
    lines += ["", "-- ", translate(MAIL_FOOTER, None, locale)]
    return MailText(subject=subject, body="\n".join(lines) + "\n")
