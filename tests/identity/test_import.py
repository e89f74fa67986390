"""CSV import of units and employees: dry run, all-or-nothing apply, events on Kafka."""

from __future__ import annotations

import pytest

from services.common.events import EmployeeRegistered, UnitCreated
from services.identity.models import Employee, Unit, UserAccount
from tests.identity.conftest import Identity, nip
from tests.identity.helpers import UNITS_CSV, post_csv

pytestmark = pytest.mark.kafka


def employees_csv(count: int, *, bad_index: int | None = None) -> str:
    """``count`` employees; i reports to i // 10, written so supervisors come after their
    reports (forward references). Row ``bad_index`` gets an impossible birth date."""
    lines = ["nip,name,position,unit,supervisor_nip"]
    for i in reversed(range(count)):
        number = nip(i, birth="19850230") if i == bad_index else nip(i)
        supervisor = nip(i // 10) if i else ""
        lines.append(f"{number},Pegawai {i},Staf,LOKET-SEWON,{supervisor}")
    return "\n".join(lines) + "\n"


async def test_thousand_rows_with_one_bad_row_write_nothing(identity: Identity) -> None:
    await identity.tenant("bantul")
    status, report = await post_csv(identity, "units", UNITS_CSV, multipart=True)
    assert status == 200, report
    assert report == {"dry_run": False, "rows": 3, "created": 3, "errors": []}
    staged = await identity.staged_types()

    # Row of employee 500 is the 500th data row, line 501 of the file.
    bad = employees_csv(1000, bad_index=500)
    status, report = await post_csv(identity, "employees", bad, dry_run=True)
    assert status == 200
    assert report["rows"] == 1000 and report["created"] == 0  # type: ignore[index]
    assert [e["line"] for e in report["errors"]] == [501]  # type: ignore[index]
    assert "birth date" in report["errors"][0]["reason"]  # type: ignore[index]

    status, report = await post_csv(identity, "employees", bad)
    assert status == 400
    assert [p["line"] for p in report["detail"]] == [501]  # type: ignore[index]
    assert "birth date" in report["detail"][0]["reason"]  # type: ignore[index]
    assert report["reason"] == {  # type: ignore[index]
        "message": "{count} line(s) of the file are wrong: nothing was imported",
        "params": {"count": 1},
    }
    assert await identity.count(Employee) == 0
    assert await identity.count(UserAccount, tenant="bantul") == 0
    assert await identity.staged_types() == staged

    status, report = await post_csv(identity, "employees", employees_csv(1000))
    assert status == 200, report
    assert report["created"] == 1000  # type: ignore[index]
    assert await identity.count(Employee, tenant="bantul", active=True) == 1000
    assert await identity.count(UserAccount, tenant="bantul", must_change_password=True) == 1000

    events = await identity.published(expected=1 + 3 + 1000)
    units = {e.payload.unit_id: e.payload for e in events if isinstance(e.payload, UnitCreated)}
    employees = {
        e.payload.nip: e.payload for e in events if isinstance(e.payload, EmployeeRegistered)
    }
    assert len(units) == 3 and len(employees) == 1000
    by_name = {unit.name: uid for uid, unit in units.items()}
    loket = by_name["Loket Pelayanan Sewon"]
    assert units[loket].parent_id == by_name["Kecamatan Sewon"] and units[loket].serves_public
    assert employees[nip(0)].supervisor_id is None
    assert employees[nip(999)].supervisor_id == employees[nip(99)].employee_id
    assert employees[nip(10)].supervisor_id == employees[nip(1)].employee_id
    assert {e.unit_id for e in employees.values()} == {loket}


async def test_bad_files_are_reported_row_by_row(identity: Identity) -> None:
    await identity.tenant("bantul")
    bad_units = (
        "code,name,kind,parent\n"
        "A,Unit A,dinas,B\n"
        "B,Unit B,dinas,A\n"
        "C,Unit C,ministry,\n"
        "D,Unit D,dinas,NOWHERE\n"
    )
    status, report = await post_csv(identity, "units", bad_units, dry_run=True)
    assert status == 200
    reasons = {e["line"]: e["reason"] for e in report["errors"]}  # type: ignore[index]
    assert sorted(reasons) == [2, 3, 4, 5]
    assert "cycle" in reasons[2] and "ministry" in reasons[4] and "NOWHERE" in reasons[5]
    status, report = await post_csv(identity, "units", bad_units)
    assert status == 400 and len(report["detail"]) == 4  # type: ignore[index]
    assert await identity.count(Unit) == 0

    for text, reason in (
        ("kode,nama\nA,B\n", "missing column(s): code, name, kind"),
        ("", "empty"),
    ):
        status, report = await post_csv(identity, "units", text)
        assert status == 400 and reason in report["detail"][0]["reason"]  # type: ignore[index]
    response = await identity.client.post(
        "/api/v1/import/units",
        headers={**identity.admin("bantul"), "Content-Type": "text/csv"},
        content="code,name,kind\nA,Dinas \xe9,dinas\n".encode("latin-1"),
    )
    assert response.status_code == 400 and "UTF-8" in response.json()["detail"]
    assert await identity.count(Unit) == 0
    assert await identity.staged_types() == ["tenant.registered"]

    # Semicolons (as spreadsheets in Indonesia export them) and an initial password.
    await post_csv(identity, "units", "code;name;kind\nDINSOS;Dinas Sosial;dinas\n")
    text = (
        "NIP;Name;Position;Unit;Supervisor_NIP;Password\n"
        f"{nip(1)};Budi;Kepala Dinas;DINSOS;;sandi-awal-budi\n"
        f"{nip(2)};Sari;Analis;DINSOS;{nip(1)};\n"
    )
    status, report = await post_csv(identity, "employees", text, multipart=True)
    assert status == 200 and report["created"] == 2, report  # type: ignore[index]
    login = await identity.client.post(
        "/api/v1/auth/login",
        json={"tenant": "bantul", "username": nip(1), "password": "sandi-awal-budi"},
    )
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    no_password = await identity.client.post(
        "/api/v1/auth/login", json={"tenant": "bantul", "username": nip(2), "password": ""}
    )
    assert no_password.status_code == 401
    # Importing the same NIPs again names each row that clashes.
    status, report = await post_csv(identity, "employees", text, dry_run=True)
    assert [e["line"] for e in report["errors"]] == [2, 3]  # type: ignore[index]
    assert "already registered" in report["errors"][0]["reason"]  # type: ignore[index]
