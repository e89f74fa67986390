"""Pure rules of the feedback service: the survey questions, the complaint lifecycle and
its deadlines, tracking codes and survey summaries. No I/O here.

The IKM itself is :mod:`services.common.skm` (shared with scoring), used as it is.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from services.common.events import ComplaintStatus
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


class TransitionRefused(ValueError):
    """A status change the lifecycle does not allow."""


def check_transition(current: ComplaintStatus, target: ComplaintStatus) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise TransitionRefused(
            f"a complaint cannot go from {current} to {target}; allowed from {current}: {allowed}"
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
) -> Deadline | None:
    """The pending step of a complaint and whether it is late; None when nothing is due.

    Dates are tenant-local. A step is overdue once ``today`` is past its due date.
    """
    if status == S.RECEIVED:
        due = add_working_days(received_on, VERIFY_WITHIN_DAYS)
        return Deadline("verification", due, today > due)
    if status == S.VERIFIED:
        due = add_working_days(verified_on or received_on, FOLLOW_UP_PLAN_WITHIN_DAYS)
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
