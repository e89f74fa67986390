"""Pure rules of the targets service: SKP lifecycle, content checks, activity rules.

No I/O here: the functions take what they need and answer or raise :class:`RuleError`
(a broken business rule; the API turns it into a 4xx with the reason).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.common.events import Indicator, Rhk

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


class RuleError(ValueError):
    """A business rule refused the request; ``status`` is the HTTP code to answer."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


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


def new_id() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------- SKP content


def check_content(rhk: Sequence[Rhk], *, parent_options: Iterable[str]) -> None:
    """Ids unique within the SKP and every cascade link names an allowed parent RHK.

    ``parent_options`` are the RHK ids of the direct supervisor's approved SKP of the
    same year (empty when there is none).
    """
    options = set(parent_options)
    rhk_ids = [r.rhk_id for r in rhk]
    if len(set(rhk_ids)) != len(rhk_ids):
        raise RuleError("rhk_id values must be unique within an SKP")
    indicator_ids = [i.indicator_id for r in rhk for i in r.indicators]
    if len(set(indicator_ids)) != len(indicator_ids):
        raise RuleError("indicator_id values must be unique within an SKP")
    for item in rhk:
        if item.parent_rhk_id is not None and item.parent_rhk_id not in options:
            raise RuleError(
                f"RHK {item.title!r}: parent_rhk_id {item.parent_rhk_id!r} is not an RHK of "
                "your direct supervisor's approved SKP of the same year"
            )


def check_submittable(rhk: Sequence[Rhk], supervisor_id: str | None) -> None:
    if supervisor_id is None:
        raise RuleError("you have no direct supervisor in the org chart to approve your SKP")
    if not any(r.kind == "utama" for r in rhk):
        raise RuleError("an SKP needs at least one RHK of kind 'utama' before submission")


def check_may_act(active: bool | None) -> None:
    """A deactivated employee (identity's ``employee.deactivated``) no longer writes or
    approves SKPs nor logs activities; ``None`` (not in the org chart copy yet) passes."""
    if active is False:
        raise RuleError(
            "your employee record is deactivated: you can no longer change SKPs, log "
            "activities or approve",
            403,
        )


def check_may_be_acted_upon(employee_id: str, active: bool | None) -> None:
    """Nobody approves or returns the SKP of a deactivated employee."""
    if active is False:
        raise RuleError(f"employee {employee_id} is deactivated: their SKP is closed", 409)


def revision_conflict(seen: int) -> RuleError:
    """Optimistic concurrency of an activity entry: a change names the revision it read,
    and is refused when the entry has moved on since."""
    return RuleError(
        f"the activity entry changed since revision {seen}; reload it and apply your change again",
        409,
    )


def require_status(current: str, *allowed: SkpStatus, action: str) -> None:
    if current not in allowed:
        wanted = " or ".join(allowed)
        raise RuleError(f"cannot {action} an SKP that is {current} (must be {wanted})", 409)


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
        raise RuleError(f"activity_date {activity_date} is outside the SKP year {skp_year}")
    if activity_date > today:
        raise RuleError(f"activity_date {activity_date} is in the future (today is {today})")


def local_date(moment: datetime, time_zone: str) -> date:
    """The tenant-local date of a stored instant (naive values are UTC, as stored)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(time_zone)).date()


def check_edit_window(logged_on: date, *, today: date, window_days: int) -> None:
    """Edits and deletions only within ``window_days`` days of the day it was logged."""
    age = (today - logged_on).days
    if age > window_days:
        raise RuleError(
            f"the entry was logged {age} days ago; it may be changed only within "
            f"{window_days} days",
            409,
        )


@dataclass(frozen=True)
class Viewer:
    employee_id: str | None
    unit_id: str | None
    is_admin: bool


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
