"""Pure rules of assessment: periods, what each relation must rate, peer aggregation,
the objection window. No I/O: every function takes plain values and is unit-tested.

A broken rule raises a refusal of :mod:`services.common.refusals` (the runtime answers
it as a 4xx in the caller's language), so a rule is stated once, here, and the service
layer only calls it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from services.common.events import BerAkhlak, Period, Rating, Relation, SelfReport
from services.common.privacy import published_count
from services.common.refusals import BadRequest
from services.common.workdays import local_today

OBJECTION_WINDOW_DAYS = 14
# The assessee sees the counts of their peer ratings only once at least this many peers
# submitted for the period. With a single peer assessment the "aggregated" counts ARE that
# peer's ratings, and the assessee usually knows who was asked (the unit is small), so
# showing them would reveal one identifiable colleague's sheet. Supervisors and HR, who
# see the authors anyway, always get the counts.
Cadence = Literal["monthly", "quarterly"]


# ---------------------------------------------------------------- periods

_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|-Q(?P<quarter>\d))?$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def annual_period(year: int) -> Period:
    return Period(kind="annual", label=f"{year}", start=date(year, 1, 1), end=date(year, 12, 31))


def monthly_period(year: int, month: int) -> Period:
    return Period(
        kind="monthly",
        label=f"{year}-{month:02d}",
        start=date(year, month, 1),
        end=_month_end(year, month),
    )


def quarterly_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(
        kind="quarterly",
        label=f"{year}-Q{quarter}",
        start=date(year, first, 1),
        end=_month_end(year, first + 2),
    )


def parse_period(label: str, cadence: Cadence) -> Period:
    """The period a label names (``2026-03``, ``2026-Q1``, ``2026``) under the tenant cadence.

    A monthly label in a quarterly regency (or the reverse) is refused: it is not one of
    that regency's assessment periods.
    """
    match = _LABEL.match(label.strip())
    if match is None:
        raise BadRequest("period {label} is not a label like 2026-03, 2026-Q1 or 2026", label=label)
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise BadRequest("period {label}: the year must be between 2000 and 2100", label=label)
    if match["month"] is not None:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise BadRequest("period {label}: there is no month {month}", label=label, month=month)
        if cadence != "monthly":
            raise BadRequest(
                "this regency assesses quarterly: use {suggested}",
                suggested=f"{year}-Q{(month - 1) // 3 + 1}",
            )
        return monthly_period(year, month)
    if match["quarter"] is not None:
        quarter = int(match["quarter"])
        if not 1 <= quarter <= 4:
            raise BadRequest(
                "period {label}: there is no quarter {quarter}", label=label, quarter=quarter
            )
        if cadence != "quarterly":
            raise BadRequest(
                "this regency assesses monthly: use a label like {suggested}",
                suggested=f"{year}-01",
            )
        return quarterly_period(year, quarter)
    return annual_period(year)


def current_periods(cadence: Cadence, today: date) -> list[Period]:
    """The periods running on ``today`` (tenant-local): the cadence one, then the annual."""
    if cadence == "monthly":
        short = monthly_period(today.year, today.month)
    else:
        short = quarterly_period(today.year, (today.month - 1) // 3 + 1)
    return [short, annual_period(today.year)]


def check_period_started(period: Period, today: date) -> None:
    if period.start > today:
        raise BadRequest(
            "period {period} has not started yet (it starts {start})",
            period=period.label,
            start=period.start.isoformat(),
        )


# ---------------------------------------------------------------- what each relation rates


def _names(values: Iterable[str]) -> str:
    return ", ".join(sorted(str(v) for v in values))


def _check_rhk(given: Iterable[str], approved: set[str] | None, *, complete: bool) -> None:
    given = set(given)
    if approved is None:
        if complete or given:
            raise BadRequest("the assessee has no approved SKP for this year: no RHK to rate")
        return
    unknown = given - approved
    if unknown:
        raise BadRequest("RHK not in the assessee's approved SKP: {rhk}", rhk=_names(unknown))
    missing = approved - given
    if complete and missing:
        raise BadRequest(
            "every RHK of the approved SKP must be rated; missing: {rhk}", rhk=_names(missing)
        )


def _check_all_values(ratings: Mapping[BerAkhlak, Rating]) -> None:
    missing = set(BerAkhlak) - set(ratings)
    if missing:
        raise BadRequest(
            "all seven BerAKHLAK values must be rated; missing: {values}", values=_names(missing)
        )


def validate_submission(
    relation: Relation,
    *,
    rhk_ratings: Mapping[str, Rating],
    result_rating: Rating | None,
    behaviour_ratings: Mapping[BerAkhlak, Rating],
    special_expectations: Mapping[BerAkhlak, str],
    development_recommendation: str,
    report: SelfReport | None,
    approved_rhk: set[str] | None,
) -> None:
    """Refuse a submission that does not rate what its relation must rate.

    - supervisor: every RHK of the approved SKP (none unknown, none missing), the overall
      result rating and all seven values; may add special expectations and a
      development recommendation; no report.
    - peer: all seven values; RHK optional (only ones of the SKP); nothing else.
    - self: the periodic report; ratings optional (RHK only ones of the SKP).
    """
    supervisor_only = {
        "result_rating": result_rating is not None,
        "special_expectations": bool(special_expectations),
        "development_recommendation": bool(development_recommendation.strip()),
    }
    if relation == Relation.SUPERVISOR:
        _check_rhk(rhk_ratings, approved_rhk, complete=True)
        if result_rating is None:
            raise BadRequest(
                "a supervisor assessment needs the overall result_rating (Hasil Kerja)"
            )
        _check_all_values(behaviour_ratings)
        if report is not None:
            raise BadRequest("only a self assessment carries the periodic report")
        return
    if relation == Relation.PEER:
        extra = [name for name, present in supervisor_only.items() if present]
        if extra:
            raise BadRequest("a peer assessment may not give: {fields}", fields=", ".join(extra))
        _check_all_values(behaviour_ratings)
        _check_rhk(rhk_ratings, approved_rhk, complete=False)
        if report is not None:
            raise BadRequest("only a self assessment carries the periodic report")
        return
    extra = [
        name for name, present in supervisor_only.items() if present and name != "result_rating"
    ]
    if extra:
        raise BadRequest("a self assessment may not give: {fields}", fields=", ".join(extra))
    if report is None or not any(
        part.strip() for part in (report.achievements, report.obstacles, report.solutions)
    ):
        raise BadRequest(
            "a self assessment carries the periodic report (achievements, obstacles, solutions)"
        )
    _check_rhk(rhk_ratings, approved_rhk, complete=False)


# ---------------------------------------------------------------- peer anonymity

RatingCounts = dict[str, dict[Rating, int]]


def aggregate_ratings(ratings: Iterable[Mapping[str, Rating]]) -> RatingCounts:
    """Counts per item and level over many assessments: what an assessee may see of peers."""
    counts: RatingCounts = {}
    for one in ratings:
        for item, level in one.items():
            per_level = counts.setdefault(str(item), {r: 0 for r in Rating})
            per_level[Rating(level)] += 1
    return dict(sorted(counts.items()))


def peer_sheets_shown(responses: int, *, viewer_is_assessee: bool, minimum: int) -> int:
    """How many peer sheets a peer summary covers for its viewer.

    The supervisor chain and HR see the authors anyway: every sheet. The assessee sees the
    counts only from the tenant's small-numbers minimum (domain.md), and then in steps of
    that minimum: the summary never grows by one sheet, whose ratings would be the
    difference between two readings.
    """
    if not viewer_is_assessee:
        return responses
    return published_count(responses, minimum)


# ---------------------------------------------------------------- objections


def as_utc(moment: datetime) -> datetime:
    """Datetimes come back naive from SQLite: they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def objection_deadline(submitted_at: datetime, time_zone: str) -> date:
    """Last tenant-local day on which an objection may be filed."""
    return local_today(time_zone, as_utc(submitted_at)) + timedelta(days=OBJECTION_WINDOW_DAYS)


def check_objection_window(submitted_at: datetime, now: datetime, time_zone: str) -> None:
    deadline = objection_deadline(submitted_at, time_zone)
    if local_today(time_zone, now) > deadline:
        raise BadRequest(
            "the objection window closed on {deadline} ({days} days after the assessment)",
            deadline=deadline.isoformat(),
            days=OBJECTION_WINDOW_DAYS,
        )


def objection_decider(
    *, assessor_is_employee: bool, assessor_supervisor: str | None, kepala_daerah: str | None
) -> str:
    """Who decides an objection: the assessing supervisor's own supervisor. Above an
    assessor at the top of the chain (no supervisor) stands the regency's kepala daerah;
    when the kepala daerah assessed (the Sekda, say), nobody stands above, and the kepala
    daerah decides (domain.md, "Top of the chain")."""
    if assessor_is_employee and assessor_supervisor:
        return assessor_supervisor
    if kepala_daerah is None:
        raise BadRequest(
            "the assessing supervisor has no supervisor of their own, and the regency has no "
            "kepala daerah account yet to decide: ask BKPSDM to create it"
        )
    return kepala_daerah


def check_decision(
    accepted: bool,
    result_rating: Rating | None,
    behaviour_ratings: Mapping[BerAkhlak, Rating],
) -> None:
    changes = result_rating is not None or bool(behaviour_ratings)
    if accepted and not changes:
        raise BadRequest(
            "an accepted objection gives the changed result_rating or behaviour_ratings"
        )
    if not accepted and changes:
        raise BadRequest("a rejected objection keeps the ratings: give no new ratings")


def final_ratings(
    result_rating: str | None,
    behaviour_ratings: Mapping[str, str],
    decided_result: str | None = None,
    decided_behaviour: Mapping[str, str] | None = None,
) -> tuple[str | None, dict[str, str]]:
    """The ratings in force: the supervisor's, with what an accepted objection changed
    laid over them (a decision may change the overall result, some values, or both)."""
    return (
        decided_result or result_rating,
        {**behaviour_ratings, **(decided_behaviour or {})},
    )
