"""The regency's kepala daerah account: created by the admin, at most one active, logs in
with the role and no employee id, and is published as kepala_daerah.set."""

from __future__ import annotations

import pytest

from services.common.events import KepalaDaerahSet
from services.common.security import verify_token
from services.identity.models import KepalaDaerah
from tests.identity.conftest import Identity
from tests.identity.helpers import auth, login

pytestmark = pytest.mark.kafka

BODY = {
    "title": "Bupati Bantul",
    "name": "H. Abdul Halim Muslih",
    "username": "bupati",
    "password": "sandi-awal-bupati",
}


async def test_admin_creates_the_kepala_daerah_who_logs_in_without_an_employee_record(
    identity: Identity,
) -> None:
    await identity.tenant("bantul")
    await identity.tenant("sleman")
    admin = identity.admin("bantul")
    unit = await identity.unit("bantul", "Sekretariat Daerah")
    employee = await identity.employee("bantul", 1, unit)
    url = "/api/v1/kepala-daerah"

    missing = await identity.client.get(url, headers=identity.pegawai("bantul", employee))
    assert missing.status_code == 404 and "no kepala daerah account yet" in missing.text
    refused = await identity.client.post(
        url, json=BODY, headers=identity.pegawai("bantul", employee)
    )
    assert refused.status_code == 403
    kd = await identity.ok("POST", url, admin, json=BODY)
    assert (kd["title"], kd["name"], kd["active"]) == (
        "Bupati Bantul",
        "H. Abdul Halim Muslih",
        True,
    )

    # At most one active per regency; another regency has its own.
    second = await identity.client.post(url, json={**BODY, "username": "wakil"}, headers=admin)
    assert second.status_code == 409 and "Abdul Halim" in second.text
    await identity.ok("POST", url, identity.admin("sleman"), json=BODY)  # same username elsewhere
    foreign = await identity.client.patch(
        f"{url}/{kd['user_id']}", json={"name": "X"}, headers=identity.admin("sleman")
    )
    assert foreign.status_code == 404

    # Login: the role, the regency, no employee id; the initial password must be changed.
    tokens = await login(identity, "bantul", "bupati", "sandi-awal-bupati")
    assert tokens["must_change_password"] is True
    changed = await identity.client.post(
        "/api/v1/auth/password",
        json={"current_password": "sandi-awal-bupati", "new_password": "sandi-baru-bupati"},
        headers=auth(tokens),
    )
    assert changed.status_code == 200, changed.text
    principal = verify_token(changed.json()["access_token"], secret=identity.settings.jwt_secret)
    assert (principal.tenant, principal.employee_id) == ("bantul", None)
    assert {str(r) for r in principal.roles} == {"kepala_daerah"}
    assert principal.user_id == kd["user_id"]
    me = await identity.ok("GET", "/api/v1/me", auth(changed.json()))
    assert me["employee"] is None and me["kepala_daerah"]["title"] == "Bupati Bantul"
    # The KD reads the regency's people as staff do; others see the name, not the login.
    await identity.ok("GET", f"/api/v1/employees/{employee}", auth(changed.json()))
    shown = await identity.ok("GET", url, identity.pegawai("bantul", employee))
    assert (shown["name"], shown["username"]) == ("H. Abdul Halim Muslih", None)

    renamed = await identity.ok("PATCH", f"{url}/{kd['user_id']}", admin, json={"title": "Bupati"})
    assert renamed["title"] == "Bupati"
    ended = await identity.ok("POST", f"{url}/{kd['user_id']}/deactivate", admin)
    assert ended["active"] is False
    await login(identity, "bantul", "bupati", "sandi-baru-bupati", status=401)
    # The successor's account can now be created; the former one is kept.
    await identity.ok("POST", url, admin, json={**BODY, "username": "bupati2", "name": "Baru"})
    assert await identity.count(KepalaDaerah, tenant="bantul") == 2

    events = [e for e in await identity.published(expected=9) if e.type == "kepala_daerah.set"]
    bantul = [e.payload for e in events if e.tenant == "bantul"]
    assert all(isinstance(p, KepalaDaerahSet) for p in bantul)
    assert [(p.title, p.name, p.active) for p in bantul] == [  # type: ignore[attr-defined]
        ("Bupati Bantul", "H. Abdul Halim Muslih", True),
        ("Bupati", "H. Abdul Halim Muslih", True),
        ("Bupati", "H. Abdul Halim Muslih", False),
        ("Bupati Bantul", "Baru", True),
    ]
    assert {e.key for e in events} == {"bantul", "sleman"}
