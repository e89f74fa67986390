"""Migrations as their own step: ``python -m services.migrate``, services that do not
migrate at start (``KINERJA_MIGRATE_AT_START=false``) and wait for the step, and upgrades
that run at the same time on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services import migrate as step
from services.common.storage import NotMigrated, migrate, migration_state
from services.identity.app import MIGRATIONS, Settings
from tests.conftest import fresh_postgres_database
from tests.kernel.helpers import SERVICES
from tests.support import service_settings

ROOT = Path(__file__).resolve().parents[2]


def run_step(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.migrate", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.unit
def test_the_step_knows_the_services_this_tree_has() -> None:
    assert tuple(SERVICES) == step.SERVICES
    for service in step.SERVICES:
        assert (step.ROOT / service / "migrations" / "env.py").exists()


@pytest.mark.unit
async def test_the_step_migrates_the_named_services_and_only_them(tmp_path: Path) -> None:
    env = {
        "IDENTITY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/id.db",
        "KINERJA_DATA_DIR": str(tmp_path / "data"),
    }
    done = run_step("identity", "scoring", env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "id.db").exists()  # <PREFIX>DATABASE_URL wins
    assert (tmp_path / "data" / "scoring.db").exists()  # else the data directory's file
    assert not (tmp_path / "data" / "targets.db").exists()
    assert await migration_state(MIGRATIONS, env["IDENTITY_DATABASE_URL"]) is None

    wrong = run_step("identiti", env=env)
    assert wrong.returncode == 2 and "no such service: identiti" in wrong.stderr

    # An unreachable database: a failure naming it, not a traceback.
    gone = run_step(
        "targets", env={"TARGETS_DATABASE_URL": "postgresql+asyncpg://x:y@127.0.0.1:1/t"}
    )
    assert gone.returncode == 1 and "migration failed" in gone.stderr


@pytest.mark.unit
async def test_a_service_that_does_not_migrate_refuses_a_database_never_migrated(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/identity.db"
    assert "no revision" in str(await migration_state(MIGRATIONS, url))
    from services.identity.app import create_app

    settings = Settings(
        environment="development",
        database_url=url,
        migrate_at_start=False,
        migration_wait_seconds=0,
    )
    runtime = create_app(settings).state.runtime
    with pytest.raises(NotMigrated, match=r"python -m services\.migrate identity"):
        await runtime.prepare_database()


@pytest.mark.kafka
async def test_a_service_started_before_the_step_waits_for_it(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    from tests.identity.conftest import PLATFORM_PASSWORD, running

    url = f"sqlite+aiosqlite:///{tmp_path}/identity.db"
    settings = service_settings(
        Settings,
        url,
        kafka_bootstrap,
        topic_prefix,
        platform_password=PLATFORM_PASSWORD,
        migrate_at_start=False,
    )

    async def late_step() -> None:
        await asyncio.sleep(3)
        await migrate(MIGRATIONS, url)

    migrating = asyncio.create_task(late_step())
    async with running(settings) as identity:
        assert migrating.done()  # it could not be ready before the step ran
        answer = await identity.client.post(
            "/api/v1/auth/login",
            json={"username": "platform", "password": PLATFORM_PASSWORD},
        )
        assert answer.status_code == 200, answer.text


@pytest.mark.postgres
async def test_upgrades_at_the_same_time_on_one_database_all_succeed(
    postgres_base_url: str,
) -> None:
    """Replicas starting together: without the migration lock the second creates
    alembic_version or a table the first is creating, and fails."""
    async with fresh_postgres_database(postgres_base_url) as url:
        env = {f"{service.upper()}_DATABASE_URL": url for service in ("identity",)}
        runs = await asyncio.gather(
            *(asyncio.to_thread(run_step, "identity", env=env) for _ in range(3))
        )
        assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr[-800:] for r in runs]
        assert await migration_state(MIGRATIONS, url) is None
