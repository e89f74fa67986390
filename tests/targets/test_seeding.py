"""The bulk seeding path (``services.targets.seeding``, used by bench/http_scale): the same
rows and events as the HTTP path, its refusals, all or nothing."""

from __future__ import annotations

import pytest

from services.common.events import ActivityLogged, TargetSet
from services.common.refusals import Forbidden, Refusal
from services.targets.models import Activity, IndicatorIn, RhkIn, Skp, SkpTransition
from services.targets.seeding import SeedEntry, SeedSkp, seed_skps, seeded_owners
from tests.targets.harness import TENANT, YEAR, Targets

pytestmark = pytest.mark.kafka


def content() -> list[RhkIn]:
    return [
        RhkIn(
            title="Layanan KTP-el tepat waktu",
            kind="utama",
            indicators=[
                IndicatorIn(name="KTP-el", aspect="kuantitas", target=1200, unit="dokumen")
            ],
        )
    ]


def item(employee: str, supervisor: str) -> SeedSkp:
    from services.common.workdays import local_today

    day = local_today("Asia/Jakarta")
    entry = SeedEntry(rhk=0, indicator=0, day=day, value=3.0)
    return SeedSkp(employee, supervisor, content(), (entry,))


async def test_seeded_skps_are_approved_with_the_routes_rows_and_events(
    targets: Targets,
) -> None:
    sessions = targets.runtime.sessions
    items = [item("pegawai", "atasan"), item("peer", "atasan"), item("atasan", "kepala")]
    seeded = await seed_skps(
        sessions, environment="development", tenant=TENANT, year=YEAR, items=items
    )
    assert seeded == 3
    assert await seeded_owners(sessions, TENANT, YEAR) == {"pegawai", "peer", "atasan"}
    listed = await targets.call("GET", "/skp", "pegawai", params={"year": YEAR})
    [skp] = listed["items"]
    assert (skp["status"], skp["approved_version"]) == ("approved", 1)
    history = await targets.call("GET", f"/skp/{skp['id']}/history", "pegawai")
    assert [h["action"] for h in history["items"]] == ["created", "submitted", "approved"]
    log = await targets.call("GET", "/activities", "pegawai", params={"skp_id": skp["id"]})
    assert [a["value"] for a in log["items"]] == [3.0]
    events = await targets.kafka(expected=6)
    assert sorted(type(e.payload).__name__ for e in events) == sorted(
        ["TargetSet"] * 3 + ["ActivityLogged"] * 3
    )
    approved = {
        e.payload.employee_id: e.payload for e in events if isinstance(e.payload, TargetSet)
    }
    assert approved["pegawai"].approved_by == "atasan"
    assert approved["atasan"].approved_by == "kepala"
    assert all(isinstance(e.payload, (TargetSet, ActivityLogged)) for e in events)


async def test_seeding_is_refused_outside_development(targets: Targets) -> None:
    with pytest.raises(Forbidden):
        await seed_skps(
            targets.runtime.sessions,
            environment="production",
            tenant=TENANT,
            year=YEAR,
            items=[item("pegawai", "atasan")],
        )
    assert await targets.count(Skp) == 0


async def test_a_refused_item_refuses_the_whole_batch(targets: Targets) -> None:
    """``peer`` does not report to ``kepala``: the approval is refused as the route would
    refuse it, and the item before it is rolled back with it."""
    with pytest.raises(Refusal):
        await seed_skps(
            targets.runtime.sessions,
            environment="development",
            tenant=TENANT,
            year=YEAR,
            items=[item("pegawai", "atasan"), item("peer", "kepala")],
        )
    assert await targets.count(Skp) == 0
    assert await targets.count(SkpTransition) == 0
    assert await targets.count(Activity) == 0
