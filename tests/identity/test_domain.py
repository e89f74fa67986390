"""Identity's pure rules: NIP, trees, roles, passwords, CSV import plans."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.security import Role
from services.identity import csv_plans, domain
from services.identity.csv_plans import CsvRow, EmployeeSnapshot, UnitSnapshot
from services.identity.domain import (
    creates_cycle,
    nip_problem,
    nodes_in_cycles,
    parent_unit_problem,
    parse_nip,
    supervisor_problem,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 5, 20)


def test_valid_nip_is_split_into_its_parts() -> None:
    nip = parse_nip("198503152010011001", today=TODAY)
    assert nip.birth_date == date(1985, 3, 15)
    assert (nip.appointment_year, nip.appointment_month) == (2010, 1)
    assert nip.sex == 1
    assert nip.sequence == 1


@pytest.mark.parametrize(
    ("nip", "reason"),
    [
        ("19850315201001100", "exactly 18 digits"),  # 17 digits
        ("1985031520100110012", "exactly 18 digits"),  # 19 digits
        ("19850315201001100a", "exactly 18 digits"),
        ("".join(chr(0xFF10 + int(c)) for c in "198503152010011001"), "exactly 18 digits"),
        ("198502302010011001", "not a real birth date"),  # 30 February
        ("198513012010011001", "not a real birth date"),  # month 13
        ("198503152010131001", "not a real appointment month"),
        ("198503152010001001", "not a real appointment month"),
        ("198503152003021001", "before the 18th birthday"),  # 2003-02 < 2003-03
        ("198503152026061001", "in the future"),  # appointment after 2026-05
        ("202703152010011001", "in the future"),  # birth date after today
        ("198503152010013001", "sex"),
        ("198503152010010001", "sex"),
    ],
)
def test_bad_nip_is_refused_with_its_reason(nip: str, reason: str) -> None:
    problem = nip_problem(nip, today=TODAY)
    assert problem is not None
    assert reason in problem.text()


def test_nip_boundaries_are_accepted() -> None:
    assert nip_problem("198503152003031001", today=TODAY) is None  # the 18th birthday's month
    assert nip_problem("198503152026052999", today=TODAY) is None  # this month, sex 2
    assert nip_problem("200002292020011001", today=TODAY) is None  # a leap day


def test_cycles_in_a_tree() -> None:
    parent_of = {"a": None, "b": "a", "c": "b"}
    assert creates_cycle("a", "c", parent_of)
    assert creates_cycle("a", "a", parent_of)
    assert not creates_cycle("c", "a", parent_of)
    assert not creates_cycle("d", "c", parent_of)
    assert nodes_in_cycles({"a": "b", "b": "c", "c": "a", "d": "a", "e": None}) == {"a", "b", "c"}
    assert nodes_in_cycles({"a": "a"}) == {"a"}
    assert nodes_in_cycles({"a": "x", "b": "a"}) == set()


def test_supervisor_rules() -> None:
    supervisor_of = {"boss": None, "mid": "boss", "staff": "mid", "gone": None}
    active = {"boss", "mid", "staff"}

    def problem(employee: str, supervisor: str | None) -> str | None:
        found = supervisor_problem(employee, supervisor, supervisor_of=supervisor_of, active=active)
        return found.text() if found else None

    assert problem("staff", "boss") is None
    assert problem("new", "staff") is None
    assert problem("staff", None) is None
    assert "own supervisor" in (problem("mid", "mid") or "")
    assert "cycle" in (problem("boss", "staff") or "")
    assert "not an employee of this regency" in (problem("staff", "other-tenant-id") or "")
    assert "deactivated" in (problem("staff", "gone") or "")


def test_parent_unit_rules() -> None:
    parent_of = {"pemkab": None, "dinas": "pemkab", "bidang": "dinas"}

    def problem(unit: str, parent: str) -> str | None:
        found = parent_unit_problem(unit, parent, parent_of=parent_of)
        return found.text() if found else None

    assert problem("bidang", "pemkab") is None
    assert "own parent" in (problem("dinas", "dinas") or "")
    assert "cycle" in (problem("pemkab", "bidang") or "")
    assert "not a unit" in (problem("dinas", "elsewhere") or "")


def test_token_roles_add_atasan_only_for_employees_with_reports() -> None:
    assert domain.token_roles([Role.PEGAWAI], has_direct_reports=True) == {
        Role.PEGAWAI,
        Role.ATASAN,
    }
    assert domain.token_roles([Role.PEGAWAI], has_direct_reports=False) == {Role.PEGAWAI}
    assert domain.token_roles([Role.ADMIN], has_direct_reports=True) == {Role.ADMIN}


def test_password_rules() -> None:
    assert domain.password_problem("short", username="x") is not None
    assert domain.password_problem("198503152010011001", username="198503152010011001")
    assert domain.password_problem("aaaaaaaaaa", username="x") is not None
    assert domain.password_problem("rahasia-bantul-1", username="x") is None


def test_read_csv_counts_lines_like_a_spreadsheet() -> None:
    text = '\ufeffCode;Name;Kind\nA;Dinas A;dinas\n\n"B";"Dinas\nB";dinas\nC;only two\n'
    rows, problems = csv_plans.read_csv(
        text, required=("code", "name", "kind"), optional=("parent",)
    )
    assert [(r.line, r.values["code"], r.values["parent"]) for r in rows] == [
        (2, "A", ""),
        (4, "B", ""),
    ]
    assert [(p.line, p.text()) for p in problems] == [(6, "2 fields, the header has 3")]


def test_read_csv_refuses_a_bad_header() -> None:
    _, problems = csv_plans.read_csv("code,nama\n", required=("code", "name"))
    assert [p.line for p in problems] == [1, 1]
    assert "missing column(s): name" in problems[0].text()
    assert "unknown column(s): nama" in problems[1].text()
    assert csv_plans.read_csv("", required=("code",))[1][0].line == 1


def rows(*records: dict[str, str]) -> list[CsvRow]:
    return [CsvRow(line, values) for line, values in enumerate(records, start=2)]


def unit_row(code: str, parent: str = "", kind: str = "dinas", flag: str = "") -> dict[str, str]:
    return {
        "code": code,
        "name": f"Unit {code}",
        "kind": kind,
        "parent": parent,
        "serves_public": flag,
    }


def test_unit_import_resolves_parents_in_any_order() -> None:
    existing = UnitSnapshot(by_code={"PEMKAB": "u-root"}, parent_of={"u-root": None})
    planned, problems = csv_plans.plan_unit_import(
        rows(unit_row("KEC-1", parent="DINAS"), unit_row("DINAS", parent="PEMKAB", flag="ya")),
        existing,
    )
    assert problems == []
    by_code = {u.code: u for u in planned}
    assert by_code["KEC-1"].parent_id == by_code["DINAS"].id
    assert by_code["DINAS"].parent_id == "u-root"
    assert by_code["DINAS"].serves_public is True


def test_unit_import_reports_every_bad_row() -> None:
    existing = UnitSnapshot(by_code={"PEMKAB": "u-root"}, parent_of={"u-root": None})
    planned, problems = csv_plans.plan_unit_import(
        rows(
            unit_row("A", parent="B"),
            unit_row("B", parent="A"),
            unit_row("PEMKAB"),
            unit_row("C", kind="ministry"),
            unit_row("D", parent="nowhere"),
            unit_row("E", flag="maybe"),
            unit_row("E"),
        ),
        existing,
    )
    assert planned == []
    reasons = {p.line: p.text() for p in problems}
    assert "cycle" in reasons[2] and "cycle" in reasons[3]
    assert "already names a unit" in reasons[4]
    assert "kind 'ministry'" in reasons[5]
    assert "parent 'nowhere'" in reasons[6]
    assert "serves_public" in reasons[7]
    assert "appears twice (first on line 7)" in reasons[8]


def nip(i: int) -> str:
    return f"198503152010011{i:03d}"


def employee_row(i: int, supervisor: str = "", unit: str = "DINAS") -> dict[str, str]:
    return {
        "nip": nip(i),
        "name": f"Pegawai {i}",
        "position": "Analis",
        "unit": unit,
        "supervisor_nip": supervisor,
        "password": "",
    }


EXISTING = EmployeeSnapshot(
    by_nip={nip(900): "e-boss", nip(901): "e-gone"},
    active={"e-boss"},
    unit_by_code={"DINAS": "u-dinas"},
    unit_ids={"u-dinas"},
)


def test_employee_import_resolves_supervisors_defined_later() -> None:
    planned, problems = csv_plans.plan_employee_import(
        rows(employee_row(2, supervisor=nip(1)), employee_row(1, supervisor=nip(900))),
        EXISTING,
        today=TODAY,
    )
    assert problems == []
    by_nip = {e.nip: e for e in planned}
    assert by_nip[nip(2)].supervisor_id == by_nip[nip(1)].id
    assert by_nip[nip(1)].supervisor_id == "e-boss"
    assert by_nip[nip(1)].unit_id == "u-dinas"


def test_employee_import_reports_every_bad_row() -> None:
    bad_password = {**employee_row(7), "password": "short"}
    planned, problems = csv_plans.plan_employee_import(
        rows(
            employee_row(1, supervisor=nip(2)),
            employee_row(2, supervisor=nip(1)),
            {**employee_row(3), "nip": "123"},
            employee_row(900),
            employee_row(4, unit="ELSEWHERE"),
            employee_row(5, supervisor=nip(901)),
            employee_row(6, supervisor=nip(555)),
            bad_password,
            employee_row(8, supervisor=nip(8)),
            employee_row(1),
        ),
        EXISTING,
        today=TODAY,
    )
    assert planned == []
    reasons = {p.line: p.text() for p in problems}
    assert "cycle" in reasons[2] and "cycle" in reasons[3]
    assert "exactly 18 digits" in reasons[4]
    assert "already registered" in reasons[5]
    assert "unit 'ELSEWHERE'" in reasons[6]
    assert "deactivated" in reasons[7]
    assert "not an employee of this regency" in reasons[8]
    assert "at least 8 characters" in reasons[9]
    assert "own supervisor" in reasons[10]
    assert "appears twice (first on line 2)" in reasons[11]
