"""Identity's rules, pure: NIP, supervisor and unit trees, token roles, CSV import plans.

No I/O here. The service layer loads a snapshot of the tenant (existing NIPs, unit codes,
who supervises whom) and asks these functions what is wrong; each answer is a reason a
person can act on.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from services.common.events import UnitKind
from services.common.security import Role

NIP_LENGTH = 18
MIN_PASSWORD_LENGTH = 8

# ---------------------------------------------------------------- NIP


@dataclass(frozen=True)
class Nip:
    """The parts of a valid NIP."""

    birth_date: date
    appointment_year: int
    appointment_month: int
    sex: int  # 1 male, 2 female
    sequence: int


class NipError(ValueError):
    pass


def parse_nip(nip: str, *, today: date) -> Nip:
    """Split and check an 18-digit NIP: birth date YYYYMMDD, appointment (TMT CPNS) YYYYMM,
    sex digit 1 or 2, 3-digit sequence. Raise :class:`NipError` with the reason."""
    if len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        raise NipError(f"NIP must be exactly {NIP_LENGTH} digits, got {nip!r}")
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NipError(f"NIP digits 1-8 are not a real birth date (YYYYMMDD): {nip[0:8]}") from None
    if birth > today:
        raise NipError(f"NIP birth date {birth.isoformat()} is in the future")
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        raise NipError(f"NIP digits 9-14 are not a real appointment month (YYYYMM): {nip[8:14]}")
    if (year, month) < (birth.year + 18, birth.month):
        raise NipError(
            f"NIP appointment {year:04d}-{month:02d} is before the 18th birthday "
            f"({birth.year + 18:04d}-{birth.month:02d})"
        )
    if (year, month) > (today.year, today.month):
        raise NipError(f"NIP appointment {year:04d}-{month:02d} is in the future")
    sex = int(nip[14])
    if sex not in (1, 2):
        raise NipError(f"NIP digit 15 (sex) must be 1 or 2, got {sex}")
    return Nip(birth, year, month, sex, int(nip[15:18]))


def nip_problem(nip: str, *, today: date) -> str | None:
    try:
        parse_nip(nip, today=today)
    except NipError as exc:
        return str(exc)
    return None


# ---------------------------------------------------------------- trees


def creates_cycle(node: str, new_parent: str | None, parent_of: Mapping[str, str | None]) -> bool:
    """Would giving ``node`` the parent ``new_parent`` close a loop (self included)?"""
    seen: set[str] = set()
    current = new_parent
    while current is not None and current not in seen:
        if current == node:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def nodes_in_cycles(parent_of: Mapping[str, str | None]) -> set[str]:
    """Every node that lies on a loop of ``parent_of`` (one pass, linear)."""
    state: dict[str, int] = {}  # 1 being walked, 2 done
    looped: set[str] = set()
    for start in parent_of:
        path: list[str] = []
        current: str | None = start
        while current is not None and current in parent_of and current not in state:
            state[current] = 1
            path.append(current)
            current = parent_of[current]
        if current is not None and state.get(current) == 1:
            looped.update(path[path.index(current) :])
        for node in path:
            state[node] = 2
    return looped


def supervisor_problem(
    employee_id: str,
    supervisor_id: str | None,
    *,
    supervisor_of: Mapping[str, str | None],
    active: Container[str],
) -> str | None:
    """Why ``supervisor_id`` may not supervise ``employee_id``, or None.

    ``supervisor_of`` maps every employee of the tenant to their supervisor; an id missing
    from it (another tenant's, or none at all) is refused exactly like an unknown one.
    """
    if supervisor_id is None:
        return None
    if supervisor_id == employee_id:
        return "an employee cannot be their own supervisor"
    if supervisor_id not in supervisor_of:
        return f"supervisor {supervisor_id} is not an employee of this regency"
    if supervisor_id not in active:
        return f"supervisor {supervisor_id} is deactivated"
    if creates_cycle(employee_id, supervisor_id, supervisor_of):
        return f"supervisor {supervisor_id} would close a cycle in the supervisor chain"
    return None


def parent_unit_problem(
    unit_id: str, parent_id: str | None, *, parent_of: Mapping[str, str | None]
) -> str | None:
    """Why ``parent_id`` may not be the parent of ``unit_id``, or None."""
    if parent_id is None:
        return None
    if parent_id == unit_id:
        return "a unit cannot be its own parent"
    if parent_id not in parent_of:
        return f"parent unit {parent_id} is not a unit of this regency"
    if creates_cycle(unit_id, parent_id, parent_of):
        return f"parent unit {parent_id} would close a cycle in the unit tree"
    return None


# ---------------------------------------------------------------- accounts


# Duties an admin designates on an employee's account (domain.md "Who uses it"): they
# apply to the unit the employee works in, which must serve the public.
DUTIES = frozenset({Role.PETUGAS_LOKET, Role.PENGELOLA_PENGADUAN})


def duties_problem(duties: Iterable[Role], *, active: bool, unit_serves_public: bool) -> str | None:
    """Why these duties cannot be given; None when they can (an empty set always can)."""
    chosen = set(duties)
    if not chosen:
        return None
    if not chosen <= DUTIES:
        names = ", ".join(sorted(DUTIES))
        return f"a duty is one of {names}"
    if not active:
        return "a deactivated employee gets no duty"
    if not unit_serves_public:
        return "duties are for employees of a unit that serves the public"
    return None


def with_duties(account_roles: Iterable[Role], duties: Iterable[Role]) -> frozenset[Role]:
    """The account's roles with its duties replaced by ``duties``."""
    return frozenset(set(account_roles) - DUTIES) | frozenset(duties)


def token_roles(account_roles: Iterable[Role], *, has_direct_reports: bool) -> frozenset[Role]:
    """Roles in a token: the account's own, plus atasan for an employee with reports."""
    roles = set(account_roles)
    if Role.PEGAWAI in roles and has_direct_reports:
        roles.add(Role.ATASAN)
    return frozenset(roles)


def password_problem(password: str, *, username: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if password.strip().lower() == username.strip().lower():
        return "the password must differ from the username (NIP)"
    if len(set(password)) < 3:
        return "the password must use at least 3 different characters"
    return None


# ---------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


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
        return [], [Problem(1, "the file is empty: a header line is required")]
    problems: list[Problem] = []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    if missing:
        problems.append(Problem(1, f"missing column(s): {', '.join(missing)}"))
    if unknown:
        problems.append(Problem(1, f"unknown column(s): {', '.join(unknown)}"))
    if len(set(header)) != len(header):
        problems.append(Problem(1, "a column is named twice"))
    if problems:
        return [], problems
    rows: list[CsvRow] = []
    start = reader.line_num + 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(Problem(line, f"{len(record)} fields, the header has {len(header)}"))
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
    new_ids = {code: str(uuid.uuid4()) for code in first_line}
    planned: list[PlannedUnit] = []
    for row in rows:
        v, reasons = row.values, []
        code = v["code"]
        if not code or len(code) > 40:
            reasons.append("code is required (at most 40 characters)")
        elif first_line[code] != row.line:
            reasons.append(f"code {code!r} appears twice (first on line {first_line[code]})")
        elif code in existing.by_code:
            reasons.append(f"code {code!r} already names a unit of this regency")
        if not v["name"] or len(v["name"]) > 200:
            reasons.append("name is required (at most 200 characters)")
        kind = v["kind"].lower()
        if kind not in set(UnitKind):
            reasons.append(f"kind {v['kind']!r} is not one of {', '.join(UnitKind)}")
        parent_ref = v["parent"]
        parent_id = (
            new_ids.get(parent_ref)
            or existing.by_code.get(parent_ref)
            or (parent_ref if parent_ref in existing.parent_of else None)
        )
        if parent_ref and parent_id is None:
            reasons.append(f"parent {parent_ref!r} is not a unit code or id of this regency")
        serves_public = parse_flag(v["serves_public"])
        if serves_public is None:
            reasons.append(f"serves_public {v['serves_public']!r} is not true/false")
        if reasons:
            problems.append(Problem(row.line, "; ".join(reasons)))
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
            problems.append(Problem(unit.line, "the parent units form a cycle"))
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


@dataclass(frozen=True)
class EmployeeSnapshot:
    """The tenant's employees and units before the import."""

    by_nip: Mapping[str, str] = field(default_factory=dict)  # nip -> id
    active: Container[str] = field(default_factory=set)  # ids of active employees
    unit_by_code: Mapping[str, str] = field(default_factory=dict)
    unit_ids: Container[str] = field(default_factory=set)


EMPLOYEE_COLUMNS = ("nip", "name", "position", "unit")
EMPLOYEE_OPTIONAL = ("supervisor_nip", "password")


def plan_employee_import(
    rows: list[CsvRow], existing: EmployeeSnapshot, *, today: date
) -> tuple[list[PlannedEmployee], list[Problem]]:
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for row in rows:
        first_line.setdefault(row.values["nip"], row.line)
    new_ids = {nip: str(uuid.uuid4()) for nip in first_line}
    planned: list[PlannedEmployee] = []
    for row in rows:
        v, reasons = row.values, []
        nip = v["nip"]
        bad_nip = nip_problem(nip, today=today)
        if bad_nip:
            reasons.append(bad_nip)
        elif first_line[nip] != row.line:
            reasons.append(f"NIP {nip} appears twice (first on line {first_line[nip]})")
        elif nip in existing.by_nip:
            reasons.append(f"NIP {nip} is already registered in this regency")
        for column in ("name", "position"):
            if not v[column] or len(v[column]) > 200:
                reasons.append(f"{column} is required (at most 200 characters)")
        unit_ref = v["unit"]
        unit_id = existing.unit_by_code.get(unit_ref) or (
            unit_ref if unit_ref in existing.unit_ids else None
        )
        if unit_id is None:
            reasons.append(f"unit {unit_ref!r} is not a unit code or id of this regency")
        supervisor_nip = v["supervisor_nip"]
        supervisor_id: str | None = None
        if supervisor_nip:
            if supervisor_nip == nip:
                reasons.append("an employee cannot be their own supervisor")
            elif supervisor_nip in new_ids and supervisor_nip not in existing.by_nip:
                supervisor_id = new_ids[supervisor_nip]
            elif supervisor_nip in existing.by_nip:
                supervisor_id = existing.by_nip[supervisor_nip]
                if supervisor_id not in existing.active:
                    reasons.append(f"supervisor {supervisor_nip} is deactivated")
            else:
                reasons.append(
                    f"supervisor NIP {supervisor_nip} is not an employee of this regency"
                )
        password = v["password"] or None
        if password is not None:
            bad_password = password_problem(password, username=nip)
            if bad_password:
                reasons.append(bad_password)
        if reasons:
            problems.append(Problem(row.line, "; ".join(reasons)))
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
            )
        )
    # Existing employees keep their supervisors, and none of them reports to a new one:
    # a loop can only run through the new rows.
    looped = nodes_in_cycles({e.id: e.supervisor_id for e in planned})
    for employee in planned:
        if employee.id in looped:
            problems.append(Problem(employee.line, "the supervisors form a cycle"))
    problems.sort(key=lambda p: p.line)
    return ([] if problems else planned), problems
