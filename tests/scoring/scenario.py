"""A scripted scenario across two tenants that reuse the same employee ids.

bantul (Asia/Jakarta, min survey sample 3): unit u1 headed by s; e1 and e2 report to s.
  e1: KTP (sum, 240), processing days (mean, lower is better, 3), a tambahan (latest, 10);
      edits and deletes; a supervisor assessment with a di bawah value (final Kurang),
      then an accepted objection (final Baik); named by a survey and complaints.
  e2: one activity BEFORE its target.set (parked), far behind target -> alert to s.
  e9: assessed before being registered (parked until phase 2).
mimika (Asia/Jayapura, cap 110): the same ids, e2 reports to kb, not s; e1 on pace.
"""

from __future__ import annotations

from datetime import date

from services.common.events import (
    BerAkhlak,
    ComplaintFiled,
    ComplaintStatusChanged,
    Envelope,
    ObjectionDecided,
    Rating,
    SurveyReceived,
)
from tests.scoring.helpers import (
    activity_event,
    assessment_event,
    employee_event,
    ev,
    indicator,
    target_event,
    tenant_event,
    unit_event,
)

A, S, B = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH
D = date


def e1_target(tenant: str) -> Envelope:
    return target_event(
        tenant,
        "e1",
        [
            (
                "r1",
                "utama",
                [
                    indicator("ktp", 240, name="KTP processed"),
                    indicator(
                        "days",
                        3,
                        name="Processing days",
                        aspect="waktu",
                        unit="hari",
                        direction="lower",
                        aggregation="mean",
                    ),
                ],
            ),
            ("r2", "tambahan", [indicator("training", 10, aggregation="latest", unit="jam")]),
        ],
    )


def bantul_phase1() -> list[Envelope]:
    t = "bantul"
    behaviour = dict.fromkeys(BerAkhlak, A) | {BerAkhlak.LOYAL: B}
    return [
        tenant_event(t, min_survey_sample=3),
        unit_event(t, "u1", head="s"),
        employee_event(t, "s", "u1", None, 1),
        employee_event(t, "e1", "u1", "s", 2),
        employee_event(t, "e2", "u1", "s", 3),
        activity_event(t, "e2", "b1", "loket", 10, D(2026, 6, 30)),  # before its target
        target_event(t, "e2", [("r1", "utama", [indicator("loket", 100)])]),
        e1_target(t),
        activity_event(t, "e1", "a1", "ktp", 100, D(2026, 6, 1)),
        activity_event(t, "e1", "a2", "ktp", 20, D(2026, 6, 2)),
        activity_event(t, "e1", "a2", "ktp", 30, D(2026, 6, 2), action="edited"),
        activity_event(t, "e1", "a3", "ktp", 50, D(2026, 6, 3)),
        activity_event(t, "e1", "a3", "ktp", 50, D(2026, 6, 3), action="deleted"),
        activity_event(t, "e1", "a4", "days", 2, D(2026, 6, 3)),
        activity_event(t, "e1", "a5", "days", 4, D(2026, 6, 4)),
        activity_event(t, "e1", "a6", "training", 8, D(2026, 6, 5)),
        activity_event(t, "e1", "a7", "training", 12, D(2026, 6, 29)),
        activity_event(t, "e1", "a7", "training", 12, D(2026, 6, 29), action="deleted"),
        assessment_event(
            t,
            "as1",
            "e1",
            S,
            behaviour=behaviour,
            development_recommendation="Pelatihan loyalitas organisasi",
        ),
        assessment_event(t, "as9", "e9", A, behaviour=A),
        *[
            ev(
                t,
                SurveyReceived(
                    survey_id=f"sv{i}",
                    unit_id="u1",
                    scores=[3] * 9,
                    officer_id="e1" if i == 0 else None,
                ),
            )
            for i in range(3)
        ],
        ev(t, ComplaintFiled(complaint_id="c1", unit_id="u1", officer_id="e1", category="slow")),
        ev(t, ComplaintFiled(complaint_id="c2", unit_id="u1", officer_id="e2", category="rude")),
    ]


def bantul_phase2() -> list[Envelope]:
    t = "bantul"
    return [
        ev(
            t,
            ObjectionDecided(
                objection_id="ob1",
                assessment_id="as1",
                employee_id="e1",
                decided_by="kepala",
                accepted=True,
                behaviour_ratings=dict.fromkeys(BerAkhlak, S),
            ),
        ),
        ev(
            t,
            ComplaintStatusChanged(
                complaint_id="c1",
                unit_id="u1",
                officer_id="e1",
                from_status="received",
                to_status="resolved",
                reason="done",
            ),
        ),
        employee_event(t, "e9", "u1", "s", 9),
    ]


def mimika() -> list[Envelope]:
    t = "mimika"
    return [
        tenant_event(t, "Asia/Jayapura", achievement_cap=110),
        unit_event(t, "u1", head="kb"),
        employee_event(t, "kb", "u1", None, 1),
        employee_event(t, "s", "u1", "kb", 4),
        employee_event(t, "e1", "u1", "kb", 2),
        employee_event(t, "e2", "u1", "kb", 3),
        e1_target(t),
        activity_event(t, "e1", "a1", "ktp", 200, D(2026, 6, 30)),
        activity_event(t, "e1", "a4", "days", 3, D(2026, 6, 30)),
        activity_event(t, "e1", "a6", "training", 10, D(2026, 6, 30)),
        target_event(t, "e2", [("r1", "utama", [indicator("loket", 100)])]),
        activity_event(t, "e2", "b1", "loket", 5, D(2026, 6, 30)),
        ev(t, SurveyReceived(survey_id="sv0", unit_id="u1", scores=[4] * 9)),
    ]
