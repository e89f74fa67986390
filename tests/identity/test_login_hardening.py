"""Login and refresh against attackers: lock-outs, spoofed addresses, racing refreshes,
and an unknown account that costs what a real one costs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlmodel import col, select

from services.common import security
from services.identity import auth as identity_auth
from services.identity.app import Settings
from services.identity.models import RefreshToken, UserAccount
from tests.identity.conftest import Identity, running

pytestmark = pytest.mark.kafka

ATTACKER = {"X-Forwarded-For": "203.0.113.7"}


async def login(
    identity: Identity,
    username: str,
    password: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await identity.client.post(
        "/api/v1/auth/login",
        json={"tenant": "bantul", "username": username, "password": password},
        headers=headers or {},
    )
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


async def with_admin(identity: Identity) -> None:
    await identity.tenant("bantul")
    await identity.ok(
        "POST",
        "/api/v1/tenants/bantul/admins",
        identity.platform,
        json={"username": "bkpsdm", "password": "sandi-awal-admin"},
    )


async def test_failures_from_one_address_do_not_lock_the_owner_out(settings: Settings) -> None:
    """Knowing a NIP is not enough to lock its owner out: the account's failure budget is
    per client address, and the attacker's address also has its own global budget."""
    limited = settings.model_copy(
        update={"login_failures_per_address": "8/15 minutes", "trusted_proxies": 1}
    )
    async with running(limited) as identity:
        await with_admin(identity)
        for _ in range(5):
            await login(identity, "bkpsdm", "tebakan-salah", 401, headers=ATTACKER)
        blocked = await login(identity, "bkpsdm", "sandi-awal-admin", 429, headers=ATTACKER)
        assert "this account from this address" in blocked["detail"]
        # The owner, from their own address, still logs in with the right password.
        owner = await login(
            identity, "bkpsdm", "sandi-awal-admin", headers={"X-Forwarded-For": "198.51.100.2"}
        )
        assert owner["access_token"]
        # The attacker's address runs out over every account too.
        for name in ("satu", "dua", "tiga"):
            await login(identity, name, "tebakan-salah", 401, headers=ATTACKER)
        blocked = await login(identity, "empat", "tebakan-salah", 429, headers=ATTACKER)
        assert "this address" in blocked["detail"]
        await login(identity, "bkpsdm", "sandi-awal-admin")  # yet another address


async def test_a_spoofed_forwarded_for_does_not_buy_a_fresh_budget(settings: Settings) -> None:
    """Behind one trusted proxy the client is the hop that proxy wrote (rightmost), not
    whatever the client put first in the header."""
    limited = settings.model_copy(
        update={"login_failures_per_address": "2/15 minutes", "trusted_proxies": 1}
    )
    async with running(limited) as identity:
        await identity.tenant("bantul")
        codes = []
        for i in range(4):
            response = await identity.client.post(
                "/api/v1/auth/login",
                json={"tenant": "bantul", "username": f"nama{i}", "password": "salah"},
                headers={"X-Forwarded-For": f"10.9.9.{i}, 10.1.1.1"},
            )
            codes.append(response.status_code)
        assert codes == [401, 401, 429, 429]


async def test_two_racing_uses_of_one_refresh_token_only_one_succeeds(
    identity: Identity,
) -> None:
    """A stolen refresh token used at the same moment as the owner's: one use wins, the
    other is a reuse and revokes the whole family, the winner's new token included."""
    await with_admin(identity)
    for _ in range(3):
        pair = await login(identity, "bkpsdm", "sandi-awal-admin")
        token = pair["refresh_token"]
        responses = await asyncio.gather(
            *(
                identity.client.post("/api/v1/auth/refresh", json={"refresh_token": token})
                for _ in range(2)
            )
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 401], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 401)
        assert "already used" in loser.json()["detail"]
        winner = next(r for r in responses if r.status_code == 200).json()
        again = await identity.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": winner["refresh_token"]}
        )
        assert again.status_code == 401
    async with identity.runtime.sessions() as session:
        live = await session.exec(
            select(RefreshToken).where(col(RefreshToken.revoked_at).is_(None))
        )
        assert live.all() == []


async def test_unknown_account_is_checked_against_a_hash_with_the_real_parameters(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    await identity.tenant("bantul")
    await login(identity, "tidak-ada", "salah", 401)
    # The hashing parameters change (tuned for the machine); new hashes use them.
    tuned = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2)
    monkeypatch.setattr(security, "_hasher", tuned)
    await identity.ok(
        "POST",
        "/api/v1/tenants/bantul/admins",
        identity.platform,
        json={"username": "bkpsdm", "password": "sandi-awal-admin"},
    )
    await login(identity, "tidak-ada", "salah", 401)
    async with identity.runtime.sessions() as session:
        account = (
            await session.exec(select(UserAccount).where(UserAccount.username == "bkpsdm"))
        ).one()
    assert account.password_hash
    real = extract_parameters(account.password_hash)
    assert extract_parameters(identity_auth._dummy_hash()) == real
    assert real.time_cost == 2 and real.memory_cost == 2048 and real.parallelism == 2
