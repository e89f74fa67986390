"""Regencies, units and employees over HTTP, their events on real Kafka, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.common.events import (
    EmployeeDeactivated,
    EmployeeRegistered,
    EmployeeUpdated,
    TenantRegistered,
    UnitCreated,
    UnitUpdated,
)
from services.common.security import Role, issue_token
from services.identity.models import Employee, Tenant, Unit, UserAccount
from tests.identity.conftest import Identity, nip
from tests.support import bearer

pytestmark = pytest.mark.kafka


async def test_org_chart_changes_reach_kafka_in_order(identity: Identity) -> None:
    await identity.tenant("bantul")
    admin = identity.admin("bantul")
    dinas = await identity.unit("bantul", "Dinas Kependudukan", code="DISDUK")
    counter = await identity.unit(
        "bantul", "Loket KTP", kind="counter", parent_id=dinas, serves_public=True
    )
    boss = await identity.employee("bantul", 1, dinas)
    staff = await identity.employee("bantul", 2, counter, supervisor_id=boss)
    await identity.ok(
        "PATCH", f"/api/v1/employees/{staff}", admin, json={"position": "Kepala Loket"}
    )
    await identity.ok("PATCH", f"/api/v1/units/{counter}", admin, json={"head_employee_id": staff})
    settings = await identity.ok(
        "PATCH",
        "/api/v1/tenant/settings",
        admin,
        # Every setting of TenantSettings is the admin's to change (the settings page).
        json={
            "evaluation_cadence": "quarterly",
            "min_aggregate_size": 7,
            "survey_tokens_per_issuer_per_day": 50,
            "legacy_behaviour_points": {"di_atas": 100, "sesuai": 80, "di_bawah": 40},
        },
    )
    assert settings["settings"]["evaluation_cadence"] == "quarterly"
    assert settings["settings"]["legacy_behaviour_points"]["di_bawah"] == 40
    assert settings["settings"]["min_aggregate_size"] == 7
    assert settings["settings"]["survey_tokens_per_issuer_per_day"] == 50
    gone = await identity.ok(
        "POST", f"/api/v1/employees/{staff}/deactivate", admin, json={"reason": "pensiun"}
    )
    assert gone["active"] is False and gone["deactivated_at"]

    events = await identity.published(expected=9)
    # Kafka keeps order per key (one regency, unit or employee), not across partitions.
    assert sorted(e.type for e in events) == sorted(
        [
            *[TenantRegistered.TYPE] * 2,
            *[UnitCreated.TYPE] * 2,
            UnitUpdated.TYPE,
            *[EmployeeRegistered.TYPE] * 2,
            EmployeeUpdated.TYPE,
            EmployeeDeactivated.TYPE,
        ]
    )
    by_key: dict[str, list[object]] = {}
    for event in events:
        assert event.tenant == "bantul"
        by_key.setdefault(event.key, []).append(event.payload)
    tenant_events = by_key["bantul"]
    assert [type(p) for p in tenant_events] == [TenantRegistered, TenantRegistered]
    assert tenant_events[1].settings.evaluation_cadence == "quarterly"  # type: ignore[attr-defined]
    registered, updated, deactivated = by_key[f"bantul:{staff}"]
    assert isinstance(registered, EmployeeRegistered)
    assert (registered.nip, registered.unit_id, registered.supervisor_id) == (nip(2), counter, boss)
    assert isinstance(updated, EmployeeUpdated) and updated.position == "Kepala Loket"
    assert isinstance(deactivated, EmployeeDeactivated) and deactivated.reason == "pensiun"
    created, unit = by_key[f"bantul:{counter}"]
    assert isinstance(created, UnitCreated) and created.head_employee_id is None
    assert isinstance(unit, UnitUpdated)
    assert (unit.head_employee_id, unit.serves_public, unit.parent_id) == (staff, True, dinas)
    # History is kept: the row stays, the account is disabled.
    assert await identity.count(Employee, id=staff, active=False) == 1
    assert await identity.count(UserAccount, employee_id=staff, active=False) == 1


async def test_bad_input_is_refused_with_a_reason_and_writes_nothing(
    identity: Identity,
) -> None:
    await identity.tenant("bantul")
    await identity.tenant("sleman")
    admin = identity.admin("bantul")
    root = await identity.unit("bantul", "Sekretariat Daerah", code="SETDA")
    child = await identity.unit("bantul", "Bagian Organisasi", parent_id=root)
    boss = await identity.employee("bantul", 1, root)
    staff = await identity.employee("bantul", 2, child, supervisor_id=boss)
    foreign_unit = await identity.unit("sleman", "Dinas Sleman")
    foreign = await identity.employee("sleman", 3, foreign_unit)

    tables = (Tenant, Unit, Employee, UserAccount)
    before = [await identity.count(t) for t in tables]
    staged = await identity.staged_types()

    new = {"name": "Baru", "position": "Analis", "unit_id": root}
    refusals = [
        # a malformed NIP (too short, impossible date, sex digit)
        ("POST", "/api/v1/employees", {**new, "nip": "1985031520100110"}, 400, "18 digits"),
        ("POST", "/api/v1/employees", {**new, "nip": "198502302010011009"}, 400, "birth date"),
        ("POST", "/api/v1/employees", {**new, "nip": "198503152010013009"}, 400, "sex"),
        # a duplicate NIP in the tenant
        ("POST", "/api/v1/employees", {**new, "nip": nip(1)}, 409, "already registered"),
        # a supervisor in another tenant, on create and on update
        (
            "POST",
            "/api/v1/employees",
            {**new, "nip": nip(9), "supervisor_id": foreign},
            400,
            "not an employee of this regency",
        ),
        (
            "PATCH",
            f"/api/v1/employees/{staff}",
            {"supervisor_id": foreign},
            400,
            "not an employee of this regency",
        ),
        # a unit of another tenant
        ("POST", "/api/v1/employees", {**new, "nip": nip(9), "unit_id": foreign_unit}, 400, "unit"),
        # a supervisor cycle, and supervising oneself
        ("PATCH", f"/api/v1/employees/{boss}", {"supervisor_id": staff}, 400, "cycle"),
        ("PATCH", f"/api/v1/employees/{boss}", {"supervisor_id": boss}, 400, "own supervisor"),
        # a unit cycle, a foreign parent unit, a duplicate unit code
        ("PATCH", f"/api/v1/units/{root}", {"parent_id": child}, 400, "cycle"),
        ("PATCH", f"/api/v1/units/{root}", {"parent_id": root}, 400, "own parent"),
        (
            "POST",
            "/api/v1/units",
            {"name": "X", "kind": "dinas", "parent_id": foreign_unit},
            400,
            "not a unit of this regency",
        ),
        ("POST", "/api/v1/units", {"name": "X", "kind": "dinas", "code": "SETDA"}, 409, "SETDA"),
        ("POST", "/api/v1/units", {"name": "X", "kind": "ministry"}, 422, "kind"),
        # over a size bound (issue 11): an id, a name, a body over the 1 MiB cap
        ("PATCH", f"/api/v1/units/{root}", {"parent_id": "u" * 65}, 422, "at most 64"),
        ("PATCH", f"/api/v1/employees/{boss}", {"unit_id": "u" * 65}, 422, "at most 64"),
        ("POST", "/api/v1/units", {"name": "€" * 201, "kind": "dinas"}, 422, "at most 200"),
        ("POST", "/api/v1/units", {"name": "x" * 2_000_000, "kind": "dinas"}, 413, "larger"),
        # settings that break a rule
        (
            "PATCH",
            "/api/v1/tenant/settings",
            {"rating_meets_threshold": 150},
            400,
            "rating_meets_threshold",
        ),
        (
            "PATCH",
            "/api/v1/tenant/settings",
            {"legacy_behaviour_points": {"di_atas": 100, "sesuai": 80}},
            400,
            "di_bawah",
        ),
        (
            "PATCH",
            "/api/v1/tenant/settings",
            {"legacy_behaviour_points": {"di_atas": 101, "sesuai": 80, "di_bawah": 0}},
            400,
            "between 0 and 100",
        ),
        # deactivating a supervisor who still has reports
        ("POST", f"/api/v1/employees/{boss}/deactivate", {}, 409, "supervises"),
    ]
    for method, url, body, code, reason in refusals:
        response = await identity.client.request(method, url, json=body, headers=admin)
        assert response.status_code == code, (url, body, response.text)
        assert reason in str(response.json()["detail"]), (url, body, response.text)

    # an unknown time zone, a taken slug (platform)
    for body, code, reason in (
        ({"slug": "gunungkidul", "name": "G", "time_zone": "Asia/Tokyo"}, 422, "time_zone"),
        ({"slug": "bantul", "name": "Bantul", "time_zone": "Asia/Jakarta"}, 409, "exists"),
    ):
        response = await identity.client.post(
            "/api/v1/tenants", json=body, headers=identity.platform
        )
        assert response.status_code == code, response.text
        assert reason in str(response.json()["detail"])

    assert [await identity.count(t) for t in tables] == before
    assert await identity.staged_types() == staged
    # Kafka holds exactly what the outbox staged: the refused requests sent nothing.
    fence = await identity.unit("bantul", "Fence")
    events = await identity.published(expected=len(staged) + 1)
    assert sorted(str(e.event_id) for e in events) == await identity.staged_ids()
    assert any(isinstance(e.payload, UnitCreated) and e.payload.unit_id == fence for e in events)


async def test_tenants_are_isolated_and_roles_are_enforced(identity: Identity) -> None:
    await identity.tenant("bantul")
    await identity.tenant("sleman")
    unit = await identity.unit("bantul", "Dinas Kesehatan")
    boss = await identity.employee("bantul", 1, unit)
    staff = await identity.employee("bantul", 2, unit, supervisor_id=boss)
    foreign_unit = await identity.unit("sleman", "Dinas Sleman")
    foreign = await identity.employee("sleman", 3, foreign_unit)
    client = identity.client
    admin = identity.admin("bantul")

    # Any id of another regency answers 404, like a missing one.
    for method, url, body in (
        ("GET", f"/api/v1/employees/{foreign}", None),
        ("GET", f"/api/v1/units/{foreign_unit}", None),
        ("PATCH", f"/api/v1/employees/{foreign}", {"position": "x"}),
        ("PATCH", f"/api/v1/units/{foreign_unit}", {"name": "x"}),
        ("POST", f"/api/v1/employees/{foreign}/deactivate", {}),
        ("POST", f"/api/v1/employees/{foreign}/password", {"password": "sandi-baru-123"}),
        ("GET", "/api/v1/employees/no-such-id", None),
    ):
        response = await client.request(method, url, json=body, headers=admin)
        assert response.status_code == 404, (url, response.text)
    listed = await client.get("/api/v1/employees", params={"q": "Pegawai"}, headers=admin)
    assert {e["id"] for e in listed.json()["items"]} == {boss, staff}

    # An admin of bantul cannot create accounts in sleman (nor any regency's first admin).
    response = await client.post(
        "/api/v1/tenants/sleman/admins",
        json={"username": "intruder", "password": "sandi-rahasia-1"},
        headers=admin,
    )
    assert response.status_code == 403
    assert await identity.count(UserAccount, tenant="sleman", username="intruder") == 0

    # A pegawai reads colleagues (without their NIP) but edits nobody.
    pegawai = identity.pegawai("bantul", staff)
    colleagues = await identity.ok(
        "GET", "/api/v1/employees", pegawai, params={"supervisor_id": boss}
    )
    assert [(e["id"], e["nip"]) for e in colleagues["items"]] == [(staff, nip(2))]
    boss_view = await identity.ok("GET", f"/api/v1/employees/{boss}", pegawai)
    assert boss_view["name"] == "Pegawai 1" and boss_view["nip"] is None
    by_nip = await identity.ok("GET", "/api/v1/employees", pegawai, params={"q": nip(1)[:10]})
    assert by_nip["total"] == 0  # NIP search is for admins only
    for method, url, body in (
        ("PATCH", f"/api/v1/employees/{boss}", {"position": "x"}),
        ("PATCH", f"/api/v1/employees/{staff}", {"position": "x"}),
        (
            "POST",
            "/api/v1/employees",
            {"nip": nip(5), "name": "x", "position": "x", "unit_id": unit},
        ),
        ("POST", "/api/v1/units", {"name": "x", "kind": "dinas"}),
        ("POST", f"/api/v1/employees/{boss}/deactivate", {}),
        ("PATCH", "/api/v1/tenant/settings", {"legacy_score_enabled": True}),
        ("POST", "/api/v1/import/units", None),
    ):
        response = await client.request(method, url, json=body, headers=pegawai)
        assert response.status_code == 403, (url, response.text)

    # The platform operator sees regencies, not people; ops sees neither.
    assert (await client.get("/api/v1/employees", headers=identity.platform)).status_code == 403
    tenants = await identity.ok("GET", "/api/v1/tenants", identity.platform)
    assert [t["slug"] for t in tenants["items"]] == ["bantul", "sleman"]
    ops = bearer(tenant=None, roles=[Role.OPS])
    assert (await client.get("/api/v1/tenants", headers=ops)).status_code == 403
    assert (await client.get("/api/v1/units", headers=ops)).status_code == 403

    # Expired and forged tokens get 401.
    expired = issue_token(
        secret=identity.settings.jwt_secret,
        user_id="u",
        tenant="bantul",
        roles=[Role.ADMIN],
        employee_id=None,
        lifetime=timedelta(seconds=-1),
    )
    forged = bearer(tenant="bantul", roles=[Role.ADMIN], secret="x" * 40)
    for headers in ({"Authorization": f"Bearer {expired}"}, forged, {}):
        response = await client.get("/api/v1/employees", headers=headers)
        assert response.status_code == 401, response.text
    assert await identity.count(Employee) == 3


async def test_lists_are_paginated_and_filtered(identity: Identity) -> None:
    await identity.tenant("bantul")
    admin = identity.admin("bantul")
    dinas = await identity.unit("bantul", "Dinas Pendidikan", code="DISDIK")
    await identity.unit("bantul", "Kecamatan Sewon", kind="kecamatan", code="KEC-SEWON")
    school = await identity.unit("bantul", "SD Negeri 1", parent_id=dinas, serves_public=True)
    boss = await identity.employee("bantul", 1, dinas, name="Budi Santoso")
    for i, name in enumerate(["Ani", "Andi", "Bambang", "Citra"], start=2):
        await identity.employee("bantul", i, school, name=name, supervisor_id=boss)

    async def names(**params: object) -> tuple[list[str], int]:
        page = await identity.ok("GET", "/api/v1/employees", admin, params=params)
        return [e["name"] for e in page["items"]], page["total"]

    assert await names() == (["Andi", "Ani", "Bambang", "Budi Santoso", "Citra"], 5)
    assert await names(limit=2, offset=2) == (["Bambang", "Budi Santoso"], 5)
    assert await names(unit_id=school) == (["Andi", "Ani", "Bambang", "Citra"], 4)
    assert await names(supervisor_id=boss, q="an") == (["Andi", "Ani"], 2)
    assert await names(q="b") == (["Bambang", "Budi Santoso"], 2)
    assert await names(q=nip(1)) == (["Budi Santoso"], 1)
    assert await names(q="%") == ([], 0)  # wildcards are taken literally
    bad = await identity.client.get("/api/v1/employees?limit=0", headers=admin)
    assert bad.status_code == 422

    units = await identity.ok("GET", "/api/v1/units", admin, params={"parent_id": dinas})
    assert [u["id"] for u in units["items"]] == [school]
    kecamatan = await identity.ok("GET", "/api/v1/units", admin, params={"kind": "kecamatan"})
    assert [u["code"] for u in kecamatan["items"]] == ["KEC-SEWON"]
    public = await identity.ok("GET", "/api/v1/units", admin, params={"serves_public": True})
    assert public["total"] == 1
    coded = await identity.ok("GET", "/api/v1/units", admin, params={"q": "dis"})
    assert [u["code"] for u in coded["items"]] == ["DISDIK"]


def test_every_tenant_setting_can_be_patched() -> None:
    """The admin's settings page offers every setting; the patch must accept each one."""
    from services.common.events import TenantSettings
    from services.identity.models import TenantSettingsPatch

    assert set(TenantSettingsPatch.model_fields) == set(TenantSettings.model_fields)
