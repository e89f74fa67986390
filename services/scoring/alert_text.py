"""The text of scoring's alerts: each kind's parameters (names and figures, never ids),
and its English rendering from ``ALERT_TEMPLATES`` (readers get their own language at the
gateway from the same params). The rules of who is told are in ``domain``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from services.common.events import ALERT_TEMPLATES, AlertParams
from services.common.i18n import translate
from services.scoring.domain import (
    BEHIND_TARGET_BELOW,
    OPEN_COMPLAINT,
    POOR_SERVICE_CATEGORIES,
    PeriodSpan,
    Predikat,
)


def alert_text(kind: str, params: AlertParams) -> str:
    """The English text of an alert (``ALERT_TEMPLATES``); readers get it in their own
    language from ``params`` at the gateway."""
    return translate(ALERT_TEMPLATES[kind], params, "en")


def behind_target_params(
    name: str, behind: Sequence[tuple[str, float]], share: float, year: int | str
) -> AlertParams:
    """``behind``: (indicator name, projected achievement) of each indicator behind;
    ``year``: the period's label (the year, or a month or quarter of the cadence)."""
    listed = ", ".join(f"{indicator} ({value:.0f}%)" for indicator, value in behind)
    return {
        "name": name,
        "threshold": round(BEHIND_TARGET_BELOW),
        "indicators": listed,
        "share": round(share * 100),
        "year": year,
    }


def silent_params(name: str, since: date) -> AlertParams:
    return {"name": name, "since": since.isoformat()}


def assessment_due_params(name: str, due: Sequence[PeriodSpan]) -> AlertParams:
    return {
        "name": name,
        "periods": ", ".join(s.label for s in due),
        "ends": max(s.end for s in due).isoformat(),
    }


def predikat_drop_params(name: str, before: Predikat, now: Predikat | None) -> AlertParams:
    return {"name": name, "before": before.label, "now": now.label if now else "-"}


def behind_target_message(
    name: str, behind: Sequence[tuple[str, float]], share: float, year: int
) -> str:
    return alert_text("behind_target", behind_target_params(name, behind, share, year))


def silent_message(name: str, since: date) -> str:
    return alert_text("silent", silent_params(name, since))


def assessment_due_message(name: str, due: Sequence[PeriodSpan]) -> str:
    return alert_text("assessment_due", assessment_due_params(name, due))


def predikat_drop_message(name: str, before: Predikat, now: Predikat | None) -> str:
    return alert_text("predikat_drop", predikat_drop_params(name, before, now))


def satisfaction_alert(**facts: Any) -> tuple[str, str] | None:
    """(recipient, message): a unit's IKM in a poor category over at least the regency's
    minimum sample tells the unit's head (``satisfaction_told``'s facts)."""
    told = satisfaction_told(**facts)
    return None if told is None else (told[0], alert_text("satisfaction", told[1]))


def satisfaction_told(
    *,
    head_id: str | None,
    unit_name: str,
    ikm: float | None,
    category: str | None,
    responses: int,
    min_sample: int,
) -> tuple[str, AlertParams] | None:
    if not head_id or category not in POOR_SERVICE_CATEGORIES or responses < min_sample:
        return None
    params: AlertParams = {
        "unit": unit_name,
        "ikm": ikm or 0.0,
        "category": category,
        "responses": responses,
    }
    return head_id, params


def complaint_alert(**facts: Any) -> tuple[str, str] | None:
    """(recipient, message): an open complaint tells the named officer's supervisor, or
    the unit's head when no officer (or no supervisor of them) is known
    (``complaint_told``'s facts)."""
    told = complaint_told(**facts)
    return None if told is None else (told[0], alert_text("complaint", told[1]))


def complaint_told(
    *,
    status: str,
    unit_id: str,
    officer_name: str | None,
    officer_supervisor_id: str | None,
    unit_head_id: str | None,
    unit_name: str | None = None,
) -> tuple[str, AlertParams] | None:
    if status not in OPEN_COMPLAINT:
        return None
    recipient = officer_supervisor_id or unit_head_id
    if not recipient:
        return None
    # A person reads this: the unit's name; its id only when the org chart lacks it.
    about = officer_name if officer_name is not None else f"unit {unit_name or unit_id}"
    return recipient, {"status": status, "about": about}
