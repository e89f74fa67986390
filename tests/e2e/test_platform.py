"""The platform end to end: real processes, real Kafka, the demo data loaded over HTTP.

Each test reads what the services show and compares it with what the demo plan put in
(``deploy.demo.plan.demo_plan``), computed here independently of the services' code.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from deploy.demo.accounts import INITIAL_PASSWORD
from deploy.demo.client import Api
from deploy.demo.model import PersonPlan, RegencyPlan
from deploy.demo.plan import make_nip
from services.common import skm
from services.common.events import (
    FEEDBACK_TOPIC,
    TARGETS_TOPIC,
    ActivityLogged,
    Envelope,
    SurveyReceived,
    TargetSet,
)
from services.common.workdays import local_today
from tests.e2e.conftest import Platform, auth, events_until, payloads
from tests.support import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

# The employee whose log the crash test adds to (left out of the exact comparisons).
CRASH_PERSON = "staf_yankes_2"


async def admin_token(platform: Platform, tenant: str) -> str:
    return await platform.login(tenant, "bkpsdm")


async def get(platform: Platform, service: str, path: str, token: str, **params: Any) -> Any:
    async with platform.client(service) as client:
        answer = await client.get(path, headers=auth(token), params=params)
    assert answer.status_code == 200, f"{service} {path}: {answer.status_code} {answer.text}"
    return answer.json()


async def post(platform: Platform, service: str, path: str, token: str | None, body: Any) -> Any:
    async with platform.client(service) as client:
        answer = await client.post(path, headers=auth(token) if token else {}, json=body)
    assert answer.status_code in (200, 201), f"{service} {path}: {answer.status_code} {answer.text}"
    return answer.json()


async def ids_by_nip(platform: Platform, admin: str) -> dict[str, str]:
    page = await get(platform, "identity", "/employees", admin, limit=500)
    return {e["nip"]: e["id"] for e in page["items"]}


async def unit_ids(platform: Platform, admin: str) -> dict[str, str]:
    page = await get(platform, "identity", "/units", admin, limit=500)
    return {u["code"]: u["id"] for u in page["items"]}


def answers_of(plan: RegencyPlan, unit: str) -> list[tuple[int, ...]]:
    return [s.answers for s in plan.surveys if s.unit == unit]


def expected_achievement(person: PersonPlan, cap: float = 120.0) -> float | None:
    """domain.md: capaian per indicator (capped), mean per RHK, mean over RHK utama."""
    per_rhk: list[float] = []
    for r, rhk in enumerate(person.rhk):
        if rhk.kind != "utama":
            continue
        scores: list[float] = []
        for i, indicator in enumerate(rhk.indicators):
            observed = [e.value for e in person.entries if (e.rhk, e.indicator) == (r, i)]
            if indicator.aggregation == "sum":
                real = sum(observed)
            elif not observed:
                continue
            elif indicator.aggregation == "mean":
                real = sum(observed) / len(observed)
            else:  # latest: entries are in date order
                real = observed[-1]
            if indicator.direction == "lower":
                scores.append(cap if real <= 0 else min(indicator.target / real * 100, cap))
            else:
                scores.append(min(real / indicator.target * 100, cap))
        if scores:
            per_rhk.append(sum(scores) / len(scores))
    return sum(per_rhk) / len(per_rhk) if per_rhk else None


# ---------------------------------------------------------------- the demo itself


async def test_demo_prints_how_to_log_in_and_registers_the_org_tree(platform: Platform) -> None:
    out = platform.demo_output
    assert "Demo data ready" in out, out
    survey_url = out.split("Public survey (one-time token): ", 1)[1].split()[0]
    assert survey_url.startswith(f"http://127.0.0.1:{platform.ports['gateway']}/survey/")
    slug, token = survey_url.split("/survey/", 1)[1].split("/")
    assert slug in platform.plans
    async with httpx.AsyncClient(timeout=30) as browser:  # what a citizen's browser loads
        page = await browser.get(survey_url)
        form = await browser.get(
            survey_url.split("/survey/")[0] + f"/api/feedback/public/{slug}/surveys/{token}"
        )
    assert page.status_code == 200, page.text[:500]
    assert form.status_code == 200 and form.json()["unit_name"].startswith("Loket 1"), form.text
    for plan in platform.plans.values():
        for key in ("kabid_dafduk", "staf_dafduk_3"):
            assert plan.person(key).nip in out
    # Every person of the plan is registered under their supervisor (and logged in with the
    # demo password: their SKP, checked below, could only be written by themselves).
    for slug, plan in platform.plans.items():
        admin = await admin_token(platform, slug)
        people = await get(platform, "identity", "/employees", admin, limit=500)
        by_nip = {e["nip"]: e for e in people["items"]}
        assert {p.nip for p in plan.people} <= set(by_nip)
        for person in plan.people:
            boss = plan.person(person.supervisor).nip if person.supervisor else None
            assert (by_nip[boss]["id"] if boss else None) == by_nip[person.nip]["supervisor_id"]
    print(f"demo loaded in {platform.demo_seconds:.1f}s")


# ---------------------------------------------------------------- identity -> targets


async def test_employee_created_in_identity_logs_in_and_gets_an_approved_skp(
    platform: Platform,
) -> None:
    plan = platform.plans["bantul"]
    admin = await admin_token(platform, "bantul")
    units = await unit_ids(platform, admin)
    boss_nip = plan.person("kabid_dafduk").nip
    boss_id = (await ids_by_nip(platform, admin))[boss_nip]
    nip = make_nip(date(1996, 5, 17), (2021, 3), 2, 901)
    created = await post(
        platform,
        "identity",
        "/employees",
        admin,
        {
            "nip": nip,
            "name": "Putri Anggraini, S.Kom.",
            "position": "Pranata Komputer Ahli Pertama",
            "unit_id": units["DUKCAPIL-L1"],
            "supervisor_id": boss_id,
            "password": INITIAL_PASSWORD,
        },
    )
    # First login, password change: the same steps as the demo's people.
    token = await asyncio.to_thread(Api(platform.ports).first_login, "bantul", nip)
    me = await get(platform, "identity", "/me", token)
    assert me["employee"]["id"] == created["id"] and not me["must_change_password"]

    boss = await platform.login("bantul", boss_nip)

    async def known_to_targets() -> bool:
        team = await get(platform, "targets", "/skp/team", boss, limit=500)
        return any(m["employee_id"] == created["id"] for m in team["items"])

    await wait_until(known_to_targets, timeout=30)
    year = local_today(plan.time_zone).year
    options = await get(platform, "targets", "/skp/parent-options", token, year=year)
    assert options and options[0]["supervisor_id"] == boss_id
    skp = await post(
        platform,
        "targets",
        "/skp",
        token,
        {
            "year": year,
            "rhk": [
                {
                    "title": "Terkelolanya aplikasi antrean loket pelayanan",
                    "kind": "utama",
                    "parent_rhk_id": options[0]["rhk_id"],
                    "indicators": [
                        {
                            "name": "Gangguan aplikasi yang ditangani",
                            "aspect": "kuantitas",
                            "target": 40,
                            "unit": "kali",
                        }
                    ],
                }
            ],
        },
    )
    await post(platform, "targets", f"/skp/{skp['id']}/submit", token, None)
    approved = await post(platform, "targets", f"/skp/{skp['id']}/approve", boss, None)
    assert approved["status"] == "approved"

    def target_set(events: list[Envelope]) -> bool:
        return any(p.employee_id == created["id"] for p in payloads(events, TargetSet))

    events = await events_until(
        platform.bootstrap, platform.topic(TARGETS_TOPIC), target_set, timeout=30
    )
    mine = [p for p in payloads(events, TargetSet, "bantul") if p.employee_id == created["id"]]
    assert len(mine) == 1
    assert mine[0].approved_by == boss_id
    assert mine[0].rhk[0].parent_rhk_id == options[0]["rhk_id"]
    # Every demo SKP was approved once, with its event: nothing lost between the services.
    for slug, regency in platform.plans.items():
        sets = {p.employee_id for p in payloads(events, TargetSet, slug)}
        ids = await ids_by_nip(platform, await admin_token(platform, slug))
        assert {ids[p.nip] for p in regency.people if p.rhk} <= sets


async def test_other_regency_sees_nothing(platform: Platform) -> None:
    bantul_admin = await admin_token(platform, "bantul")
    jayapura_admin = await admin_token(platform, "jayapura")
    staff = (await ids_by_nip(platform, bantul_admin))[
        platform.plans["bantul"].person("staf_dafduk_1").nip
    ]
    counter = (await unit_ids(platform, bantul_admin))["DUKCAPIL-L1"]
    for service, path in (
        ("identity", f"/employees/{staff}"),
        ("targets", f"/skp?employee_id={staff}"),
        ("feedback", f"/units/{counter}/survey-summary"),
    ):
        async with platform.client(service) as client:
            answer = await client.get(path, headers=auth(jayapura_admin))
        assert answer.status_code == 404, (service, answer.status_code, answer.text)


# ---------------------------------------------------------------- citizens -> feedback


async def test_public_survey_shows_up_in_the_unit_summary(platform: Platform) -> None:
    plan = platform.plans["bantul"]
    admin = await admin_token(platform, "bantul")
    counter = (await unit_ids(platform, admin))["DUKCAPIL-L1"]
    demo = answers_of(plan, "DUKCAPIL-L1")
    before = await get(platform, "feedback", f"/units/{counter}/survey-summary", admin)
    assert before["responses"] == len(demo) == 50
    assert before["ikm"] == float(skm.ikm(demo).ikm)

    officer_nip = plan.person("staf_dafduk_1").nip
    officer = await platform.login("bantul", officer_nip)
    issued = await post(
        platform, "feedback", "/survey-tokens", officer, {"service_type": "Perekaman KTP-el"}
    )
    assert issued["unit_id"] == counter
    mine = (4, 4, 3, 2, 4, 3, 4, 1, 3)
    transport = httpx.AsyncHTTPTransport(local_address="127.0.3.7")  # a citizen's own address
    async with platform.client("feedback", transport=transport) as citizen:
        form = await citizen.get(f"/public/bantul/surveys/{issued['token']}")
        assert form.status_code == 200 and form.json()["unit_name"].startswith("Loket 1")
        receipt = await citizen.post(
            f"/public/bantul/surveys/{issued['token']}",
            json={"answers": dict(zip(skm.ELEMENTS, mine, strict=True))},
        )
        assert receipt.status_code == 201, receipt.text
        again = await citizen.post(
            f"/public/bantul/surveys/{issued['token']}",
            json={"answers": dict(zip(skm.ELEMENTS, mine, strict=True))},
        )
        assert again.status_code == 409  # one survey per service transaction
    after = await get(platform, "feedback", f"/units/{counter}/survey-summary", admin)
    assert after["responses"] == 51
    assert after["ikm"] == float(skm.ikm([*demo, mine]).ikm)
    assert after["category"] == skm.ikm([*demo, mine]).category

    survey_id = receipt.json()["survey_id"]
    events = await events_until(
        platform.bootstrap,
        platform.topic(FEEDBACK_TOPIC),
        lambda evs: any(p.survey_id == survey_id for p in payloads(evs, SurveyReceived)),
    )
    assert len({p.survey_id for p in payloads(events, SurveyReceived, "bantul")}) == 61


# ---------------------------------------------------------------- everything -> scoring


async def eventually(problems: Callable[[], Awaitable[list[str]]], timeout: float = 30) -> None:
    """Poll until ``problems`` finds none (a consumer catching up); fail with the last ones."""
    deadline = time.monotonic() + timeout
    while True:
        found = await problems()
        if not found or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert not found, "; ".join(found)


async def check_scores(platform: Platform, slug: str, plan: RegencyPlan) -> None:
    admin = await admin_token(platform, slug)
    ids = await ids_by_nip(platform, admin)
    units = await unit_ids(platform, admin)
    people = [p for p in plan.people if p.rhk and p.key != CRASH_PERSON]

    async def score(person: PersonPlan) -> dict[str, Any]:
        found: dict[str, Any] = await get(
            platform, "scoring", f"/scores/employees/{ids[person.nip]}", admin
        )
        return found

    async def wrong_achievements() -> list[str]:
        wrong = []
        for person in people:
            shown, expected = (await score(person))["achievement"], expected_achievement(person)
            if shown is None or expected is None or abs(shown - expected) > 1e-6:
                wrong.append(f"{slug} {person.key}: achievement {shown}, expected {expected}")
        return wrong

    await eventually(wrong_achievements)
    for person in people:
        if person.pace == "behind":  # behind target shows in the projection
            assert (await score(person))["projected_achievement"] < 80

    async def unit_ikm(code: str) -> tuple[int, float | None]:
        shown = (await get(platform, "scoring", f"/scores/units/{units[code]}", admin))["ikm"]
        return shown["responses"], shown["ikm"]

    async def wrong_ikm() -> list[str]:
        wrong = []
        for code in ("DUKCAPIL-L1", "DUKCAPIL-L2"):
            answers = answers_of(plan, code)
            if (slug, code) == ("bantul", "DUKCAPIL-L1"):
                # The survey test may have added one: scoring must agree with feedback.
                summary = await get(
                    platform, "feedback", f"/units/{units[code]}/survey-summary", admin
                )
                expected = (summary["responses"], summary["ikm"])
            elif answers:
                result = skm.ikm(answers)
                expected = (result.responses, float(result.ikm))
            else:
                expected = (0, None)
            if (shown := await unit_ikm(code)) != expected:
                wrong.append(f"{slug} {code}: IKM {shown}, expected {expected}")
        return wrong

    await eventually(wrong_ikm)


async def test_scoring_shows_achievement_and_ikm_computed_from_the_demo(
    platform: Platform,
) -> None:
    for slug, plan in platform.plans.items():
        await check_scores(platform, slug, plan)


# ---------------------------------------------------------------- a crash loses nothing


async def test_sigkill_of_targets_mid_way_loses_nothing(platform: Platform) -> None:
    plan = platform.plans["bantul"]
    person = plan.person(CRASH_PERSON)
    token = await platform.login("bantul", person.nip)
    me = (await get(platform, "identity", "/me", token))["employee"]["id"]
    skp = (await get(platform, "targets", "/skp", token))["items"][0]
    indicator = skp["rhk"][0]["indicators"][0]["indicator_id"]
    before = await get(platform, "targets", "/activities", token, limit=500)
    assert before["total"] == len(person.entries) + len(person.last_entries)  # both years

    accepted: list[str] = []
    refused: list[str] = []
    enough, stop = threading.Event(), threading.Event()
    today = local_today(plan.time_zone).isoformat()

    def log_until_gone() -> None:
        with httpx.Client(
            base_url=platform.url("targets"), headers=auth(token), timeout=5
        ) as client:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    answer = client.post(
                        "/activities",
                        json={
                            "skp_id": skp["id"],
                            "indicator_id": indicator,
                            "activity_date": today,
                            "value": 1,
                            "note": f"laporan evaluasi {n}",
                        },
                    )
                except httpx.TransportError:
                    return  # the service is gone
                if answer.status_code != 201:
                    refused.append(answer.text)
                    return
                accepted.append(answer.json()["id"])
                if len(accepted) >= 8:
                    enough.set()

    writer = threading.Thread(target=log_until_gone)
    writer.start()
    try:
        assert await asyncio.to_thread(enough.wait, 30), refused
        platform.kill("targets")  # while the writer is still writing
    finally:
        stop.set()
        await asyncio.to_thread(writer.join, 30)
    assert not refused
    await asyncio.to_thread(platform.restart, "targets")

    after = await get(platform, "targets", "/activities", token, limit=500)
    stored = {a["id"]: a for a in after["items"]}
    assert {a["id"] for a in before["items"]} | set(accepted) <= set(stored)
    # At most the one request in flight at the kill may have committed unanswered.
    assert len(stored) - len(before["items"]) - len(accepted) in (0, 1)
    assert (await get(platform, "targets", f"/skp/{skp['id']}", token))["status"] == "approved"

    def every_entry_published(events: list[Envelope]) -> bool:
        return set(stored) <= {p.activity_id for p in payloads(events, ActivityLogged)}

    events = await events_until(
        platform.bootstrap, platform.topic(TARGETS_TOPIC), every_entry_published, timeout=30
    )
    mine = [p for p in payloads(events, ActivityLogged) if p.employee_id == me]
    assert {p.activity_id for p in mine} == set(stored)

    # And the consumer downstream counted every entry once.
    total = sum(a["value"] for a in stored.values() if a["indicator_id"] == indicator)

    async def scoring_counted() -> bool:
        score = await get(platform, "scoring", f"/scores/employees/{me}", token)
        figures = [
            i for r in score["rhk"] for i in r["indicators"] if i["indicator_id"] == indicator
        ]
        return bool(figures) and figures[0]["realisation"] == total

    await wait_until(scoring_counted, timeout=30, interval=0.5)
