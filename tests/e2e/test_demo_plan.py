"""The demo plan itself, without any service: valid NIPs, a sane tree, a log that fits."""

from __future__ import annotations

from datetime import date

import pytest

from deploy.demo.org import SKP
from deploy.demo.plan import demo_plan, make_nip
from deploy.demo.regencies import REGENCIES
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
    plan = demo_plan(REGENCIES[0], date(2026, 11, 24))
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
