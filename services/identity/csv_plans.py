"""Identity's CSV import plans, pure: the rows of a file checked against a snapshot of the
regency (existing NIPs, unit codes, who supervises whom), giving either every row to write
or every line's problems. No I/O here; the service layer loads the snapshot and writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date

from services.common.clock import new_id
from services.common.events import NAME_MAX, Holiday, HolidayKind, UnitKind
from services.common.ranks import golongan_of
from services.common.refusals import Reason
from services.identity.domain import (
    holiday_problems,
    nip_problem,
    nodes_in_cycles,
    password_problem,
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one line of an imported file (one or more reasons)."""

    line: int
    reasons: tuple[Reason, ...]

    def text(self, locale: str = "en") -> str:
        return "; ".join(reason.text(locale) for reason in self.reasons)


def problem(line: int, *reasons: Reason) -> Problem:
    return Problem(line, reasons)


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


def read_csv(
    text: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[CsvRow], list[Problem]]:
    """Rows of a CSV file with a header line (comma or semicolon separated, BOM allowed).

    Column names are matched case-insensitively; blank lines are skipped. Line numbers
    count the header as line 1, as a spreadsheet shows them.
    """
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], [problem(1, Reason("the file is empty: a header line is required"))]
    problems: list[Problem] = []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    if missing:
        problems.append(
            problem(1, Reason("missing column(s): {columns}", columns=", ".join(missing)))
        )
    if unknown:
        problems.append(
            problem(1, Reason("unknown column(s): {columns}", columns=", ".join(unknown)))
        )
    if len(set(header)) != len(header):
        problems.append(problem(1, Reason("a column is named twice")))
    if problems:
        return [], problems
    rows: list[CsvRow] = []
    start = reader.line_num + 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                problem(
                    line,
                    Reason(
                        "{count} fields, the header has {expected}",
                        count=len(record),
                        expected=len(header),
                    ),
                )
            )
            continue
        values = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        for name in optional:
            values.setdefault(name, "")
        rows.append(CsvRow(line, values))
    return rows, problems


_TRUE = {"1", "true", "yes", "y", "ya"}
_FALSE = {"", "0", "false", "no", "n", "tidak"}


def parse_flag(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


@dataclass(frozen=True)
class PlannedUnit:
    line: int
    id: str
    code: str
    name: str
    kind: UnitKind
    parent_id: str | None
    serves_public: bool


@dataclass(frozen=True)
class UnitSnapshot:
    """The tenant's units before the import."""

    by_code: Mapping[str, str] = field(default_factory=dict)  # code -> id
    parent_of: Mapping[str, str | None] = field(default_factory=dict)  # id -> parent id


UNIT_COLUMNS = ("code", "name", "kind")
UNIT_OPTIONAL = ("parent", "serves_public")


def plan_unit_import(
    rows: list[CsvRow], existing: UnitSnapshot
) -> tuple[list[PlannedUnit], list[Problem]]:
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for row in rows:
        code = row.values["code"]
        if code and code not in first_line:
            first_line[code] = row.line
    new_ids = {code: new_id() for code in first_line}
    planned: list[PlannedUnit] = []
    for row in rows:
        v, reasons = row.values, list[Reason]()
        code = v["code"]
        if not code or len(code) > 40:
            reasons.append(Reason("code is required (at most {count} characters)", count=40))
        elif first_line[code] != row.line:
            reasons.append(
                Reason(
                    "code {code} appears twice (first on line {line})",
                    code=repr(code),
                    line=first_line[code],
                )
            )
        elif code in existing.by_code:
            reasons.append(
                Reason("code {code} already names a unit of this regency", code=repr(code))
            )
        if not v["name"] or len(v["name"]) > 200:
            reasons.append(
                Reason(
                    "{column} is required (at most {count} characters)", column="name", count=200
                )
            )
        kind = v["kind"].lower()
        if kind not in set(UnitKind):
            reasons.append(
                Reason(
                    "kind {kind} is not one of {kinds}",
                    kind=repr(v["kind"]),
                    kinds=", ".join(UnitKind),
                )
            )
        parent_ref = v["parent"]
        parent_id = (
            new_ids.get(parent_ref)
            or existing.by_code.get(parent_ref)
            or (parent_ref if parent_ref in existing.parent_of else None)
        )
        if parent_ref and parent_id is None:
            reasons.append(
                Reason(
                    "parent {parent} is not a unit code or id of this regency",
                    parent=repr(parent_ref),
                )
            )
        serves_public = parse_flag(v["serves_public"])
        if serves_public is None:
            reasons.append(
                Reason("serves_public {value} is not true/false", value=repr(v["serves_public"]))
            )
        if reasons:
            problems.append(problem(row.line, *reasons))
            continue
        planned.append(
            PlannedUnit(
                row.line,
                new_ids[code],
                code,
                v["name"],
                UnitKind(kind),
                parent_id,
                bool(serves_public),
            )
        )
    parent_of = {**existing.parent_of, **{u.id: u.parent_id for u in planned}}
    looped = nodes_in_cycles(parent_of)
    for unit in planned:
        if unit.id in looped:
            problems.append(problem(unit.line, Reason("the parent units form a cycle")))
    problems.sort(key=lambda p: p.line)
    return ([] if problems else planned), problems


@dataclass(frozen=True)
class PlannedEmployee:
    line: int
    id: str
    nip: str
    name: str
    position: str
    unit_id: str
    supervisor_id: str | None
    password: str | None
    golongan: str | None = None


@dataclass(frozen=True)
class EmployeeSnapshot:
    """The tenant's employees and units before the import."""

    by_nip: Mapping[str, str] = field(default_factory=dict)  # nip -> id
    active: Container[str] = field(default_factory=set)  # ids of active employees
    unit_by_code: Mapping[str, str] = field(default_factory=dict)
    unit_ids: Container[str] = field(default_factory=set)


EMPLOYEE_COLUMNS = ("nip", "name", "position", "unit")
EMPLOYEE_OPTIONAL = ("supervisor_nip", "password", "golongan")


def plan_employee_import(
    rows: list[CsvRow], existing: EmployeeSnapshot, *, today: date
) -> tuple[list[PlannedEmployee], list[Problem]]:
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for row in rows:
        first_line.setdefault(row.values["nip"], row.line)
    new_ids = {nip: new_id() for nip in first_line}
    planned: list[PlannedEmployee] = []
    for row in rows:
        v, reasons = row.values, list[Reason]()
        nip = v["nip"]
        bad_nip = nip_problem(nip, today=today)
        if bad_nip:
            reasons.append(bad_nip)
        elif first_line[nip] != row.line:
            reasons.append(
                Reason(
                    "NIP {nip} appears twice (first on line {line})", nip=nip, line=first_line[nip]
                )
            )
        elif nip in existing.by_nip:
            reasons.append(Reason("NIP {nip} is already registered in this regency", nip=nip))
        for column in ("name", "position"):
            if not v[column] or len(v[column]) > 200:
                reasons.append(
                    Reason(
                        "{column} is required (at most {count} characters)",
                        column=column,
                        count=200,
                    )
                )
        unit_ref = v["unit"]
        unit_id = existing.unit_by_code.get(unit_ref) or (
            unit_ref if unit_ref in existing.unit_ids else None
        )
        if unit_id is None:
            reasons.append(
                Reason("unit {unit} is not a unit code or id of this regency", unit=repr(unit_ref))
            )
        supervisor_nip = v["supervisor_nip"]
        supervisor_id: str | None = None
        if supervisor_nip:
            if supervisor_nip == nip:
                reasons.append(Reason("an employee cannot be their own supervisor"))
            elif supervisor_nip in new_ids and supervisor_nip not in existing.by_nip:
                supervisor_id = new_ids[supervisor_nip]
            elif supervisor_nip in existing.by_nip:
                supervisor_id = existing.by_nip[supervisor_nip]
                if supervisor_id not in existing.active:
                    reasons.append(Reason("supervisor {id} is deactivated", id=supervisor_nip))
            else:
                reasons.append(
                    Reason(
                        "supervisor NIP {nip} is not an employee of this regency",
                        nip=supervisor_nip,
                    )
                )
        written = v.get("golongan", "")  # an optional column: absent from older files
        golongan = golongan_of(written) if written else None
        if written and golongan is None:
            reasons.append(
                Reason("golongan {value} is not known: use I/a to IV/e", value=repr(written))
            )
        password = v["password"] or None
        if password is not None:
            bad_password = password_problem(password, username=nip)
            if bad_password:
                reasons.append(bad_password)
        if reasons:
            problems.append(problem(row.line, *reasons))
            continue
        assert unit_id is not None
        planned.append(
            PlannedEmployee(
                row.line,
                new_ids[nip],
                nip,
                v["name"],
                v["position"],
                unit_id,
                supervisor_id,
                password,
                golongan,
            )
        )
    # Existing employees keep their supervisors, and none of them reports to a new one:
    # a loop can only run through the new rows.
    looped = nodes_in_cycles({e.id: e.supervisor_id for e in planned})
    for employee in planned:
        if employee.id in looped:
            problems.append(problem(employee.line, Reason("the supervisors form a cycle")))
    problems.sort(key=lambda p: p.line)
    return ([] if problems else planned), problems


# ---------------------------------------------------------------- holidays

HOLIDAY_COLUMNS = ("date", "name")
HOLIDAY_OPTIONAL = ("kind",)
_HOLIDAY_KINDS = {
    "": HolidayKind.LIBUR_NASIONAL,
    "libur_nasional": HolidayKind.LIBUR_NASIONAL,
    "libur nasional": HolidayKind.LIBUR_NASIONAL,
    "nasional": HolidayKind.LIBUR_NASIONAL,
    "cuti_bersama": HolidayKind.CUTI_BERSAMA,
    "cuti bersama": HolidayKind.CUTI_BERSAMA,
}


def parse_day(value: str) -> date | None:
    """ISO (2026-08-17) or as Indonesian spreadsheets write it (17/08/2026)."""
    text = value.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None


def plan_holiday_import(
    rows: list[CsvRow], *, at_most: int
) -> tuple[dict[int, list[Holiday]], list[Problem]]:
    """The calendar of every year the file names (each replaces that year's), or every
    line's problems."""
    problems: list[Problem] = []
    years: dict[int, list[Holiday]] = {}
    for row in rows:
        reasons: list[Reason] = []
        day = parse_day(row.values["date"])
        if day is None:
            reasons.append(
                Reason("{value} is not a date (YYYY-MM-DD or DD/MM/YYYY)", value=row.values["date"])
            )
        name = row.values["name"]
        if not name or len(name) > NAME_MAX:
            reasons.append(
                Reason("a holiday needs a name of at most {max} characters", max=NAME_MAX)
            )
        kind = _HOLIDAY_KINDS.get(row.values["kind"].lower())
        if kind is None:
            reasons.append(
                Reason(
                    "kind is libur_nasional or cuti_bersama, not {value}", value=row.values["kind"]
                )
            )
        if reasons:
            problems.append(problem(row.line, *reasons))
        elif day is not None and kind is not None:
            years.setdefault(day.year, []).append(Holiday(day=day, name=name, kind=kind))
    for year, holidays in sorted(years.items()):
        for reason in holiday_problems(year, [h.day for h in holidays], at_most=at_most):
            problems.append(problem(_line_of(rows, year), reason))
    return ({} if problems else years), problems


def _line_of(rows: list[CsvRow], year: int) -> int:
    """The last line of the year's rows: where a problem with the whole year is reported."""
    return max(
        (r.line for r in rows if (d := parse_day(r.values["date"])) and d.year == year), default=2
    )
