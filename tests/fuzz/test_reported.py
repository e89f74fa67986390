"""The answers fuzzing found wrong (issue 11), each asked for directly, on every service."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fuzz.conftest import FuzzStack

pytestmark = pytest.mark.fuzz

HUGE = str(2**64)  # SQLite cannot bind it: OverflowError, a 500, before the fix

LISTS = [
    ("identity", "/api/v1/tenants"),
    ("identity", "/api/v1/units"),
    ("identity", "/api/v1/employees"),
    ("targets", "/api/v1/skp"),
    ("targets", "/api/v1/skp/team"),
    ("targets", "/api/v1/activities"),
    ("assessment", "/api/v1/assessments"),
    ("assessment", "/api/v1/peer-requests"),
    ("assessment", "/api/v1/objections"),
    ("assessment", "/api/v1/feedback-notes"),
    ("feedback", "/api/v1/complaints"),
    ("scoring", "/api/v1/scores/team"),
]


@pytest.fixture(scope="module")
def http(fuzz_stack: FuzzStack) -> Iterator[httpx.Client]:
    with httpx.Client(headers=fuzz_stack.headers, timeout=30) as client:
        yield client


def url(stack: FuzzStack, service: str, path: str) -> str:
    return stack.urls[service] + path


@pytest.mark.parametrize(("service", "path"), LISTS)
def test_every_list_bounds_its_page(
    http: httpx.Client, fuzz_stack: FuzzStack, service: str, path: str
) -> None:
    where = url(fuzz_stack, service, path)
    assert http.get(where).status_code == 200
    for params in ({"offset": HUGE}, {"limit": HUGE}, {"offset": "1000001"}, {"limit": "501"}):
        response = http.get(where, params=params)
        assert response.status_code == 422, (params, response.text)
        assert "less than or equal" in response.text
    page = http.get(where, params={"offset": "1000000", "limit": "500"}).json()
    assert page["items"] == [] and page["offset"] == 1_000_000


def test_alert_cursor_is_bounded(http: httpx.Client, fuzz_stack: FuzzStack) -> None:
    where = url(fuzz_stack, "scoring", "/api/v1/scores/alerts")
    assert http.get(where, params={"since": HUGE}).status_code == 422
    assert http.get(where, params={"since": str(2**63 - 1)}).json()["items"] == []


def test_every_moment_is_answered_in_utc(http: httpx.Client, fuzz_stack: FuzzStack) -> None:
    tenant = http.get(url(fuzz_stack, "identity", "/api/v1/tenant")).json()
    employees = http.get(url(fuzz_stack, "identity", "/api/v1/employees")).json()["items"]
    skps = http.get(url(fuzz_stack, "targets", "/api/v1/skp")).json()["items"]
    moments = [tenant["created_at"], *(e["created_at"] for e in employees)]
    moments += [s["updated_at"] for s in skps]
    assert moments and all(m.endswith(("+00:00", "Z")) for m in moments), moments


def test_settings_take_integers_only(http: httpx.Client, fuzz_stack: FuzzStack) -> None:
    where = url(fuzz_stack, "identity", "/api/v1/tenant/settings")
    for wrong in (False, "7", 7.5):
        response = http.patch(where, json={"activity_edit_window_days": wrong})
        assert response.status_code == 422, (wrong, response.text)
    huge = http.patch(where, json={"min_survey_sample": 2**70})  # no 64-bit int for Kafka
    assert huge.status_code == 400 and "less than or equal" in huge.text, huge.text
    changed = http.patch(where, json={"activity_edit_window_days": 7})
    assert changed.status_code == 200
    assert changed.json()["settings"]["activity_edit_window_days"] == 7


@pytest.mark.parametrize("what", ["units", "employees"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_an_import_without_a_file_is_refused(
    http: httpx.Client, fuzz_stack: FuzzStack, what: str, dry_run: bool
) -> None:
    params = {"dry_run": "true"} if dry_run else {}
    where = url(fuzz_stack, "identity", f"/api/v1/import/{what}")
    response = http.post(where, params=params)
    assert response.status_code == 400, response.text
    assert "empty" in response.json()["detail"][0]["reason"]


def test_activity_dates_must_be_dates(http: httpx.Client, fuzz_stack: FuzzStack) -> None:
    where = url(fuzz_stack, "targets", "/api/v1/activities")
    for wrong in ("0", "2026-01-01T00:00:00", "not a date", "2026-02-30"):
        response = http.get(where, params={"date_to": wrong})
        assert response.status_code == 422, (wrong, response.text)
    assert http.get(where, params={"date_to": "2026-01-31"}).status_code == 200
    summary = url(fuzz_stack, "feedback", f"/api/v1/units/{fuzz_stack.unit_id}/survey-summary")
    assert http.get(summary, params={"from": "0"}).status_code == 422
    assert http.get(summary, params={"from": "2026-01-01"}).status_code == 200


@pytest.mark.parametrize(
    ("service", "path", "allow"),
    [
        ("identity", "/api/v1/tenants", "GET, POST"),
        ("identity", "/api/v1/units/x", "GET, PATCH"),
        ("targets", "/api/v1/skp/copy", "POST"),
        ("targets", "/api/v1/skp/x", "GET, PUT"),
        ("gateway", "/api/gateway/alerts", "GET"),
    ],
)
def test_405_lists_every_method_of_the_resource(
    http: httpx.Client, fuzz_stack: FuzzStack, service: str, path: str, allow: str
) -> None:
    response = http.request("OPTIONS", url(fuzz_stack, service, path))
    assert response.status_code == 405
    assert response.headers["allow"] == allow


def test_an_unparsable_body_is_a_documented_400(http: httpx.Client, fuzz_stack: FuzzStack) -> None:
    path = "/api/v1/employees/{employee_id}/deactivate"
    where = url(fuzz_stack, "identity", path.format(employee_id="x"))
    response = http.post(where, content=b"\xff{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    document = http.get(url(fuzz_stack, "identity", "/openapi.json")).json()
    assert "400" in document["paths"][path]["post"]["responses"]


def test_version_and_revision_numbers_are_bounded(
    http: httpx.Client, fuzz_stack: FuzzStack
) -> None:
    skp = url(fuzz_stack, "targets", f"/api/v1/skp/{fuzz_stack.skp_id}/versions")
    assert http.get(f"{skp}/1").status_code == 200
    version = f"{skp}/{HUGE}"
    assert http.get(version).status_code == 422
    deleted = url(fuzz_stack, "targets", "/api/v1/activities/x")
    assert http.delete(deleted, params={"revision": HUGE}).status_code == 422
