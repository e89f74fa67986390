"""The regency's holiday calendar: kept by the admin per year (by hand or from CSV with a
dry run), read by anyone of the regency, refused with reasons, published as holidays.set."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.events import HolidaysSet
from services.identity.models import HolidayRow
from tests.identity.conftest import Identity

pytestmark = pytest.mark.kafka

YEAR_2026 = {
    "holidays": [
        {"day": "2026-08-17", "name": "Hari Kemerdekaan RI"},
        {"day": "2026-03-20", "name": "Idul Fitri 1447 H"},
        {"day": "2026-03-23", "name": "Cuti bersama Idul Fitri", "kind": "cuti_bersama"},
    ]
}
CSV = """date;name;kind
2027-01-01;Tahun Baru 2027;
25/12/2027;Hari Raya Natal;libur_nasional
26/12/2027;Cuti bersama Natal;cuti bersama
"""


async def test_the_admin_keeps_a_year_and_everyone_of_the_regency_reads_it(
    identity: Identity,
) -> None:
    await identity.tenant("bantul")
    await identity.tenant("sleman")
    admin = identity.admin("bantul")
    unit = await identity.unit("bantul", "Sekretariat Daerah")
    employee = await identity.employee("bantul", 1, unit)
    url = "/api/v1/holidays/2026"

    empty = await identity.ok("GET", url, identity.pegawai("bantul", employee))
    assert empty == {"year": 2026, "holidays": []}
    refused = await identity.client.put(
        url, json=YEAR_2026, headers=identity.pegawai("bantul", employee)
    )
    assert refused.status_code == 403
    saved = await identity.ok("PUT", url, admin, json=YEAR_2026)
    assert [h["day"] for h in saved["holidays"]] == ["2026-03-20", "2026-03-23", "2026-08-17"]
    assert saved["holidays"][1]["kind"] == "cuti_bersama"
    assert saved["holidays"][0]["kind"] == "libur_nasional"
    read = await identity.ok("GET", url, identity.pegawai("bantul", employee))
    assert read == saved
    # Another regency's calendar is its own.
    assert (await identity.ok("GET", url, identity.admin("sleman")))["holidays"] == []

    # Replaced whole: one day fewer.
    fewer = {"holidays": YEAR_2026["holidays"][:2]}
    assert len((await identity.ok("PUT", url, admin, json=fewer))["holidays"]) == 2
    assert await identity.count(HolidayRow, tenant="bantul") == 2

    # Refusals name the problem, in the caller's language; nothing changes.
    outside = {"holidays": [{"day": "2025-12-25", "name": "Natal"}]}
    wrong = await identity.client.put(url, json=outside, headers={**admin, "Accept-Language": "id"})
    assert wrong.status_code == 400 and "2025-12-25 tidak berada di tahun 2026" in wrong.text
    twice = {"holidays": [{"day": "2026-08-17", "name": "A"}, {"day": "2026-08-17", "name": "B"}]}
    again = await identity.client.put(url, json=twice, headers=admin)
    assert again.status_code == 400 and "listed twice: 2026-08-17" in again.text
    bad_kind = {"holidays": [{"day": "2026-08-17", "name": "A", "kind": "libur"}]}
    assert (await identity.client.put(url, json=bad_kind, headers=admin)).status_code == 422
    assert (await identity.client.get("/api/v1/holidays/1850", headers=admin)).status_code == 422
    assert await identity.count(HolidayRow, tenant="bantul") == 2

    # Two tenants, a unit, an employee, then one holidays.set per saved calendar: waiting
    # for one more than that would only run into the reader's timeout.
    published = await identity.published(expected=6)
    assert [e.type for e in published].count("holidays.set") == 2, [e.type for e in published]
    events = [e for e in published if e.type == "holidays.set"]
    assert [e.key for e in events] == ["bantul", "bantul"]
    last = events[-1].payload
    assert isinstance(last, HolidaysSet) and last.year == 2026
    assert [h.day for h in last.holidays] == [date(2026, 3, 20), date(2026, 8, 17)]


async def test_a_holiday_file_is_checked_dry_then_imported_per_year(identity: Identity) -> None:
    await identity.tenant("bantul")
    admin = identity.admin("bantul")
    csv_headers = {**admin, "Content-Type": "text/csv", "Accept-Language": "id"}
    bad = "date,name,kind\n2027-02-30,Salah,\n2027-03-01,,cuti\n"
    dry = await identity.client.post(
        "/api/v1/import/holidays?dry_run=true", content=bad, headers=csv_headers
    )
    assert dry.status_code == 200, dry.text
    errors = dry.json()["errors"]
    assert [e["line"] for e in errors] == [2, 3]
    assert "2027-02-30 bukan tanggal" in errors[0]["reason"]
    assert "bukan cuti" in errors[1]["reason"] and "memerlukan nama" in errors[1]["reason"]
    refused = await identity.client.post(
        "/api/v1/import/holidays", content=bad, headers=csv_headers
    )
    assert refused.status_code == 400
    assert await identity.count(HolidayRow, tenant="bantul") == 0

    checked = await identity.client.post(
        "/api/v1/import/holidays?dry_run=true", content=CSV, headers=csv_headers
    )
    assert checked.json() == {"dry_run": True, "rows": 3, "created": 0, "errors": []}
    assert await identity.count(HolidayRow, tenant="bantul") == 0
    done = await identity.client.post("/api/v1/import/holidays", content=CSV, headers=csv_headers)
    assert done.status_code == 200 and done.json()["created"] == 3
    year = await identity.ok("GET", "/api/v1/holidays/2027", admin)
    assert [(h["day"], h["kind"]) for h in year["holidays"]] == [
        ("2027-01-01", "libur_nasional"),
        ("2027-12-25", "libur_nasional"),
        ("2027-12-26", "cuti_bersama"),
    ]
    events = [e for e in await identity.published(expected=2) if e.type == "holidays.set"]
    assert len(events) == 1 and events[0].payload.year == 2027  # type: ignore[attr-defined]
