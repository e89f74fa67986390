"""Assessments: last year closed (annual assessments, one objection decided) and this
year's monthly ones; and the kepala daerah at the top of the chain. Steps of
:class:`~deploy.demo.load.RegencyLoader`.

A past year's annual assessment goes through the ordinary API: assessment refuses only a
period that has not started (``domain.check_period_started``) and an assessee without an
approved SKP of the period's year, so last year is assessed after last year's SKPs were
drafted, approved and their log entered (targets accepts a past year's SKP and activity
dates inside that year, never after today). The objection window (14 days) counts from
the assessment's submission, so the objection is filed right after it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from deploy.demo.accounts import DEMO_PASSWORD
from deploy.demo.client import parallel, retry_while
from deploy.demo.model import PersonPlan
from services.common.events import BerAkhlak, Rating, Relation, TenantSettings
from services.common.workdays import local_today

if TYPE_CHECKING:
    from deploy.demo.load import RegencyLoader

# An employee ahead of plan gets di atas on this many values: the default count that makes
# their overall Perilaku di atas (the demo's regencies keep the default rules).
BEHAVIOUR_ABOVE_MIN = TenantSettings().behaviour_above_min_count
NOT_YET = ("no approved SKP", "not a direct report", "not your direct report", "403")


def behaviour(above: int, below: int) -> dict[str, Rating]:
    values = list(BerAkhlak)
    return {
        v: Rating.DI_BAWAH
        if i >= len(values) - below
        else Rating.DI_ATAS
        if i < above
        else Rating.SESUAI
        for i, v in enumerate(values)
    }


def assessor_token(loader: RegencyLoader, person: PersonPlan) -> str | None:
    """The direct supervisor's token, or the kepala daerah's at the top of the chain."""
    if person.supervisor is None:
        return loader.out.kd_token or None
    return loader.out.tokens[person.supervisor]


def assess(loader: RegencyLoader, token: str, body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = retry_while(
        lambda: loader.api.call("assessment", "POST", "/assessments", token, json=body),
        NOT_YET,
        "assessment to receive the approved SKPs and the org chart",
    )
    return answer


def last_year(loader: RegencyLoader) -> None:
    """Final annual assessments of last year for everyone with a last-year SKP."""
    plan, out = loader.plan, loader.out
    year = local_today(plan.time_zone).year - 1

    def annual(person: PersonPlan) -> None:
        token = assessor_token(loader, person)
        skp = out.last_skps.get(person.key)
        if token is None or skp is None or person.last_year is None:
            return
        result, above, below = person.last_year
        body = {
            "period": str(year),
            "relation": Relation.SUPERVISOR,
            "assessee_id": out.ids[person.key],
            "rhk_ratings": {r["rhk_id"]: result for r in skp["rhk"]},
            "result_rating": result,
            "behaviour_ratings": behaviour(above, below),
            "development_recommendation": "Bimbingan teknis pelayanan prima."
            if result == Rating.DI_BAWAH
            else "",
        }
        out.annual[person.key] = assess(loader, token, body)["id"]

    parallel(annual, plan.people)
    objection(loader)


def objection(loader: RegencyLoader) -> None:
    """The objector files a keberatan; the supervisor's supervisor accepts it in part."""
    plan, out, api = loader.plan, loader.out, loader.api
    key = plan.objector
    if key is None or key not in out.annual:
        return
    person = plan.person(key)
    boss = plan.person(person.supervisor or "")
    filed = api.call(
        "assessment",
        "POST",
        "/objections",
        out.tokens[key],
        json={
            "assessment_id": out.annual[key],
            "reason": "Capaian dokumen saya tertahan karena blangko KTP-el kosong selama "
            "dua bulan, di luar kendali saya; mohon penilaian Hasil Kerja ditinjau ulang.",
        },
    )
    decider = out.tokens[boss.supervisor] if boss.supervisor else out.kd_token
    api.call(
        "assessment",
        "POST",
        f"/objections/{filed['id']}/decision",
        decider,
        json={
            "accepted": True,
            "reason": "Kekosongan blangko tercatat dalam laporan dinas; Hasil Kerja dinilai "
            "sesuai ekspektasi.",
            "result_rating": Rating.SESUAI,
        },
    )


def this_year(loader: RegencyLoader) -> None:
    """Last month's assessments of the Dafduk team, two self assessments, one note."""
    plan, out = loader.plan, loader.out
    today = local_today(plan.time_zone)
    previous = today.replace(day=1) - timedelta(days=1)
    period = f"{previous:%Y-%m}" if previous.year == today.year else f"{today:%Y-%m}"
    boss = "kabid_dafduk"

    def supervisor(person: PersonPlan) -> None:
        rating = {"ahead": Rating.DI_ATAS, "behind": Rating.DI_BAWAH}.get(
            person.pace, Rating.SESUAI
        )
        body = {
            "period": period,
            "relation": Relation.SUPERVISOR,
            "assessee_id": out.ids[person.key],
            "rhk_ratings": {r["rhk_id"]: rating for r in out.skps[person.key]["rhk"]},
            "result_rating": rating,
            "behaviour_ratings": behaviour(BEHAVIOUR_ABOVE_MIN if person.pace == "ahead" else 0, 0),
            "development_recommendation": "Pelatihan pelayanan prima dan SIAK terpusat."
            if person.pace == "behind"
            else "",
        }
        assess(loader, out.tokens[boss], body)

    def self_assessment(person: PersonPlan) -> None:
        body = {
            "period": period,
            "relation": Relation.SELF,
            "assessee_id": out.ids[person.key],
            "report": {
                "achievements": "Seluruh permohonan di loket terlayani sesuai SOP.",
                "obstacles": "Blangko KTP-el sempat kosong selama satu minggu.",
                "solutions": "Menerbitkan surat keterangan pengganti sementara.",
            },
        }
        loader.api.call("assessment", "POST", "/assessments", out.tokens[person.key], json=body)

    team = plan.reports_of(boss)
    parallel(supervisor, team)
    parallel(self_assessment, team[:2])
    behind = next((p for p in team if p.pace == "behind"), None)
    if behind is not None:
        loader.api.call(
            "assessment",
            "POST",
            "/feedback-notes",
            out.tokens[boss],
            json={
                "employee_id": out.ids[behind.key],
                "text": "Capaian dokumen Anda tertinggal dari target bulan ini. Mari kita "
                "bahas kendalanya Senin pagi dan atur ulang jadwal loket.",
            },
        )


def kd_username(office: str) -> str:
    """``bupati`` or ``walikota``: the office's first word(s), as a login name."""
    return office.rsplit(" ", 1)[0].replace(" ", "").lower()


def kepala_daerah(loader: RegencyLoader) -> bool:
    """Create the regency's kepala daerah account and log it in; False when this version
    of identity has no such account (the employees without a supervisor then stay
    without SKP, as before)."""
    plan, out, api = loader.plan, loader.out, loader.api
    office, name = plan.kepala_daerah
    response = api.request(
        "identity",
        "POST",
        "/kepala-daerah",
        out.admin_token,
        ok=(200, 201, 404, 405),
        params={"demo_accounts": "true"},  # ready to log in: no forced change
        json={
            "title": office,
            "name": name,
            "username": kd_username(office),
            "password": DEMO_PASSWORD,
        },
    )
    if response.status_code in (404, 405):
        return False
    out.kd_token = api.login(plan.slug, kd_username(office), DEMO_PASSWORD)["access_token"]
    return True
