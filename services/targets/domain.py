"""Pure rules of the targets service: SKP lifecycle, content checks, activity rules.

No I/O here: the functions take what they need and answer or raise a refusal of
:mod:`services.common.refusals` (the runtime answers it as a 4xx in the caller's language).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from services.common.clock import new_id
from services.common.events import Indicator, Rhk
from services.common.refusals import BadRequest, Conflict, Forbidden

# Units an indicator's target may be expressed in (lower case; "%" for percentages).
ALLOWED_UNITS: frozenset[str] = frozenset(
    {
        "dokumen",
        "orang",
        "%",
        "persen",
        "hari",
        "jam",
        "menit",
        "kegiatan",
        "laporan",
        "berkas",
        "unit",
        "rupiah",
        "paket",
        "kali",
        "surat",
        "layanan",
        "aplikasi",
        "naskah",
        "rekomendasi",
        "lokasi",
        "bulan",
    }
)


class SkpStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


class TeamStatus(StrEnum):
    """What a supervisor sees for a direct report's SKP of a year."""

    MISSING = "missing"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


def normalise_unit(unit: str) -> str:
    """The canonical spelling of an indicator unit; ValueError for an unknown unit."""
    canonical = unit.strip().lower()
    if canonical not in ALLOWED_UNITS:
        allowed = ", ".join(sorted(ALLOWED_UNITS))
        raise ValueError(f"unknown unit {unit!r}; allowed: {allowed}")
    return canonical


# ---------------------------------------------------------------- SKP content


def check_content(rhk: Sequence[Rhk], *, parent_options: Iterable[str]) -> None:
    """Ids unique within the SKP and every cascade link names an allowed parent RHK.

    ``parent_options`` are the RHK ids of the direct supervisor's approved SKP of the
    same year (empty when there is none).
    """
    options = set(parent_options)
    rhk_ids = [r.rhk_id for r in rhk]
    if len(set(rhk_ids)) != len(rhk_ids):
        raise BadRequest("rhk_id values must be unique within an SKP")
    indicator_ids = [i.indicator_id for r in rhk for i in r.indicators]
    if len(set(indicator_ids)) != len(indicator_ids):
        raise BadRequest("indicator_id values must be unique within an SKP")
    for item in rhk:
        if item.parent_rhk_id is not None and item.parent_rhk_id not in options:
            raise BadRequest(
                "RHK “{title}”: parent_rhk_id {parent} is not an RHK of your direct "
                "supervisor's approved SKP of the same year",
                title=item.title,
                parent=item.parent_rhk_id,
            )


def check_submittable(
    rhk: Sequence[Rhk], supervisor_id: str | None, *, has_kepala_daerah: bool
) -> None:
    """An SKP goes to whoever approves it: the direct supervisor, or for an employee
    without one the regency's kepala daerah (domain.md, "Top of the chain")."""
    if supervisor_id is None and not has_kepala_daerah:
        raise BadRequest(
            "you have no direct supervisor, and your regency has no kepala daerah account "
            "yet to approve the SKP of an employee at the top of the chain: ask BKPSDM to "
            "create it"
        )
    if not any(r.kind == "utama" for r in rhk):
        raise BadRequest("an SKP needs at least one RHK of kind 'utama' before submission")


def revision_conflict(seen: int) -> Conflict:
    """Optimistic concurrency of an activity entry: a change names the revision it read,
    and is refused when the entry has moved on since."""
    return Conflict(
        "the activity entry changed since revision {revision}; reload it and apply your "
        "change again",
        revision=seen,
    )


Action = Literal["edit", "submit", "approve", "return", "revise"]


def require_status(current: str, expected: SkpStatus, *, action: Action) -> None:
    """409 unless the SKP is in the one status ``action`` starts from. One literal
    template per action, so each reads as a whole sentence in Indonesian too."""
    if current == expected:
        return
    if action == "edit":
        raise Conflict("only a draft SKP can be edited; this one is {status}", status=current)
    if action == "submit":
        raise Conflict("only a draft SKP can be submitted; this one is {status}", status=current)
    if action == "approve":
        raise Conflict("only a submitted SKP can be approved; this one is {status}", status=current)
    if action == "return":
        raise Conflict("only a submitted SKP can be returned; this one is {status}", status=current)
    raise Conflict("only an approved SKP can be revised; this one is {status}", status=current)


def copy_for_new_year(rhk: Sequence[Rhk]) -> list[Rhk]:
    """Last year's content as a fresh draft: new ids, no cascade links (they named last
    year's RHK of the supervisor)."""
    return [
        r.model_copy(
            update={
                "rhk_id": new_id(),
                "parent_rhk_id": None,
                "indicators": tuple(
                    i.model_copy(update={"indicator_id": new_id()}) for i in r.indicators
                ),
            }
        )
        for r in rhk
    ]


def find_indicator(rhk: Sequence[Rhk], indicator_id: str) -> Indicator | None:
    for item in rhk:
        for indicator in item.indicators:
            if indicator.indicator_id == indicator_id:
                return indicator
    return None


def team_status(status: str | None) -> TeamStatus:
    return TeamStatus.MISSING if status is None else TeamStatus(status)


# ---------------------------------------------------------------- activity log


def check_activity_date(activity_date: date, *, skp_year: int, today: date) -> None:
    """An activity falls inside its SKP's year and not after the tenant-local today."""
    if activity_date.year != skp_year:
        raise BadRequest(
            "activity_date {date} is outside the SKP year {year}",
            date=activity_date.isoformat(),
            year=skp_year,
        )
    if activity_date > today:
        raise BadRequest(
            "activity_date {date} is in the future (today is {today})",
            date=activity_date.isoformat(),
            today=today.isoformat(),
        )


def local_date(moment: datetime, time_zone: str) -> date:
    """The tenant-local date of a stored instant (naive values are UTC, as stored)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(time_zone)).date()


def check_edit_window(logged_on: date, *, today: date, window_days: int) -> None:
    """Edits and deletions only within ``window_days`` days of the day it was logged."""
    age = (today - logged_on).days
    if age > window_days:
        raise Conflict(
            "the entry was logged {age} days ago; it may be changed only within {window} days",
            age=age,
            window=window_days,
        )


@dataclass(frozen=True)
class Viewer:
    employee_id: str | None
    unit_id: str | None
    is_admin: bool


def kepala_daerah_may_not_act(name: str, action: Action) -> Forbidden:
    """The kepala daerah approves only the employees without a direct supervisor: anyone
    else's SKP is their own supervisor's to approve."""
    if action == "approve":
        return Forbidden(
            "the kepala daerah approves only the SKP of employees without a direct "
            "supervisor; {name}'s SKP is approved by their direct supervisor",
            name=name,
        )
    return Forbidden(
        "the kepala daerah returns only the SKP of employees without a direct supervisor; "
        "{name}'s SKP is returned by their direct supervisor",
        name=name,
    )


def may_view_log(
    viewer: Viewer, *, owner_id: str, owner_unit: str | None, owner_chain: Sequence[str]
) -> bool:
    """The log is visible to its owner, the owner's supervisor chain (any depth),
    peers of the same unit, and the regency HR office (admin)."""
    if viewer.is_admin:
        return True
    if viewer.employee_id is None:
        return False
    if viewer.employee_id == owner_id or viewer.employee_id in owner_chain:
        return True
    return viewer.unit_id is not None and viewer.unit_id == owner_unit
