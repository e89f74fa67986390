"""E-mail contacts: a person sets their address, preference and language; an admin may
set an employee's; every change is published as contact.set for the gateway."""

from __future__ import annotations

import pytest

from services.common.events import ContactSet
from services.common.security import Role
from services.identity.models import AccountContact
from tests.identity.conftest import Identity
from tests.support import bearer

pytestmark = pytest.mark.kafka


async def test_a_person_sets_their_contact_and_the_admin_an_employees(identity: Identity) -> None:
    await identity.tenant("bantul")
    await identity.tenant("sleman")
    admin = identity.admin("bantul")
    unit = await identity.unit("bantul", "Dinas Kependudukan")
    employee = await identity.employee("bantul", 1, unit)
    url = f"/api/v1/employees/{employee}/contact"

    # Nothing set yet: no address, nothing mailed, Indonesian.
    empty = await identity.ok("GET", url, admin)
    assert (empty["email"], empty["preference"], empty["locale"], empty["name"]) == (
        None,
        "none",
        "id",
        "Pegawai 1",
    )
    me = bearer(
        tenant="bantul", roles=[Role.PEGAWAI], employee_id=employee, user_id=empty["user_id"]
    )
    saved = await identity.ok(
        "PUT",
        "/api/v1/me/contact",
        me,
        json={"email": "Siti.Rahma@Bantulkab.go.id", "preference": "immediate", "locale": "en"},
    )
    # email-validator normalises the domain (lower case), never the local part.
    assert (saved["email"], saved["preference"], saved["locale"]) == (
        "Siti.Rahma@bantulkab.go.id",
        "immediate",
        "en",
    )
    assert (await identity.ok("GET", "/api/v1/me/contact", me))["email"] == saved["email"]

    # Bad input: a clear 422 by field in the reader's language, or 400 with the reason.
    bad_body = {"email": "siti@", "preference": "digest"}
    bad = await identity.client.put(
        "/api/v1/me/contact", json=bad_body, headers={**me, "Accept-Language": "id"}
    )
    assert bad.status_code == 422, bad.text
    assert bad.json()["detail"][0]["msg"] == "bukan alamat e-mail yang sah"
    assert bad.json()["detail"][0]["loc"][-1] == "email"
    english = await identity.client.put("/api/v1/me/contact", json=bad_body, headers=me)
    assert "not a valid e-mail address" in english.json()["detail"][0]["msg"]
    odd = await identity.client.put(
        "/api/v1/me/contact", json={"email": "a@b.id", "preference": "weekly"}, headers=me
    )
    assert odd.status_code == 422
    without = await identity.client.put(
        "/api/v1/me/contact",
        json={"email": None, "preference": "digest"},
        headers={**me, "Accept-Language": "id"},
    )
    assert without.status_code == 400
    assert without.json()["detail"] == (
        "alamat e-mail diperlukan untuk menerima e-mail (ringkasan harian)"
    )

    # The admin sets the digest; another regency's admin cannot see the employee.
    digest = await identity.ok(
        "PUT", url, admin, json={"email": "siti@bantulkab.go.id", "preference": "digest"}
    )
    assert (digest["preference"], digest["locale"]) == ("digest", "id")
    foreign = await identity.client.get(url, headers=identity.admin("sleman"))
    assert foreign.status_code == 404
    pegawai_on_admin_route = await identity.client.put(url, json={}, headers=me)
    assert pegawai_on_admin_route.status_code == 403
    platform = await identity.client.get("/api/v1/me/contact", headers=identity.platform)
    assert platform.status_code == 403
    assert await identity.count(AccountContact, tenant="bantul") == 1

    published = await identity.published(expected=6)
    contacts = [e for e in published if e.type == ContactSet.TYPE]
    payloads = [e.payload for e in contacts]
    assert all(isinstance(p, ContactSet) for p in payloads)
    assert [(p.recipient_id, p.email, p.preference, p.locale) for p in payloads] == [  # type: ignore[attr-defined]
        (employee, "Siti.Rahma@bantulkab.go.id", "immediate", "en"),
        (employee, "siti@bantulkab.go.id", "digest", "id"),
    ]
    assert {e.key for e in contacts} == {f"bantul:{employee}"}
