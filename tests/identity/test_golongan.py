"""Pangkat/golongan on the employee record: set, read, refused with a reason, imported
from CSV, carried by the events (and old events without it still accepted)."""

from __future__ import annotations

import pytest

from services.common.events import EmployeeRegistered, EmployeeUpdated
from services.common.ranks import GOLONGAN_CODES, golongan_of, pangkat_golongan
from tests.identity.conftest import Identity, nip
from tests.identity.helpers import post_csv

pytestmark = pytest.mark.kafka


async def test_golongan_is_set_read_refused_and_published(identity: Identity) -> None:
    await identity.tenant("bantul")
    admin = identity.admin("bantul")
    dinas = await identity.unit("bantul", "Dinas Kependudukan", code="DISDUK")
    boss = await identity.employee("bantul", 1, dinas, golongan="IV/a")
    read = await identity.ok("GET", f"/api/v1/employees/{boss}", admin)
    assert (read["golongan"], read["pangkat"]) == ("IV/a", "Pembina")

    bad = await identity.client.patch(
        f"/api/v1/employees/{boss}",
        headers={**admin, "Accept-Language": "id"},
        json={"golongan": "V/z"},
    )
    assert bad.status_code == 422
    item = bad.json()["detail"][0]
    assert item["loc"][-1] == "golongan" and "III/a" in item["msg"]

    changed = await identity.ok(
        "PATCH", f"/api/v1/employees/{boss}", admin, json={"golongan": "IV/b"}
    )
    assert changed["pangkat"] == "Pembina Tingkat I"
    cleared = await identity.ok(
        "PATCH", f"/api/v1/employees/{boss}", admin, json={"golongan": None}
    )
    assert cleared["golongan"] is None and cleared["pangkat"] is None

    events = await identity.published(expected=5)
    golongan = [
        e.payload.golongan
        for e in events
        if isinstance(e.payload, EmployeeRegistered | EmployeeUpdated)
    ]
    assert golongan == ["IV/a", "IV/b", None]


async def test_csv_import_reads_golongan_and_reports_a_bad_one(identity: Identity) -> None:
    await identity.tenant("bantul")
    await identity.unit("bantul", "Loket Sewon", code="LOKET-SEWON")
    bad = (
        "nip,name,position,unit,golongan\n"
        f"{nip(1)},Ani,Staf,LOKET-SEWON,iii/a\n"
        f"{nip(2)},Budi,Staf,LOKET-SEWON,III/x\n"
    )
    status, report = await post_csv(identity, "employees", bad, dry_run=True)
    assert status == 200, report
    assert isinstance(report, dict)
    problems = report["errors"]
    assert [p["line"] for p in problems] == [3]
    assert "III/x" in str(problems[0])

    good = f"nip,name,position,unit,golongan\n{nip(1)},Ani,Staf,LOKET-SEWON, iii/a \n"
    status, report = await post_csv(identity, "employees", good)
    assert status == 200, report
    page = await identity.ok("GET", "/api/v1/employees", identity.admin("bantul"))
    assert [(e["name"], e["golongan"], e["pangkat"]) for e in page["items"]] == [
        ("Ani", "III/a", "Penata Muda")
    ]


def test_an_event_written_before_golongan_is_still_accepted() -> None:
    old = {
        "employee_id": "e1",
        "nip": nip(1),
        "name": "Ani",
        "position": "Staf",
        "unit_id": "u1",
    }
    assert EmployeeRegistered.model_validate(old).golongan is None


@pytest.mark.unit
def test_ranks_table() -> None:
    assert len(GOLONGAN_CODES) == 17
    assert golongan_of("iii / a") == "III/a"
    assert golongan_of("IV-e") == "IV/e"
    assert golongan_of("V/a") is None and golongan_of("III") is None
    assert pangkat_golongan("III/a") == "Penata Muda, III/a"
    assert pangkat_golongan(None) == "-"
