"""Pure rules of the feedback service: the survey questions, the complaint lifecycle and
its deadlines, tracking codes and survey summaries. No I/O here; a rule that fails answers
with a refusal of the kernel family (a template and its parameters).

The IKM itself is :mod:`services.common.skm` (shared with scoring), used as it is.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from services.common.events import ComplaintStatus
from services.common.refusals import (
    BadRequest,
    Conflict,
    Forbidden,
    Reason,
    Refusal,
    TooManyRequests,
)
from services.common.skm import ELEMENTS, IkmResult, ikm_from_sums
from services.common.workdays import add_working_days

# The nine SKM elements (PermenPANRB 14/2017), as the public page asks them.
QUESTIONS: dict[str, str] = {
    "persyaratan": "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan "
    "dengan jenis pelayanannya?",
    "prosedur": "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "waktu_pelayanan": "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan "
    "pelayanan?",
    "biaya_tarif": "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "produk_layanan": "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara "
    "yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
    "kompetensi_pelaksana": "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas "
    "dalam pelayanan?",
    "perilaku_pelaksana": "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan "
    "terkait kesopanan dan keramahan?",
    "sarana_prasarana": "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
    "penanganan_pengaduan": "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna "
    "layanan?",
}
assert tuple(QUESTIONS) == ELEMENTS, "questions follow the order of services.common.skm"

SCALE: dict[int, str] = {1: "Tidak baik", 2: "Kurang baik", 3: "Baik", 4: "Sangat baik"}

MAX_COMMENT = 1000
MAX_COMPLAINT_TEXT = 4000
# A status change's reason; it travels in complaint.status_changed (at most TEXT_MAX).
MAX_REASON = 2000


class ComplaintCategory(StrEnum):
    """What a citizen may complain about (the public form's list)."""

    PELAYANAN_LAMBAT = "pelayanan_lambat"  # slow service
    PROSEDUR_BERBELIT = "prosedur_berbelit"  # convoluted procedure
    PUNGUTAN_LIAR = "pungutan_liar"  # illegal fees
    PERILAKU_PETUGAS = "perilaku_petugas"  # officer conduct
    INFORMASI_TIDAK_JELAS = "informasi_tidak_jelas"  # unclear information
    SARANA_PRASARANA = "sarana_prasarana"  # facilities
    LAINNYA = "lainnya"  # other


# ---------------------------------------------------------------- complaint lifecycle

S = ComplaintStatus
TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.RECEIVED: frozenset({S.VERIFIED, S.REJECTED, S.NOT_OUR_AUTHORITY, S.ARCHIVED}),
    S.VERIFIED: frozenset({S.IN_PROGRESS, S.REJECTED, S.NOT_OUR_AUTHORITY, S.ARCHIVED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.ARCHIVED}),
    S.RESOLVED: frozenset({S.ARCHIVED}),
    S.REJECTED: frozenset({S.ARCHIVED}),
    S.NOT_OUR_AUTHORITY: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}

# Working days allowed for the step that leaves a status (SP4N-LAPOR!).
VERIFY_WITHIN_DAYS = 3  # received -> verified
FOLLOW_UP_PLAN_WITHIN_DAYS = 5  # verified -> in_progress (the follow-up plan)


def check_transition(current: ComplaintStatus, target: ComplaintStatus) -> None:
    """Refused (409) for a status change the lifecycle does not allow."""
    if target not in TRANSITIONS[current]:
        raise Conflict(
            "a complaint cannot go from {current} to {target}; allowed from {current}: {allowed}",
            current=current.value,
            target=target.value,
            allowed=", ".join(sorted(TRANSITIONS[current])) or "-",
        )


@dataclass(frozen=True)
class Deadline:
    step: str  # what is due: "verification" or "follow_up_plan"
    due_on: date  # tenant-local date by which it is due (inclusive)
    overdue: bool


def deadline(
    status: ComplaintStatus,
    *,
    received_on: date,
    verified_on: date | None,
    today: date,
    holidays: Collection[date] = (),
) -> Deadline | None:
    """The pending step of a complaint and whether it is late; None when nothing is due.

    Dates are tenant-local; ``holidays`` (the regency's national holidays and cuti bersama)
    are no working days. A step is overdue once ``today`` is past its due date.
    """
    if status == S.RECEIVED:
        due = add_working_days(received_on, VERIFY_WITHIN_DAYS, holidays)
        return Deadline("verification", due, today > due)
    if status == S.VERIFIED:
        due = add_working_days(verified_on or received_on, FOLLOW_UP_PLAN_WITHIN_DAYS, holidays)
        return Deadline("follow_up_plan", due, today > due)
    return None


# Crockford-like alphabet: no 0/O, 1/I/L, U, so a code read aloud is unambiguous.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_CODE_LENGTH = 12  # 30^12, about 59 bits: not guessable under rate limits


def new_tracking_code() -> str:
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))
    return f"ADU-{body}"


def new_survey_token() -> str:
    return secrets.token_urlsafe(16)


# ---------------------------------------------------------------- survey summary


@dataclass(frozen=True)
class SurveySummary:
    responses: int
    nrr: tuple[Fraction, ...] | None
    result: IkmResult | None
    provisional: bool


def summarise(sums: Sequence[int], responses: int, *, min_sample: int) -> SurveySummary:
    """Per-element NRR and IKM from answer totals; provisional below the tenant's sample."""
    provisional = responses < min_sample
    if responses == 0:
        return SurveySummary(responses=0, nrr=None, result=None, provisional=True)
    result = ikm_from_sums(list(sums), responses)
    return SurveySummary(
        responses=responses, nrr=result.nrr, result=result, provisional=provisional
    )


# ---------------------------------------------------------------- who handles what


@dataclass(frozen=True)
class Staff:
    """What the rules need to know about a caller, read from the token and the org chart."""

    employee_id: str | None
    unit_id: str | None  # the unit the caller works in (None: not an active employee)
    admin: bool = False
    counter_officer: bool = False  # petugas loket
    complaint_officer: bool = False  # pengelola pengaduan


# Closing a complaint without resolving it needs the unit head or admin (domain.md).
CLOSING_WITHOUT_RESOLUTION = frozenset({S.REJECTED, S.NOT_OUR_AUTHORITY, S.ARCHIVED})


def may_handle_complaint(
    staff: Staff, *, unit_id: str, unit_head_id: str | None, officer_id: str | None
) -> bool:
    """The unit head, the unit's pengelola pengaduan and admin; never the officer named."""
    if staff.employee_id is not None and staff.employee_id == officer_id:
        return False
    if staff.admin:
        return True
    if staff.employee_id is not None and staff.employee_id == unit_head_id:
        return True
    return staff.complaint_officer and staff.unit_id == unit_id


def may_read_comments(staff: Staff, *, unit_id: str, unit_head_id: str | None) -> bool:
    """The citizens' suggestions go to those who act on them: the unit head, the unit's
    pengelola pengaduan and admin (a counter officer or a colleague does not read them)."""
    if staff.admin:
        return True
    if staff.employee_id is not None and staff.employee_id == unit_head_id:
        return True
    return staff.complaint_officer and staff.unit_id == unit_id


def may_move_complaint(
    staff: Staff,
    target: ComplaintStatus,
    *,
    unit_id: str,
    unit_head_id: str | None,
    officer_id: str | None,
) -> Reason | None:
    """Why ``staff`` may not move a complaint to ``target``; None when they may."""
    if not may_handle_complaint(
        staff, unit_id=unit_id, unit_head_id=unit_head_id, officer_id=officer_id
    ):
        return Reason("you do not handle this complaint")
    is_head = staff.employee_id is not None and staff.employee_id == unit_head_id
    if target in CLOSING_WITHOUT_RESOLUTION and not (staff.admin or is_head):
        return Reason(
            "closing a complaint as {status} needs the unit head or the HR admin",
            status=target.value,
        )
    return None


# ---------------------------------------------------------------- survey tokens


def survey_token_refusal(
    staff: Staff,
    *,
    unit_id: str,
    officer_id: str | None,
    officer_unit_id: str | None,
    issued_today: int,
    daily_cap: int,
) -> Refusal | None:
    """Why ``staff`` may not issue this token; None when they may (domain.md "Survey tokens").

    ``officer_unit_id`` is the unit of the named officer when they are an active employee.
    The issuer never names themselves: a token naming its issuer is a self-survey.
    """
    if not (staff.admin or (staff.counter_officer and staff.unit_id == unit_id)):
        return Forbidden(
            "only a petugas loket of the unit or the HR admin issues its survey tokens"
        )
    if officer_id is not None:
        if officer_unit_id is None:
            return BadRequest(
                "officer {id} is not an active employee of this regency", id=officer_id
            )
        if officer_unit_id != unit_id:
            return BadRequest(
                "officer {id} does not work in the unit the survey is about", id=officer_id
            )
        if officer_id == staff.employee_id:
            return BadRequest("an issuer cannot name themselves as the officer surveyed")
    if issued_today >= daily_cap:
        return TooManyRequests(
            "daily limit reached: {count} survey tokens per issuer per day", count=daily_cap
        )
    return None


# ---------------------------------------------------------------- small numbers


def whole_month(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """The one calendar month a non-admin summary may cover: ended, whole, not narrower.

    Only whole months, never overlapping windows: a figure read for one window cannot be
    differenced against another to isolate a single response, and a month that has ended
    no longer moves by one answer between two readings. Without dates: the last month.
    Refused (400) otherwise.
    """
    if date_from is None and date_to is None:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if date_from is None or date_to is None:
        raise BadRequest("give both from and to: the first and the last day of one month")
    start = date_from.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if (date_from, date_to) != (start, end):
        raise BadRequest(
            "a survey summary covers exactly one calendar month (from its first to its last "
            "day): narrower windows could isolate one citizen's answers"
        )
    if end >= today:
        raise BadRequest("a month's survey summary is available once the month has ended")
    return start, end
