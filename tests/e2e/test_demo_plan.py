"""The demo plan itself, without any service: valid NIPs, a sane tree, a log that fits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from deploy.demo.org import SKP
from deploy.demo.plan import demo_plan, make_nip
from deploy.demo.regencies import REGENCIES, SEED_REGENCIES
from services.identity.domain import NipError, parse_nip

pytestmark = pytest.mark.unit

DAYS = [date(2026, 11, 24), date(2026, 1, 1), date(2026, 1, 5), date(2027, 12, 31)]


@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("place", REGENCIES, ids=lambda p: p.slug)
def test_people_have_valid_unique_nips_and_a_tree(place, today) -> None:  # type: ignore[no-untyped-def]
    plan = demo_plan(place, today)
    assert 25 <= len(plan.people) <= 35
    nips = [p.nip for p in plan.people]
    assert len(set(nips)) == len(nips)
    for person in plan.people:
        parsed = parse_nip(person.nip, today=today)
        assert parsed.sex in (1, 2)
        assert plan.depth(person) <= 3  # sekda -> kepala dinas -> kepala bidang -> staf
        assert person.unit in {u.code for u in plan.units}
    roots = [p for p in plan.people if p.supervisor is None]
    assert [r.key for r in roots] == ["sekda"]
    assert plan.kepala_daerah[0] and plan.kepala_daerah[1]  # approves and assesses the Sekda
    assert {u.head for u in plan.units if u.head} <= {p.key for p in plan.people}


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_log_stays_in_the_year_and_never_in_the_future(today: date) -> None:
    for place in REGENCIES:
        for person in demo_plan(place, today).people:
            for entry in person.entries:
                assert entry.day.year == today.year and entry.day <= today
                assert entry.value >= 0
                assert person.rhk[entry.rhk].kind == "utama"


def test_cascades_name_an_rhk_of_the_supervisors_skp() -> None:
    plan = demo_plan(REGENCIES[0], date(2026, 11, 24))
    for person in plan.people:
        boss = plan.person(person.supervisor) if person.supervisor else None
        for rhk in person.rhk:
            if rhk.supports is not None:
                assert boss is not None and rhk.supports < len(boss.rhk)
    assert all(any(r.kind == "utama" for r in content) for content in SKP.values())


def test_paces_and_citizens() -> None:
    plan = demo_plan(next(r for r in REGENCIES if r.slug == "bantul"), date(2026, 11, 24))
    paces = [p.pace for p in plan.people]
    assert paces.count("silent") == 1 and paces.count("behind") >= 2
    silent = next(p for p in plan.people if p.pace == "silent")
    assert max(e.day for e in silent.entries) <= date(2026, 11, 3)  # > 5 working days ago
    assert len([s for s in plan.surveys if s.unit == "DUKCAPIL-L1"]) == 50
    assert all(len(s.answers) == 9 and set(s.answers) <= {1, 2, 3, 4} for s in plan.surveys)
    assert {c.steps[-1][0] for c in plan.complaints} >= {"resolved", "not_our_authority"}


def test_make_nip_refuses_what_identity_refuses() -> None:
    assert make_nip(date(1990, 2, 28), (2014, 3), 1, 7) == "199002282014031007"
    for bad in ((date(2000, 6, 1), (2018, 5), 1, 1), (date(1990, 1, 1), (2014, 1), 3, 1)):
        with pytest.raises(ValueError):
            make_nip(*bad)
    with pytest.raises(NipError):
        parse_nip("200006012018051001", today=date(2026, 1, 1))


def test_the_five_regencies_of_the_documents_in_their_time_zones() -> None:
    zones = {p.slug: p.time_zone for p in REGENCIES}
    assert set(SEED_REGENCIES) <= set(zones)
    assert zones["salor"] == "Asia/Jayapura" and zones["bantul"] == "Asia/Jakarta"
    plans = {p.slug: demo_plan(p, date(2026, 11, 24)) for p in REGENCIES}
    assert "PKM" in {u.code for u in plans["bukitintan"].units}  # patients, emergencies
    assert "DPMPTSP" in {u.code for u in plans["muaratebo"].units}  # business licences
    salor = {i.name for p in plans["salor"].people for r in p.rhk for i in r.indicators}
    assert "Rata-rata waktu tunggu warga" in salor  # the waiting time at the village office


def test_last_year_has_a_spread_of_predikat_and_an_objector() -> None:
    for place in REGENCIES:
        plan = demo_plan(place, date(2026, 11, 24))
        rated = [p.last_year for p in plan.people if p.last_year]
        assert len(rated) == len([p for p in plan.people if p.rhk])
        assert {r[0] for r in rated} >= {"di_atas", "sesuai", "di_bawah"}
        objector = plan.person(plan.objector or "")
        assert objector.last_year is not None and objector.last_year[0] == "di_bawah"
        for person in plan.people:
            assert all(e.day.year == 2025 for e in person.last_entries)


def test_size_adds_teams_with_valid_unique_nips() -> None:
    plan = demo_plan(REGENCIES[0], date(2026, 11, 24), size=600)
    assert len(plan.people) == 600
    assert len({p.nip for p in plan.people}) == 600
    assert len({p.name for p in plan.people}) == 600
    for person in plan.people[::37]:
        parse_nip(person.nip, today=date(2026, 11, 24))
        assert person.supervisor is None or plan.person(person.supervisor)


def test_the_readme_names_the_logins_the_demo_prints() -> None:
    """The first ten minutes of the README give Bantul's real logins."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    plan = demo_plan(next(p for p in REGENCIES if p.slug == "bantul"))
    for key in ("kabid_dafduk", "staf_dafduk_3", "staf_capil_2"):
        person = plan.person(key)
        assert f"`bantul` / `{person.nip}` | {person.name.split(',')[0]}" in readme, key
    assert f"`bantul` / `{plan.admin_username}`" in readme
