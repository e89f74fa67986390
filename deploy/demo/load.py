"""One regency's plan put into the platform, step by step, over the services' HTTP APIs.

:class:`RegencyLoader` runs the steps in order (each waits for the event-fed services it
depends on) and records what the services answered in :class:`Loaded`. A regency that is
already registered is left alone. The citizens' and the assessments' steps live in
``citizens`` and ``yearend``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from deploy.demo import yearend
from deploy.demo.accounts import DEMO_PASSWORD
from deploy.demo.citizens import load_citizens
from deploy.demo.client import Api, DemoError, parallel, retry_while, until
from deploy.demo.model import PersonPlan, RegencyPlan, UnitPlan
from deploy.progress import phase
from services.common.pagination import MAX_LIMIT
from services.common.security import Role
from services.common.workdays import local_today
from services.targets.models import MAX_ACTIVITY_BATCH


@dataclass
class Loaded:
    """What the loader learnt while loading a regency (ids given by the services)."""

    plan: RegencyPlan
    admin_token: str = ""
    unit_ids: dict[str, str] = field(default_factory=dict)  # code -> id
    ids: dict[str, str] = field(default_factory=dict)  # person key -> employee id
    tokens: dict[str, str] = field(default_factory=dict)  # person key -> access token
    skps: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> approved SKP
    last_skps: dict[str, dict[str, Any]] = field(default_factory=dict)  # last year's
    annual: dict[str, str] = field(default_factory=dict)  # key -> last year's assessment id
    kd_token: str = ""  # the kepala daerah's, when identity has the account
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
        """The steps, each after what it needs: the org import and the kepala daerah
        side by side, then last year's close, this year's work and the citizens at once
        (three chains that share only the people and their org chart)."""
        if not self.register_needed():
            with phase(f"{self.plan.slug}: already there, reused", self.say):
                self.reconnect()
            self.out.skipped = True
            return self.out
        year = local_today(self.plan.time_zone).year
        self.step("regency and its HR admin", self.register)
        self.together(
            [
                ("units and employees (demo accounts)", self.import_org),
                ("logins", self.activate),
            ],
            [("kepala daerah", self.kepala_daerah)],
        )
        self.step("org chart in targets and assessment", self.wait_org_chart)
        self.together(
            [
                (f"SKPs {year - 1}, cascaded and approved", lambda: self.skps(year - 1)),
                (f"activity log {year - 1}", lambda: self.activities(year - 1)),
                (f"annual assessments {year - 1}, an objection", lambda: yearend.last_year(self)),
            ],
            [
                (f"SKPs {year}, cascaded and approved", lambda: self.skps(year)),
                (f"activity log {year}", lambda: self.activities(year)),
                (f"assessments {year} and feedback", lambda: yearend.this_year(self)),
            ],
            [("surveys and complaints", lambda: load_citizens(self))],
        )
        return self.out

    def step(self, label: str, fn: Callable[[], None]) -> None:
        with phase(f"{self.plan.slug}: {label}", self.say):
            fn()

    def together(self, *chains: Sequence[tuple[str, Callable[[], None]]]) -> None:
        """Each chain's steps in order, the chains at once (the first error raised)."""

        def chain(steps: Sequence[tuple[str, Callable[[], None]]]) -> None:
            for label, fn in steps:
                self.step(label, fn)

        parallel(chain, chains, workers=len(chains))

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
            params={"demo_accounts": "true"},  # ready to log in: no forced change
            json={"username": plan.admin_username, "password": DEMO_PASSWORD},
        )
        pair = api.login(plan.slug, plan.admin_username, DEMO_PASSWORD)
        self.out.admin_token = pair["access_token"]

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
                        DEMO_PASSWORD,
                    )
                    for p in plan.people
                ),
            ]
        )
        text_csv = {"Content-Type": "text/csv"}
        api.call("identity", "POST", "/import/units", admin, content=units, headers=text_csv)
        # Demo accounts (development only): log in with DEMO_PASSWORD, no forced change.
        api.call(
            "identity",
            "POST",
            "/import/employees",
            admin,
            content=people,
            headers=text_csv,
            params={"demo_accounts": "true"},
        )
        self.read_ids()

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

    def read_ids(self) -> None:
        api, admin = self.api, self.out.admin_token
        units = api.items("identity", "/units", admin)
        self.out.unit_ids = {u["code"]: u["id"] for u in units}
        by_nip = {e["nip"]: e["id"] for e in api.items("identity", "/employees", admin)}
        self.out.ids = {p.key: by_nip[p.nip] for p in self.plan.people}

    def reconnect(self) -> None:
        """A regency loaded by an earlier run: what live mode needs (ids, tokens, this
        year's SKPs), read back through the same APIs."""
        plan, out, api = self.plan, self.out, self.api
        out.admin_token = api.login(plan.slug, plan.admin_username, DEMO_PASSWORD)["access_token"]
        self.read_ids()
        self.activate()
        year = local_today(plan.time_zone).year

        def skp(person: PersonPlan) -> None:
            found = api.items("targets", "/skp", out.tokens[person.key], year=year)
            if found and found[0]["status"] == "approved":
                out.skps[person.key] = found[0]

        parallel(skp, [p for p in plan.people if p.rhk])
        try:
            office = plan.kepala_daerah[0]
            out.kd_token = api.login(plan.slug, yearend.kd_username(office), DEMO_PASSWORD)[
                "access_token"
            ]
        except DemoError:
            out.kd_token = ""

    def activate(self) -> None:
        def login(person: PersonPlan) -> tuple[str, str]:
            pair = self.api.login(self.plan.slug, person.nip, DEMO_PASSWORD)
            return person.key, str(pair["access_token"])

        self.out.tokens = dict(parallel(login, self.plan.people))

    def kepala_daerah(self) -> None:
        if not yearend.kepala_daerah(self):
            self.say(
                f"  {self.plan.slug}: identity has no kepala daerah account: the top "
                "of the chain stays without SKP"
            )

    def with_skp(self) -> list[PersonPlan]:
        """Who gets an SKP: everyone with SKP content whose SKP someone can approve."""
        return [p for p in self.plan.people if p.rhk and (p.supervisor or self.out.kd_token)]

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
        bosses = bosses[:40]  # with --size: a sample (the chart arrives in order anyway)
        for key in bosses:
            until(complete("targets", "/skp/team", "items", key), f"targets to know {key}'s team")
            until(
                complete("assessment", "/todo", "pending", key), f"assessment to know {key}'s team"
            )

    # ------------------------------------------------------------ targets

    def skps(self, year: int) -> None:
        plan, out = self.plan, self.out
        this_year = year == local_today(plan.time_zone).year
        store = out.skps if this_year else out.last_skps
        with_skp = [p for p in self.with_skp() if this_year or p.last_year]
        for level in sorted({plan.depth(p) for p in with_skp}):
            people = [p for p in with_skp if plan.depth(p) == level]

            def draft(person: PersonPlan) -> tuple[PersonPlan, str]:
                boss_skp = store.get(person.supervisor or "")
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
                retry_while(  # at the top: targets must know the kepala daerah first
                    lambda: self.api.call("targets", "POST", f"/skp/{skp['id']}/submit", token),
                    ("kepala daerah",),
                    "targets to know the kepala daerah",
                )
                return person, skp["id"]

            def approve(item: tuple[PersonPlan, str]) -> None:
                person, skp_id = item
                boss = out.tokens[person.supervisor] if person.supervisor else out.kd_token
                store[person.key] = retry_while(
                    lambda: self.api.call("targets", "POST", f"/skp/{skp_id}/approve", boss),
                    ("403",),
                    "targets to know the kepala daerah",
                )

            parallel(approve, parallel(draft, people))

    def activities(self, year: int) -> None:
        out = self.out
        this_year = year == local_today(self.plan.time_zone).year
        store = out.skps if this_year else out.last_skps

        def log(person: PersonPlan) -> None:
            skp = store.get(person.key)
            if skp is None:
                return
            entries = [
                {
                    "skp_id": skp["id"],
                    "indicator_id": skp["rhk"][e.rhk]["indicators"][e.indicator]["indicator_id"],
                    "activity_date": e.day.isoformat(),
                    "value": e.value,
                    "note": e.note,
                }
                for e in (person.entries if this_year else person.last_entries)
            ]
            # A person's log in batches (all or none each): one request instead of one per
            # entry, each entry still checked and published as a single one would be.
            for start in range(0, len(entries), MAX_ACTIVITY_BATCH):
                batch = {"activities": entries[start : start + MAX_ACTIVITY_BATCH]}
                token = out.tokens[person.key]
                self.api.call("targets", "POST", "/activities/batch", token, json=batch)

        parallel(log, self.with_skp())
