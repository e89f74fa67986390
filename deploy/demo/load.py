"""One regency's plan put into the platform, step by step, over the services' HTTP APIs.

:class:`RegencyLoader` runs the steps in order (each waits for the event-fed services it
depends on) and records what the services answered in :class:`Loaded`. A regency that is
already registered is left alone.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from deploy.demo.accounts import INITIAL_PASSWORD
from deploy.demo.client import Api, parallel, retry_while, until
from deploy.demo.model import ComplaintPlan, PersonPlan, RegencyPlan, SurveyPlan, UnitPlan
from services.common.events import BerAkhlak, ComplaintStatus, Rating, Relation, TenantSettings
from services.common.pagination import MAX_LIMIT
from services.common.security import Role
from services.common.skm import ELEMENTS as SKM_ELEMENTS
from services.common.workdays import local_today

# An employee ahead of plan gets di atas on this many values: the default count that makes
# their overall Perilaku di atas (the demo's regencies keep the default rules).
BEHAVIOUR_ABOVE_MIN = TenantSettings().behaviour_above_min_count


@dataclass
class Loaded:
    """What the loader learnt while loading a regency (ids given by the services)."""

    plan: RegencyPlan
    admin_token: str = ""
    unit_ids: dict[str, str] = field(default_factory=dict)  # code -> id
    ids: dict[str, str] = field(default_factory=dict)  # person key -> employee id
    tokens: dict[str, str] = field(default_factory=dict)  # person key -> access token
    skps: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> approved SKP
    survey_url: str = ""
    skipped: bool = False


def _csv(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class RegencyLoader:
    def __init__(
        self, api: Api, platform_token: str, plan: RegencyPlan, say: Callable[[str], None]
    ) -> None:
        self.api, self.platform, self.plan, self.say = api, platform_token, plan, say
        self.out = Loaded(plan)

    def run(self) -> Loaded:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("regency and its HR admin", self.register),
            ("units and employees", self.import_org),
            ("first logins (demo password)", self.activate),
            ("org chart in targets and assessment", self.wait_org_chart),
            ("SKPs, cascaded and approved", self.skps),
            ("activity logs", self.activities),
            ("surveys and complaints", self.citizens),
            ("assessments and feedback", self.assessments),
        ]
        if not self.register_needed():
            self.say(f"  {self.plan.slug}: already registered, left as it is")
            self.out.skipped = True
            return self.out
        for label, step in steps:
            started = time.monotonic()
            step()
            self.say(f"  {self.plan.slug}: {label} ({time.monotonic() - started:.1f}s)")
        return self.out

    # ------------------------------------------------------------ identity

    def register_needed(self) -> bool:
        page = self.api.call(
            "identity", "GET", "/tenants", self.platform, params={"limit": MAX_LIMIT}
        )
        return self.plan.slug not in {t["slug"] for t in page["items"]}

    def register(self) -> None:
        plan, api = self.plan, self.api
        api.call(
            "identity",
            "POST",
            "/tenants",
            self.platform,
            json={"slug": plan.slug, "name": plan.name, "time_zone": plan.time_zone},
        )
        api.call(
            "identity",
            "POST",
            f"/tenants/{plan.slug}/admins",
            self.platform,
            json={"username": plan.admin_username, "password": INITIAL_PASSWORD},
        )
        self.out.admin_token = api.first_login(plan.slug, plan.admin_username)

    def import_org(self) -> None:
        plan, api, admin = self.plan, self.api, self.out.admin_token
        units = _csv(
            [
                ("code", "name", "kind", "parent", "serves_public"),
                *(
                    (u.code, u.name, u.kind, u.parent or "", "ya" if u.serves_public else "tidak")
                    for u in plan.units
                ),
            ]
        )
        nip_of = {p.key: p.nip for p in plan.people}
        people = _csv(
            [
                ("nip", "name", "position", "unit", "supervisor_nip", "password"),
                *(
                    (
                        p.nip,
                        p.name,
                        p.position,
                        p.unit,
                        nip_of.get(p.supervisor or "", ""),
                        INITIAL_PASSWORD,
                    )
                    for p in plan.people
                ),
            ]
        )
        text_csv = {"Content-Type": "text/csv"}
        api.call("identity", "POST", "/import/units", admin, content=units, headers=text_csv)
        api.call("identity", "POST", "/import/employees", admin, content=people, headers=text_csv)
        unit_page = api.call("identity", "GET", "/units", admin, params={"limit": MAX_LIMIT})
        self.out.unit_ids = {u["code"]: u["id"] for u in unit_page["items"]}
        staff = api.call("identity", "GET", "/employees", admin, params={"limit": MAX_LIMIT})
        by_nip = {e["nip"]: e["id"] for e in staff["items"]}
        self.out.ids = {p.key: by_nip[p.nip] for p in plan.people}

        def head(unit: UnitPlan) -> None:
            api.call(
                "identity",
                "PATCH",
                f"/units/{self.out.unit_ids[unit.code]}",
                admin,
                json={"head_employee_id": self.out.ids[unit.head or ""]},
            )

        parallel(head, [u for u in plan.units if u.head])

        def counter_duty(key: str) -> None:  # before the first login: the token carries it
            path = f"/employees/{self.out.ids[key]}/duties"
            api.call("identity", "PUT", path, admin, json={"duties": [Role.PETUGAS_LOKET]})

        parallel(counter_duty, sorted({s.officer for s in plan.surveys}))

    def activate(self) -> None:
        def first(person: PersonPlan) -> tuple[str, str]:
            return person.key, self.api.first_login(self.plan.slug, person.nip)

        self.out.tokens = dict(parallel(first, self.plan.people, workers=4))

    def wait_org_chart(self) -> None:
        """Targets and assessment authorise from their own copy of the org chart, fed by
        identity's events: wait until every supervisor's team is complete in both."""
        plan, out = self.plan, self.out

        def complete(service: str, path: str, field_name: str, key: str) -> Callable[[], bool]:
            expected = {out.ids[p.key] for p in plan.reports_of(key)}

            def check() -> bool:
                body = self.api.call(
                    service, "GET", path, out.tokens[key], params={"limit": MAX_LIMIT}
                )
                return {m["employee_id"] for m in body[field_name]} >= expected

            return check

        bosses = [p.key for p in plan.people if plan.reports_of(p.key)]
        for key in bosses:
            until(complete("targets", "/skp/team", "items", key), f"targets to know {key}'s team")
            until(
                complete("assessment", "/todo", "pending", key), f"assessment to know {key}'s team"
            )

    # ------------------------------------------------------------ targets

    def skps(self) -> None:
        plan, out, year = self.plan, self.out, local_today(self.plan.time_zone).year
        with_skp = [p for p in plan.people if p.rhk]
        for level in sorted({plan.depth(p) for p in with_skp}):
            people = [p for p in with_skp if plan.depth(p) == level]

            def draft(person: PersonPlan) -> tuple[PersonPlan, str]:
                boss_skp = out.skps.get(person.supervisor or "")
                rhk = [
                    {
                        "title": r.title,
                        "kind": r.kind,
                        "parent_rhk_id": boss_skp["rhk"][r.supports]["rhk_id"]
                        if boss_skp is not None and r.supports is not None
                        else None,
                        "indicators": [
                            {
                                "name": i.name,
                                "aspect": i.aspect,
                                "target": i.target,
                                "unit": i.unit,
                                "direction": i.direction,
                                "aggregation": i.aggregation,
                            }
                            for i in r.indicators
                        ],
                    }
                    for r in person.rhk
                ]
                token = out.tokens[person.key]
                skp = self.api.call(
                    "targets", "POST", "/skp", token, json={"year": year, "rhk": rhk}
                )
                self.api.call("targets", "POST", f"/skp/{skp['id']}/submit", token)
                return person, skp["id"]

            def approve(item: tuple[PersonPlan, str]) -> None:
                person, skp_id = item
                boss = out.tokens[person.supervisor or ""]
                out.skps[person.key] = self.api.call(
                    "targets", "POST", f"/skp/{skp_id}/approve", boss
                )

            parallel(approve, parallel(draft, people))

    def activities(self) -> None:
        out = self.out

        def log(person: PersonPlan) -> None:
            skp = out.skps[person.key]
            for entry in person.entries:
                indicator = skp["rhk"][entry.rhk]["indicators"][entry.indicator]
                self.api.call(
                    "targets",
                    "POST",
                    "/activities",
                    out.tokens[person.key],
                    json={
                        "skp_id": skp["id"],
                        "indicator_id": indicator["indicator_id"],
                        "activity_date": entry.day.isoformat(),
                        "value": entry.value,
                        "note": entry.note,
                    },
                )

        parallel(log, [p for p in self.plan.people if p.entries])

    # ------------------------------------------------------------ feedback

    def citizens(self) -> None:
        plan, out, api = self.plan, self.out, self.api
        units = {s.unit for s in plan.surveys} | {c.unit for c in plan.complaints}

        def known(code: str) -> Callable[[], Any]:
            path = f"/units/{out.unit_ids[code]}/survey-summary"
            return lambda: api.call("feedback", "GET", path, out.admin_token)

        for code in units:  # feedback knows the unit (and that it serves the public)
            until(known(code), f"feedback to know unit {code}")

        counters = {
            s.unit: sorted({o.officer for o in plan.surveys if o.unit == s.unit})
            for s in plan.surveys
        }

        def issue(officer: str, unit: str, service_type: str) -> dict[str, Any]:
            body = {
                "unit_id": out.unit_ids[unit],
                "officer_id": out.ids[officer],
                "service_type": service_type,
            }
            # A petugas loket never names themselves: a colleague at the counter issues it.
            colleague = next((c for c in counters[unit] if c != officer), None)
            issuer = out.tokens[colleague] if colleague else out.admin_token
            token: dict[str, Any] = retry_while(
                lambda: api.call("feedback", "POST", "/survey-tokens", issuer, json=body),
                ("403", "is not an active employee"),
                "feedback to know the officers",
            )
            return token

        def survey(item: SurveyPlan) -> None:
            token = issue(item.officer, item.unit, item.service_type)
            answers = dict(zip(SKM_ELEMENTS, item.answers, strict=True))
            api.call(
                "feedback",
                "POST",
                f"/public/{plan.slug}/surveys/{token['token']}",
                client=api.citizen(),
                json={"answers": answers, "comment": item.comment},
            )

        parallel(survey, plan.surveys)
        if plan.surveys:  # one left for a person to try
            spare = plan.surveys[0]
            out.survey_url = issue(spare.officer, spare.unit, spare.service_type)["survey_url"]

        def complain(item: ComplaintPlan) -> None:
            body: dict[str, Any] = {
                "unit_id": out.unit_ids[item.unit],
                "category": item.category,
                "text": item.text,
            }
            if item.officer:
                body["officer_id"] = out.ids[item.officer]
            receipt = api.call(
                "feedback",
                "POST",
                f"/public/{plan.slug}/complaints",
                client=api.citizen(),
                json=body,
            )
            handler = out.tokens[plan.unit(item.unit).head or ""]
            listed = api.call(
                "feedback",
                "GET",
                "/complaints",
                handler,
                params={"unit_id": out.unit_ids[item.unit], "limit": MAX_LIMIT},
            )
            complaint = next(
                c for c in listed["items"] if c["tracking_code"] == receipt["tracking_code"]
            )
            for to_status, reason in item.steps:
                move: dict[str, Any] = {"to_status": to_status, "reason": reason}
                if to_status == ComplaintStatus.VERIFIED and item.lapor_reference:
                    move["lapor_reference"] = item.lapor_reference
                api.call(
                    "feedback",
                    "POST",
                    f"/complaints/{complaint['id']}/transitions",
                    handler,
                    json=move,
                )

        parallel(complain, plan.complaints)

    # ------------------------------------------------------------ assessment

    def assessments(self) -> None:
        plan, out, api = self.plan, self.out, self.api
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
                "behaviour_ratings": {
                    v: Rating.DI_ATAS
                    if person.pace == "ahead" and i < BEHAVIOUR_ABOVE_MIN
                    else Rating.SESUAI
                    for i, v in enumerate(BerAkhlak)
                },
                "development_recommendation": "Pelatihan pelayanan prima dan SIAK terpusat."
                if person.pace == "behind"
                else "",
            }
            retry_while(
                lambda: api.call("assessment", "POST", "/assessments", out.tokens[boss], json=body),
                ("no approved SKP",),
                "assessment to receive the approved SKPs",
            )

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
            api.call("assessment", "POST", "/assessments", out.tokens[person.key], json=body)

        team = plan.reports_of(boss)
        parallel(supervisor, team)
        parallel(self_assessment, team[:2])
        behind = next((p for p in team if p.pace == "behind"), None)
        if behind is not None:
            api.call(
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
