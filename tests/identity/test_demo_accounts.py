"""Demo accounts (``/import/employees?demo_accounts=true``): ready to log in on a
development machine, refused anywhere else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from services.common import security
from services.common.security import Role
from services.identity.app import Settings
from services.identity.models import UserAccount
from tests.identity.conftest import PLATFORM_PASSWORD, Identity, nip, running
from tests.identity.helpers import UNITS_CSV
from tests.support import bearer, service_settings

pytestmark = pytest.mark.kafka

PEOPLE = "nip,name,position,unit,password\n" + "".join(
    f"{nip(i)},Pegawai {i},Staf,LOKET-SEWON,demo-password-1\n" for i in range(3)
)


SECRET = "a-private-secret-for-this-test-only-0123456789"


def _settings(database_url: str, kafka: str, prefix: str, environment: str) -> Settings:
    private = {"jwt_secret": SECRET} if environment == "production" else {}
    return service_settings(
        Settings,
        database_url,
        kafka,
        prefix,
        platform_password=PLATFORM_PASSWORD,
        environment=environment,
        **private,
    )


async def _import(identity: Identity) -> int:
    secret = identity.settings.jwt_secret
    platform = bearer(tenant=None, roles=[Role.PLATFORM], secret=secret)
    body = {"slug": "bantul", "name": "Kabupaten Bantul", "time_zone": "Asia/Jakarta"}
    await identity.ok("POST", "/api/v1/tenants", platform, json=body)
    admin = bearer(tenant="bantul", roles=[Role.ADMIN], user_id="admin-bantul", secret=secret)
    text_csv = {**admin, "Content-Type": "text/csv"}
    await identity.ok("POST", "/api/v1/import/units", text_csv, content=UNITS_CSV.encode())
    response = await identity.client.post(
        "/api/v1/import/employees",
        params={"demo_accounts": "true"},
        headers=text_csv,
        content=PEOPLE.encode(),
    )
    return response.status_code


async def _hashes(identity: Identity) -> list[str]:
    async with identity.runtime.sessions() as session:
        rows = await session.exec(
            select(UserAccount.password_hash)
            .where(UserAccount.employee_id.is_not(None))  # type: ignore[union-attr]
            .order_by(UserAccount.username)
        )
        return [h or "" for h in rows.all()]


@pytest.fixture
def other_kernel_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel hashes with other parameters than the demo's: a login would upgrade the
    hash if it did not keep a demo one."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    )


@pytest.fixture
async def developing(
    database_url: str, kafka_bootstrap: str, topic_prefix: str, other_kernel_hasher: None
) -> AsyncIterator[Identity]:
    """Identity on a development machine."""
    settings = _settings(database_url, kafka_bootstrap, topic_prefix, "development")
    async with running(settings) as identity:
        yield identity


async def test_demo_accounts_log_in_at_once_and_keep_their_cheap_hash(
    developing: Identity,
) -> None:
    identity = developing
    assert await _import(identity) == 200
    before = await _hashes(identity)
    assert len(before) == 3 and len(set(before)) == 1  # one hash for the one password
    body = {"tenant": "bantul", "username": nip(1), "password": "demo-password-1"}
    pair = await identity.ok("POST", "/api/v1/auth/login", {}, json=body)
    assert pair["must_change_password"] is False
    assert await _hashes(identity) == before  # not upgraded at login


async def test_demo_accounts_are_refused_in_production(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = _settings(database_url, kafka_bootstrap, topic_prefix, "production")
    async with running(settings) as identity:
        assert await _import(identity) == 403
        assert await _hashes(identity) == []


async def _first_accounts(identity: Identity) -> list[int]:
    """A regency's first admin and its kepala daerah as demo accounts; each status, and
    for those created the answer of their first login."""
    secret = identity.settings.jwt_secret
    platform = bearer(tenant=None, roles=[Role.PLATFORM], secret=secret)
    body = {"slug": "bantul", "name": "Kabupaten Bantul", "time_zone": "Asia/Jakarta"}
    await identity.ok("POST", "/api/v1/tenants", platform, json=body)
    demo = {"demo_accounts": "true"}
    first_admin = await identity.client.post(
        "/api/v1/tenants/bantul/admins",
        params=demo,
        headers=platform,
        json={"username": "bkpsdm", "password": "demo-password-1"},
    )
    admin = bearer(tenant="bantul", roles=[Role.ADMIN], user_id="admin-bantul", secret=secret)
    kd = {"title": "Bupati Bantul", "name": "H. Abdul Halim", "username": "bupati"}
    head = await identity.client.post(
        "/api/v1/kepala-daerah",
        params=demo,
        headers=admin,
        json={**kd, "password": "demo-password-1"},
    )
    return [first_admin.status_code, head.status_code]


async def test_the_first_admin_and_the_kepala_daerah_may_be_demo_accounts(
    developing: Identity,
) -> None:
    assert await _first_accounts(developing) == [201, 201]
    for username in ("bkpsdm", "bupati"):
        body = {"tenant": "bantul", "username": username, "password": "demo-password-1"}
        pair = await developing.ok("POST", "/api/v1/auth/login", {}, json=body)
        assert pair["must_change_password"] is False, username


async def test_demo_admins_and_heads_are_refused_in_production(
    database_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = _settings(database_url, kafka_bootstrap, topic_prefix, "production")
    async with running(settings) as identity:
        assert await _first_accounts(identity) == [403, 403]
        async with identity.runtime.sessions() as session:
            rows = await session.exec(select(UserAccount.username))
            assert set(rows.all()) == {"platform"}  # the operator alone: nothing was created
