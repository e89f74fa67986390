"""PostgreSQL locking of scoring writers: entity locks for an ordinary batch, the tenant's
lock alone (exclusive) for a batch that names more entities than the lock table can hold."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.common.storage import create_engine, session_factory
from services.scoring.store import ENTITY_LOCKS_MAX, lock, lock_id
from tests.conftest import fresh_postgres_database

pytestmark = pytest.mark.postgres

HELD = text(
    "SELECT mode, count(*) FROM pg_locks WHERE locktype = 'advisory' "
    "AND pid = pg_backend_pid() GROUP BY mode"
)
SHARED_FREE = text("SELECT pg_try_advisory_xact_lock_shared(:k)")


async def test_a_batch_too_big_for_entity_locks_locks_its_tenant(postgres_base_url: str) -> None:
    async with fresh_postgres_database(postgres_base_url) as url:
        engine = create_engine(url)
        sessions = session_factory(engine)
        tenant_key = {"k": lock_id("tenant:kulonprogo")}
        try:
            async with sessions.begin() as small:
                await lock(small, {f"e:kulonprogo:e{i}" for i in range(10)}, tenants={"kulonprogo"})
                assert dict((await small.exec(HELD)).all()) == {"ShareLock": 1, "ExclusiveLock": 10}

            big_keys = {f"e:kulonprogo:e{i}" for i in range(ENTITY_LOCKS_MAX * 5)}
            async with sessions.begin() as big:
                await lock(big, big_keys, tenants={"kulonprogo"})
                assert dict((await big.exec(HELD)).all()) == {"ExclusiveLock": 1}
                # A scheduler refresh (the tenant's lock, shared) waits for the big batch...
                async with sessions.begin() as refresh:
                    assert (await refresh.exec(SHARED_FREE, params=tenant_key)).one()[0] is False
            # ...and gets it once the big batch committed.
            async with sessions.begin() as refresh:
                assert (await refresh.exec(SHARED_FREE, params=tenant_key)).one()[0] is True
        finally:
            await engine.dispose()
