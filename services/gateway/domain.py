"""Pure rules of the gateway: which upstream a request goes to, which headers travel, who
sees which alert, and how an alert is written as a Server-Sent Event. No I/O here."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any
from urllib.parse import quote

from services.common.events import ALERT_TEMPLATES
from services.common.i18n import LocaleCode, translate
from services.common.pagination import MAX_CURSOR
from services.common.security import Principal

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


def visible_to(alert: AlertView, principal: Principal) -> bool:
    """An alert reaches only its recipient, in the recipient's own regency."""
    recipient = principal.employee_id or (principal.user_id if principal.is_kepala_daerah else None)
    return (
        principal.tenant is not None
        and recipient is not None
        and alert.tenant == principal.tenant
        and alert.recipient_id == recipient
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
