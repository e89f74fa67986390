"""Identity's rules, pure: NIP, supervisor and unit trees, duties, token roles, passwords
(the CSV import plans are in ``csv_plans``).

No I/O here. The service layer loads a snapshot of the tenant (existing NIPs, unit codes,
who supervises whom) and asks these functions what is wrong; each answer is a reason a
person can act on, a :class:`Reason` (a template and its parameters) rendered in the
reader's language where it is read.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from services.common.refusals import Reason
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
    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.text())
        self.reason = reason


def parse_nip(nip: str, *, today: date) -> Nip:
    """Split and check an 18-digit NIP: birth date YYYYMMDD, appointment (TMT CPNS) YYYYMM,
    sex digit 1 or 2, 3-digit sequence. Raise :class:`NipError` with the reason."""
    if len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        raise NipError(
            Reason(
                "NIP must be exactly {length} digits, got {nip}", length=NIP_LENGTH, nip=repr(nip)
            )
        )
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NipError(
            Reason("NIP digits 1-8 are not a real birth date (YYYYMMDD): {digits}", digits=nip[0:8])
        ) from None
    if birth > today:
        raise NipError(Reason("NIP birth date {date} is in the future", date=birth.isoformat()))
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        raise NipError(
            Reason(
                "NIP digits 9-14 are not a real appointment month (YYYYMM): {digits}",
                digits=nip[8:14],
            )
        )
    if (year, month) < (birth.year + 18, birth.month):
        raise NipError(
            Reason(
                "NIP appointment {appointment} is before the 18th birthday ({adult})",
                appointment=f"{year:04d}-{month:02d}",
                adult=f"{birth.year + 18:04d}-{birth.month:02d}",
            )
        )
    if (year, month) > (today.year, today.month):
        raise NipError(
            Reason(
                "NIP appointment {appointment} is in the future",
                appointment=f"{year:04d}-{month:02d}",
            )
        )
    sex = int(nip[14])
    if sex not in (1, 2):
        raise NipError(Reason("NIP digit 15 (sex) must be 1 or 2, got {digit}", digit=sex))
    return Nip(birth, year, month, sex, int(nip[15:18]))


def nip_problem(nip: str, *, today: date) -> Reason | None:
    try:
        parse_nip(nip, today=today)
    except NipError as exc:
        return exc.reason
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
) -> Reason | None:
    """Why ``supervisor_id`` may not supervise ``employee_id``, or None.

    ``supervisor_of`` maps every employee of the tenant to their supervisor; an id missing
    from it (another tenant's, or none at all) is refused exactly like an unknown one.
    """
    if supervisor_id is None:
        return None
    if supervisor_id == employee_id:
        return Reason("an employee cannot be their own supervisor")
    if supervisor_id not in supervisor_of:
        return Reason("supervisor {id} is not an employee of this regency", id=supervisor_id)
    if supervisor_id not in active:
        return Reason("supervisor {id} is deactivated", id=supervisor_id)
    if creates_cycle(employee_id, supervisor_id, supervisor_of):
        return Reason(
            "supervisor {id} would close a cycle in the supervisor chain", id=supervisor_id
        )
    return None


def parent_unit_problem(
    unit_id: str, parent_id: str | None, *, parent_of: Mapping[str, str | None]
) -> Reason | None:
    """Why ``parent_id`` may not be the parent of ``unit_id``, or None."""
    if parent_id is None:
        return None
    if parent_id == unit_id:
        return Reason("a unit cannot be its own parent")
    if parent_id not in parent_of:
        return Reason("parent unit {id} is not a unit of this regency", id=parent_id)
    if creates_cycle(unit_id, parent_id, parent_of):
        return Reason("parent unit {id} would close a cycle in the unit tree", id=parent_id)
    return None


# ---------------------------------------------------------------- accounts


# Duties an admin designates on an employee's account (domain.md "Who uses it"): they
# apply to the unit the employee works in, which must serve the public.
DUTIES = frozenset({Role.PETUGAS_LOKET, Role.PENGELOLA_PENGADUAN})


def duties_problem(
    duties: Iterable[Role], *, active: bool, unit_serves_public: bool
) -> Reason | None:
    """Why these duties cannot be given; None when they can (an empty set always can)."""
    chosen = set(duties)
    if not chosen:
        return None
    if not chosen <= DUTIES:
        return Reason("a duty is one of {duties}", duties=", ".join(sorted(DUTIES)))
    if not active:
        return Reason("a deactivated employee gets no duty")
    if not unit_serves_public:
        return Reason("duties are for employees of a unit that serves the public")
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


def password_problem(password: str, *, username: str) -> Reason | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return Reason(
            "the password must have at least {count} characters", count=MIN_PASSWORD_LENGTH
        )
    if password.strip().lower() == username.strip().lower():
        return Reason("the password must differ from the username (NIP)")
    if len(set(password)) < 3:
        return Reason("the password must use at least 3 different characters")
    return None


# ---------------------------------------------------------------- holidays


def holiday_problems(year: int, days: Iterable[date], *, at_most: int) -> list[Reason]:
    """What is wrong with a year's holiday calendar: every day inside the year, none twice,
    at most ``at_most`` days. A weekend day is allowed (a holiday on a Sunday is still
    announced), it changes no working-day count."""
    chosen = list(days)
    problems = [
        Reason("{day} is not in {year}", day=d.isoformat(), year=year)
        for d in chosen
        if d.year != year
    ]
    twice = sorted({d for d in chosen if chosen.count(d) > 1})
    if twice:
        problems.append(
            Reason("listed twice: {days}", days=", ".join(d.isoformat() for d in twice))
        )
    if len(chosen) > at_most:
        problems.append(Reason("at most {count} holidays a year", count=at_most))
    return problems
