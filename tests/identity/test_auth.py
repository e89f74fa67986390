"""Login with real accounts: first login, roles in tokens, refresh rotation, logout, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.common.security import CHANGE_PASSWORD_FIRST, Role, verify_token
from services.identity.app import Settings, create_app
from services.identity.models import RefreshToken, UserAccount
from services.targets.app import Settings as TargetsSettings
from services.targets.app import create_app as create_targets
from tests.identity.conftest import PLATFORM_PASSWORD, Identity, nip, running
from tests.identity.helpers import auth, login, roles
from tests.support import serve

pytestmark = pytest.mark.kafka


async def test_first_login_from_platform_to_employee(identity: Identity) -> None:
    # 1. The platform account exists from startup; it registers the regency and its admin.
    platform = await login(identity, None, "platform", PLATFORM_PASSWORD)
    assert roles(identity, platform) == {"platform"} and not platform["must_change_password"]
    await identity.ok(
        "POST",
        "/api/v1/tenants",
        auth(platform),
        json={"slug": "bantul", "name": "Kabupaten Bantul", "time_zone": "Asia/Jakarta"},
    )
    await identity.ok(
        "POST",
        "/api/v1/tenants/bantul/admins",
        auth(platform),
        json={"username": "bkpsdm", "password": "sandi-awal-admin"},
    )
    # 2. The admin logs in, must change the password, then registers employees.
    admin = await login(identity, "bantul", "bkpsdm", "sandi-awal-admin")
    assert admin["must_change_password"] and roles(identity, admin) == {"admin"}
    assert admin["token_type"] == "bearer" and admin["expires_in"] == 15 * 60
    admin = await identity.ok(
        "POST",
        "/api/v1/auth/password",
        auth(admin),
        json={"current_password": "sandi-awal-admin", "new_password": "sandi-baru-admin"},
    )
    assert not admin["must_change_password"]
    await login(identity, "bantul", "bkpsdm", "sandi-awal-admin", status=401)
    unit = await identity.ok(
        "POST", "/api/v1/units", auth(admin), json={"name": "Dinas Sosial", "kind": "dinas"}
    )
    employee = {"position": "Analis", "unit_id": unit["id"], "password": "sandi-awal-1"}
    boss = await identity.ok(
        "POST", "/api/v1/employees", auth(admin), json={**employee, "nip": nip(1), "name": "Budi"}
    )
    staff = await identity.ok(
        "POST",
        "/api/v1/employees",
        auth(admin),
        json={**employee, "nip": nip(2), "name": "Sari", "supervisor_id": boss["id"]},
    )
    # 3. Employees log in with their NIP; a supervisor gets atasan.
    boss_tokens = await login(identity, "bantul", nip(1), "sandi-awal-1")
    assert roles(identity, boss_tokens) == {"pegawai", "atasan"}
    staff_tokens = await login(identity, "bantul", nip(2), "sandi-awal-1")
    assert roles(identity, staff_tokens) == {"pegawai"}
    assert staff_tokens["must_change_password"]
    me = await identity.ok("GET", "/api/v1/me", auth(staff_tokens))
    assert me["tenant"] == "bantul" and me["roles"] == ["pegawai"]
    assert me["employee"]["id"] == staff["id"] and me["employee"]["nip"] == nip(2)
    assert me["must_change_password"] is True
    wrong = await identity.client.post(
        "/api/v1/auth/password",
        headers=auth(staff_tokens),
        json={"current_password": "nope-nope-nope", "new_password": "sandi-sari-baru"},
    )
    assert wrong.status_code == 400 and "current password" in wrong.json()["detail"]
    await identity.ok(
        "POST",
        "/api/v1/auth/password",
        auth(staff_tokens),
        json={"current_password": "sandi-awal-1", "new_password": "sandi-sari-baru"},
    )
    assert await identity.count(UserAccount, username=nip(2), must_change_password=False) == 1
    # The password change revoked the refresh token of the earlier session.
    response = await identity.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": staff_tokens["refresh_token"]}
    )
    assert response.status_code == 401
    # 4. A deactivated employee can no longer log in.
    await identity.ok("POST", f"/api/v1/employees/{staff['id']}/deactivate", auth(admin))
    refused = await login(identity, "bantul", nip(2), "sandi-sari-baru", status=401)
    assert "disabled" in refused["detail"]
    # Nobody else's tenant is reachable with the same username.
    await login(identity, "sleman", nip(1), "sandi-awal-1", status=401)


async def test_refresh_rotates_and_logout_revokes(identity: Identity) -> None:
    await identity.tenant("bantul")
    await identity.ok(
        "POST",
        "/api/v1/tenants/bantul/admins",
        identity.platform,
        json={"username": "bkpsdm", "password": "sandi-awal-admin"},
    )
    first = await login(identity, "bantul", "bkpsdm", "sandi-awal-admin")

    async def refresh(token: str, status: int) -> dict[str, Any]:
        response = await identity.client.post("/api/v1/auth/refresh", json={"refresh_token": token})
        assert response.status_code == status, response.text
        return response.json()  # type: ignore[no-any-return]

    second = await refresh(first["refresh_token"], 200)
    assert second["refresh_token"] != first["refresh_token"]
    assert roles(identity, second) == {"admin"}
    # The initial password is still unchanged, so the refreshed token is still restricted.
    assert second["must_change_password"]
    restricted = await identity.client.get("/api/v1/tenant", headers=auth(second))
    assert restricted.status_code == 403 and "change your password" in restricted.text
    await identity.ok("GET", "/api/v1/me", auth(second))
    # Reusing a spent refresh token revokes the whole family.
    reused = await refresh(first["refresh_token"], 401)
    assert "already used" in reused["detail"]
    await refresh(second["refresh_token"], 401)
    # An access token is not a refresh token, and a forged one is refused.
    await refresh(second["access_token"], 401)
    await refresh("not-a-jwt", 401)

    third = await login(identity, "bantul", "bkpsdm", "sandi-awal-admin")
    logout = await identity.client.post(
        "/api/v1/auth/logout", json={"refresh_token": third["refresh_token"]}
    )
    assert logout.status_code == 204
    await refresh(third["refresh_token"], 401)
    assert await identity.count(RefreshToken) == 3
    async with identity.runtime.sessions() as session:
        from sqlmodel import col, select

        live = await session.exec(
            select(RefreshToken).where(col(RefreshToken.revoked_at).is_(None))
        )
        assert live.all() == []


async def test_failed_logins_are_limited_and_counted(settings: Settings) -> None:
    limited = settings.model_copy(update={"login_failures_per_address": "8/15 minutes"})
    async with running(limited) as identity:
        await identity.tenant("bantul")
        await identity.ok(
            "POST",
            "/api/v1/tenants/bantul/admins",
            identity.platform,
            json={"username": "bkpsdm", "password": "sandi-awal-admin"},
        )
        for _ in range(5):
            failed = await login(identity, "bantul", "bkpsdm", "tebakan-salah", status=401)
            assert failed["detail"] == "wrong username or password"
        # The sixth try is refused before the password is even checked, right or wrong.
        blocked = await login(identity, "bantul", "bkpsdm", "sandi-awal-admin", status=429)
        assert "too many failed logins for this account" in blocked["detail"]
        # Other accounts from the same address: 3 more failures exhaust the address.
        for name in ("satu", "dua", "tiga"):
            await login(identity, "bantul", name, "tebakan-salah", status=401)
        blocked = await login(identity, "bantul", "empat", "tebakan-salah", status=429)
        assert "this address" in blocked["detail"]

        metrics = (await identity.client.get("/metrics")).text
        assert 'kinerja_identity_failed_logins_total{reason="wrong_password"} 5.0' in metrics
        assert 'kinerja_identity_failed_logins_total{reason="unknown_account"} 3.0' in metrics
        assert 'kinerja_identity_failed_logins_total{reason="rate_limited"} 2.0' in metrics


async def test_behind_the_gateway_each_browser_address_has_its_own_budget(
    settings: Settings,
) -> None:
    """With trusted_proxies=1 (the gateway in front), X-Forwarded-For names the client;
    without it, the header is ignored and everyone shares the caller's address."""

    async def failures(identity: Identity, forwarded: str, names: list[str]) -> list[int]:
        codes = []
        for name in names:
            response = await identity.client.post(
                "/api/v1/auth/login",
                json={"tenant": tenant, "username": name, "password": "salah"},
                headers={"X-Forwarded-For": forwarded},
            )
            codes.append(response.status_code)
        return codes

    for tenant, trusted, expected in (("bantul", 1, [401, 401]), ("sleman", 0, [429, 429])):
        limited = settings.model_copy(
            update={"login_failures_per_address": "2/15 minutes", "trusted_proxies": trusted}
        )
        async with running(limited) as identity:
            await identity.tenant(tenant)
            assert await failures(identity, "10.1.1.1", ["a", "b"]) == [401, 401]
            assert await failures(identity, "10.2.2.2", ["c", "d"]) == expected


@pytest.mark.unit
def test_default_platform_password_is_refused_outside_development() -> None:
    secret = "s" * 40
    with pytest.raises(ValueError, match="IDENTITY_PLATFORM_PASSWORD"):
        Settings(environment="production", jwt_secret=secret)
    assert Settings(environment="production", jwt_secret=secret, platform_password="x" * 20)
    assert Role.PLATFORM == "platform"


async def test_every_kind_of_account_logs_in_with_its_role(identity: Identity) -> None:
    await identity.tenant("bantul")
    created = await identity.ok(
        "POST",
        "/api/v1/platform/accounts",
        identity.platform,
        json={"username": "ops-team", "password": "sandi-ops-123", "role": "ops"},
    )
    assert created["tenant"] is None and created["roles"] == ["ops"]
    refused = await identity.client.post(
        "/api/v1/platform/accounts",
        headers=identity.platform,
        json={"username": "sneaky", "password": "sandi-ops-123", "role": "admin"},
    )
    assert refused.status_code == 400
    ops = await login(identity, None, "ops-team", "sandi-ops-123")
    assert roles(identity, ops) == {"ops"}
    assert (await identity.client.get("/api/v1/units", headers=auth(ops))).status_code == 403
    # An admin adds a colleague admin to their own regency only.
    second = await identity.ok(
        "POST",
        "/api/v1/admins",
        identity.admin("bantul"),
        json={"username": "bkpsdm-2", "password": "sandi-admin-dua"},
    )
    assert second["tenant"] == "bantul" and second["must_change_password"]
    taken = await identity.client.post(
        "/api/v1/admins",
        headers=identity.admin("bantul"),
        json={"username": "bkpsdm-2", "password": "sandi-admin-dua"},
    )
    assert taken.status_code == 409
    admin = await login(identity, "bantul", "bkpsdm-2", "sandi-admin-dua")
    assert roles(identity, admin) == {"admin"}
    me = await identity.ok("GET", "/api/v1/me", auth(admin))
    assert me["employee"] is None and me["tenant"] == "bantul"
    # Same username, other regency: a different account that does not exist.
    await login(identity, None, "bkpsdm-2", "sandi-admin-dua", status=401)


@pytest.mark.unit
def test_openapi_documents_every_route() -> None:
    spec = create_app(Settings(database_url="sqlite+aiosqlite:///unused.db")).openapi()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1")
        for method, op in item.items()
    ]
    assert len(operations) >= 20
    for path, method, op in operations:
        codes = set(op["responses"])
        assert codes & {"200", "201", "204"}, (path, method)
        assert any(c.startswith("4") for c in codes), (path, method)
        for code in codes - {"204"}:
            assert "application/json" in op["responses"][code]["content"], (path, method, code)


async def test_initial_password_token_is_refused_until_changed(
    identity: Identity, tmp_path: Path
) -> None:
    """A token issued on an initial password opens only /auth/password, /auth/logout and
    /me; every other route, of identity or of another service, answers 403 until the
    password is changed, and the pair issued by the change opens them."""
    await identity.tenant("bantul")
    unit = await identity.unit("bantul", "Dinas Sosial")
    employee = await identity.employee("bantul", 7, unit, password="sandi-awal-7")
    first = await login(identity, "bantul", nip(7), "sandi-awal-7")
    assert first["must_change_password"]
    assert verify_token(first["access_token"], secret=identity.settings.jwt_secret)
    targets_settings = TargetsSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'targets.db'}",
        kafka_bootstrap_servers=identity.settings.kafka_bootstrap_servers,
        topic_prefix=identity.settings.topic_prefix,
    )
    async with serve(create_targets(targets_settings)) as targets:
        for client, path in (
            (identity.client, f"/api/v1/employees/{employee}"),
            (identity.client, "/api/v1/tenant"),
            (targets, "/api/v1/skp"),
        ):
            refused = await client.get(path, headers=auth(first))
            assert refused.status_code == 403, (path, refused.text)
            assert refused.json()["detail"] == CHANGE_PASSWORD_FIRST
        me = await identity.ok("GET", "/api/v1/me", auth(first))
        assert me["must_change_password"] and me["employee"]["id"] == employee

        changed = await identity.ok(
            "POST",
            "/api/v1/auth/password",
            auth(first),
            json={"current_password": "sandi-awal-7", "new_password": "sandi-baru-tujuh"},
        )
        assert not changed["must_change_password"]
        assert not verify_token(
            changed["access_token"], secret=identity.settings.jwt_secret
        ).must_change_password
        for client, path in (
            (identity.client, f"/api/v1/employees/{employee}"),
            (identity.client, "/api/v1/tenant"),
            (targets, "/api/v1/skp"),
        ):
            accepted = await client.get(path, headers=auth(changed))
            assert accepted.status_code == 200, (path, accepted.text)
        # The old access token keeps its mark until it expires; logging in again gives a
        # normal pair, and logout works with the new refresh token.
        assert (await targets.get("/api/v1/skp", headers=auth(first))).status_code == 403
    again = await login(identity, "bantul", nip(7), "sandi-baru-tujuh")
    assert not again["must_change_password"]
    logout = await identity.client.post(
        "/api/v1/auth/logout", json={"refresh_token": changed["refresh_token"]}
    )
    assert logout.status_code == 204


async def test_deactivation_ends_refresh_and_the_access_token_only_lives_on(
    identity: Identity,
) -> None:
    """After employee.deactivated the refresh token is refused at once; the access token
    is not revocable and lives at most access_token_minutes (documented in the README)."""
    await identity.tenant("bantul")
    unit = await identity.unit("bantul", "Dinas Sosial")
    employee = await identity.employee("bantul", 8, unit, password="sandi-awal-8")
    first = await login(identity, "bantul", nip(8), "sandi-awal-8")
    tokens = await identity.ok(
        "POST",
        "/api/v1/auth/password",
        auth(first),
        json={"current_password": "sandi-awal-8", "new_password": "sandi-baru-delapan"},
    )
    await identity.ok(
        "POST", f"/api/v1/employees/{employee}/deactivate", identity.admin("bantul"), json={}
    )
    response = await identity.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 401, response.text
    principal = verify_token(tokens["access_token"], secret=identity.settings.jwt_secret)
    lifetime = principal.expires_at - datetime.now(UTC)
    assert lifetime <= timedelta(minutes=identity.settings.access_token_minutes)
    # identity itself checks the account on /me, so there the access token ends at once.
    me = await identity.client.get("/api/v1/me", headers=auth(tokens))
    assert me.status_code == 401 and "disabled" in me.json()["detail"]
    assert "employee.deactivated" in [e.type for e in await identity.published(expected=4)]
