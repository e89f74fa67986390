"""Duties designated by admin (petugas loket, pengelola pengaduan): they reach the employee's
token at login and refresh, only for employees of a public-serving unit (issue 11 items 6, 7)."""

from __future__ import annotations

import pytest

from services.identity.models import UserAccount
from tests.identity.conftest import Identity
from tests.identity.helpers import auth, login, roles

pytestmark = pytest.mark.kafka


async def test_admin_designates_duties_that_reach_the_token(identity: Identity) -> None:
    await identity.tenant("bantul")
    await identity.tenant("sleman")
    admin = identity.admin("bantul")
    public = await identity.unit("bantul", "Dinas Dukcapil", serves_public=True)
    office = await identity.unit("bantul", "Bappeda")
    counter = await identity.employee("bantul", 1, public, password="sandi-awal-1")
    planner = await identity.employee("bantul", 2, office)
    path = f"/api/v1/employees/{counter}/duties"

    both = {"duties": ["petugas_loket", "pengelola_pengaduan"]}
    given = await identity.ok("PUT", path, admin, json=both)
    assert given == {"employee_id": counter, "duties": ["pengelola_pengaduan", "petugas_loket"]}
    # The admin's form reads them back; another regency's admin does not find the employee.
    assert await identity.ok("GET", path, admin) == given
    other = await identity.client.get(path, headers=identity.admin("sleman"))
    assert other.status_code == 404, other.text
    tokens = await login(identity, "bantul", "198503152010011001", "sandi-awal-1")
    assert roles(identity, tokens) == {"pegawai", "petugas_loket", "pengelola_pengaduan"}

    refused = [
        (admin, f"/api/v1/employees/{planner}/duties", both, 400, "serves the public"),
        (admin, path, {"duties": ["admin"]}, 400, "a duty is one of"),
        (admin, path, {"duties": ["kepala"]}, 422, "duties"),
        (identity.pegawai("bantul", counter), path, both, 403, ""),
        (identity.admin("sleman"), path, both, 404, "not found"),
    ]
    for headers, url, body, code, reason in refused:
        response = await identity.client.put(url, json=body, headers=headers)
        assert response.status_code == code, (url, body, response.text)
        assert reason in response.text
    assert await identity.count(UserAccount, roles="admin") == 0

    # Withdrawn: the refresh token no longer works, the next login carries no duty.
    await identity.ok("PUT", path, admin, json={"duties": []})
    refreshed = await identity.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401, refreshed.text
    again = await login(identity, "bantul", "198503152010011001", "sandi-awal-1")
    assert roles(identity, again) == {"pegawai"}
    assert (await identity.client.get("/api/v1/me", headers=auth(again))).status_code == 200
