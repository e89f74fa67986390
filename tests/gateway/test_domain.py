"""The gateway's pure rules: routing, forwarded headers, who sees which alert, SSE form."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network

import pytest

from services.common.events import ALERT_TEMPLATES
from services.common.i18n import catalog
from services.common.security import Principal, Role
from services.gateway import domain
from services.gateway.live import AlertHub

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("skp/team", "/api/v1/skp/team"),
        ("skp/", "/api/v1/skp/"),
        ("public/bantul/surveys/a-b_c", "/api/v1/public/bantul/surveys/a-b_c"),
        ("units/a?b#c", "/api/v1/units/a%3Fb%23c"),  # a decoded "?" stays in the segment
        ("../metrics", None),
        ("skp/../../metrics", None),
        ("skp/..", None),
        ("./skp", None),
        ("/skp", None),
        ("skp//team", None),
        ("skp\\..\\x", None),
        ("", None),
    ],
)
def test_upstream_path_stays_under_api_v1(path: str, expected: str | None) -> None:
    assert domain.upstream_path(path) == expected


def test_forwarded_headers_name_the_browser_and_drop_the_rest() -> None:
    incoming = {
        "Authorization": "Bearer abc",
        "Content-Type": "application/json",
        "Cookie": "secret=1",
        "Host": "gateway",
        "X-Forwarded-For": "6.6.6.6",
    }
    headers = domain.forward_headers(incoming, "10.1.2.3")
    assert headers == {
        "authorization": "Bearer abc",
        "content-type": "application/json",
        "x-forwarded-for": "10.1.2.3",  # a citizen cannot choose the address counted
    }


def test_response_headers_and_status() -> None:
    upstream = {"Content-Type": "image/png", "Retry-After": "7", "Set-Cookie": "x", "Server": "u"}
    assert domain.response_headers(upstream) == {"content-type": "image/png", "retry-after": "7"}
    assert [domain.gateway_status(s) for s in (200, 204, 404, 429, 500, 503)] == [
        200,
        204,
        404,
        429,
        502,
        502,
    ]
    assert "tidak dapat dihubungi" in domain.unavailable_detail("targets")
    assert "(targets)" in domain.unavailable_detail("targets")


def principal(tenant: str | None, employee_id: str | None) -> Principal:
    return Principal(
        user_id="u",
        tenant=tenant,
        roles=frozenset({Role.PEGAWAI, Role.ATASAN}),
        employee_id=employee_id,
        token_id="t",
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
    )


def alert(tenant: str = "bantul", recipient: str = "e1") -> domain.AlertView:
    return domain.AlertView(
        seq=7,
        tenant=tenant,
        recipient_id=recipient,
        alert_id="a1",
        action="raised",
        kind="silent",
        subject_id="e2",
        message="Tidak ada kegiatan 5 hari kerja",
        occurred_at="2026-03-02T01:00:00+00:00",
    )


def test_an_alert_reaches_only_its_recipient_in_its_own_regency() -> None:
    assert domain.visible_to(alert(), principal("bantul", "e1"))
    assert not domain.visible_to(alert(), principal("sleman", "e1"))  # same id, other regency
    assert not domain.visible_to(alert(), principal("bantul", "e2"))
    assert not domain.visible_to(alert(), principal("bantul", None))
    assert not domain.visible_to(alert(), principal(None, "e1"))


def test_sse_fields_carry_the_seq_as_event_id() -> None:
    fields = domain.sse_fields(alert())
    assert fields["id"] == "7" and fields["event"] == "alert"
    data = json.loads(fields["data"])
    assert data["message"] == "Tidak ada kegiatan 5 hari kerja"
    assert data["action"] == "raised" and data["seq"] == 7
    assert "tenant" not in data and "recipient_id" not in data


@pytest.mark.parametrize(
    ("header", "query", "expected"),
    [
        (None, None, None),
        ("12", None, 12),
        (None, "5", 5),
        ("12", "5", 12),
        ("x", "3", 3),
        ("-1", None, None),
    ],
)
def test_last_event_id(header: str | None, query: str | None, expected: int | None) -> None:
    assert domain.last_event_id(header, query) == expected


async def test_hub_wakes_only_the_streams_of_the_key() -> None:
    hub = AlertHub()
    with hub.subscribe(("bantul", "e1")) as mine, hub.subscribe(("sleman", "e1")) as theirs:
        assert hub.listeners(("bantul", "e1")) == 1
        info: dict[str, object] = {}
        AlertHub.mark(info, ("bantul", "e1"))
        hub.notify(info["gateway_alert_keys"])  # type: ignore[arg-type]
        assert mine.is_set() and not theirs.is_set()
    assert hub.listeners(("bantul", "e1")) == 0


def test_internal_paths_only_for_a_direct_caller_from_an_allowed_network() -> None:
    allowed = [IPv4Network("127.0.0.0/8"), IPv4Network("10.5.0.0/16")]
    assert domain.internal_caller("127.0.0.1", False, allowed)
    assert domain.internal_caller("10.5.3.4", False, allowed)
    assert not domain.internal_caller("10.6.0.1", False, allowed)
    assert not domain.internal_caller("127.0.0.1", True, allowed)  # relayed by a proxy
    assert not domain.internal_caller(None, False, allowed)
    assert not domain.internal_caller("testclient", False, allowed)
    assert {"/metrics", "/docs", "/openapi.json", "/redoc"} <= domain.INTERNAL_PATHS


def test_an_alert_reads_in_the_readers_language_from_its_params() -> None:
    params = {"status": "in_progress", "about": "unit Dinas Kependudukan"}
    assert domain.alert_message("complaint", params, "stored", "id") == (
        "Sebuah pengaduan (Sedang ditindaklanjuti) menyebut unit Dinas Kependudukan."
    )
    assert domain.alert_message("complaint", params, "stored", "en") == (
        "A complaint (Being followed up) names unit Dinas Kependudukan."
    )
    ikm = {"unit": "Dukcapil", "ikm": 61.5, "category": "C", "responses": 30}
    assert domain.alert_message("satisfaction", ikm, "", "id") == (
        "IKM Dukcapil sebesar 61.50 (kategori C) dari 30 responden."
    )
    # Alerts stored before params existed keep their text.
    assert domain.alert_message("silent", None, "Budi has logged nothing", "id") == (
        "Budi has logged nothing"
    )


def test_every_alert_template_has_an_indonesian_translation() -> None:
    indonesian = catalog("id")
    assert not [t for t in ALERT_TEMPLATES.values() if t not in indonesian]
