"""Two of everything on shared storage (tests/multi/instances.py): two gateways, two
scoring instances in one consumer group, two identity and two feedback instances, each
pair on one PostgreSQL database, the limits in one Redis.

- Citizens file complaints through either gateway; scoring (whichever instance owns the
  unit's partition) raises one alert per complaint for the officer's supervisor, and that
  supervisor sees every alert exactly once on either gateway, listed and streamed.
- Failed logins through gateway a (identity 1) use up the budget that gateway b
  (identity 2) enforces.
- Two identity processes started at the same moment on one empty database both come up
  (migrations take turns, the platform account is created once).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from services.common.orgchart import OrgEmployee, OrgUnit
from services.gateway.models import GatewayAlert
from services.identity.models import UserAccount
from services.scoring.models import ScoreAlert
from tests.conftest import fresh_postgres_database
from tests.gateway.harness import alerts_of, call, count, free_port, register_regency, token
from tests.multi.instances import Fleet, two_of_everything
from tests.scoring.helpers import group_members
from tests.support import wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

REGENCIES = ("bantul", "sleman", "kulonprogo", "gunungkidul", "wonosari", "wates")
COMPLAINTS_PER_REGENCY = 2
ROOT = Path(__file__).resolve().parents[2]


async def org_known(fleet: Fleet) -> bool:
    """Scoring and feedback (shared databases) hold every regency's unit and people."""
    for service in ("scoring1", "feedback1"):
        runtime = fleet.runtime(service)
        if await count(runtime, OrgUnit) < len(REGENCIES):
            return False
        if await count(runtime, OrgEmployee) < 2 * len(REGENCIES):
            return False
    return True


async def test_a_supervisor_on_either_gateway_gets_every_alert_once_and_limits_hold(
    kafka_bootstrap: str, postgres_base_url: str, redis_url: str
) -> None:
    async with two_of_everything(kafka_bootstrap, postgres_base_url, redis_url) as fleet:
        a, b = fleet.gateways()
        regencies = []
        for i, slug in enumerate(REGENCIES):
            async with httpx.AsyncClient(base_url=(a, b)[i % 2], timeout=30) as client:
                regencies.append(await register_regency(client, slug, offset=10 * i))
        await wait_until(lambda: org_known(fleet), timeout=60)
        # Both scoring instances hold partitions of the one group.
        assert await group_members(kafka_bootstrap, fleet.scoring_group) == 2

        filed: dict[str, list[str]] = {r.slug: [] for r in regencies}
        for i in range(COMPLAINTS_PER_REGENCY):
            for j, regency in enumerate(regencies):
                complaint = {
                    "unit_id": regency.unit_id,
                    "officer_id": regency.people["pegawai"],
                    "category": "pungutan_liar",
                    "text": f"Keluhan nomor {i} tentang layanan KTP-el.",
                }
                async with httpx.AsyncClient(base_url=(a, b)[(i + j) % 2], timeout=30) as c:
                    receipt = await call(
                        c,
                        "POST",
                        f"/api/feedback/public/{regency.slug}/complaints",
                        {},
                        201,
                        json=complaint,
                    )
                filed[regency.slug].append(receipt["tracking_code"])
        expected_total = len(REGENCIES) * COMPLAINTS_PER_REGENCY

        async def raised() -> bool:
            return await count(fleet.runtime("scoring1"), ScoreAlert, kind="complaint") >= (
                expected_total
            )

        started = time.monotonic()
        await wait_until(raised, timeout=90)
        for side in ("gateway-a", "gateway-b"):

            async def stored(side: str = side) -> bool:
                return await count(fleet.runtime(side), GatewayAlert) >= expected_total

            await wait_until(stored, timeout=60)
        took = time.monotonic() - started
        print(f"\n{expected_total} complaint alerts raised and stored in {took:.1f}s")

        async with fleet.runtime("scoring1").sessions() as session:
            rows = (await session.exec(select(ScoreAlert))).all()
        assert len(rows) == expected_total  # one per complaint: no instance raised twice
        for regency in regencies:
            supervisor = token(regency.slug, regency.people["atasan"])
            expected = sorted(r.alert_id for r in rows if r.tenant == regency.slug)
            assert len(expected) == COMPLAINTS_PER_REGENCY
            for url in (a, b):
                async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                    listed = await client.get(
                        "/api/gateway/alerts", headers={"Authorization": f"Bearer {supervisor}"}
                    )
                assert listed.status_code == 200, listed.text
                assert sorted(x["alert_id"] for x in listed.json()) == expected, (url, regency)
                streamed = await alerts_of(url, supervisor, len(expected))
                assert sorted(x["alert_id"] for x in streamed) == expected, (url, regency)
        # The shared gateway store holds each alert once although both instances consumed it.
        assert await count(fleet.runtime("gateway-a"), GatewayAlert) == expected_total
        applied = {
            name: fleet.runtime(name).metrics.registry.get_sample_value(
                "kinerja_outbox_published_total", {"service": "scoring"}
            )
            for name in ("scoring1", "scoring2")
        }
        print(f"alerts published by each scoring instance: {applied}")

        # Failed logins: three through gateway a (identity 1), the fourth through b.
        body = {"tenant": "bantul", "username": regencies[0].nips["pegawai"], "password": "x"}
        statuses = []
        for url in (a, a, a, b):
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                statuses.append((await client.post("/api/gateway/session", json=body)).status_code)
        assert statuses == [401, 401, 401, 429]


def identity_process(url: str, port: int, data: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "IDENTITY_DATABASE_URL": url,
        "IDENTITY_PORT": str(port),
        "IDENTITY_PLATFORM_PASSWORD": "platform-password-of-this-test",
        "KINERJA_ENVIRONMENT": "development",
        "KINERJA_TOPIC_PREFIX": f"start{port}.",
    }
    log = (data / f"identity-{port}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "services.identity"], cwd=ROOT, env=env, stdout=log, stderr=log
    )


async def test_two_identity_processes_started_together_on_one_empty_database_both_serve(
    postgres_base_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    ports = (free_port(), free_port())
    async with fresh_postgres_database(postgres_base_url) as url:
        processes = [identity_process(url, port, tmp_path) for port in ports]
        try:

            async def both_alive() -> bool:
                async with httpx.AsyncClient(timeout=2) as client:
                    for process, port in zip(processes, ports, strict=True):
                        assert process.poll() is None, (
                            tmp_path / f"identity-{port}.log"
                        ).read_text()[-3000:]
                        try:
                            answer = await client.get(f"http://127.0.0.1:{port}/healthz")
                        except httpx.TransportError:
                            return False
                        if answer.status_code != 200:
                            return False
                return True

            await wait_until(both_alive, timeout=90, interval=0.5)
            await asyncio.sleep(1)  # a late failure of either would show now
            assert all(p.poll() is None for p in processes)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
        from services.common.storage import create_engine, session_factory

        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                accounts = (
                    await session.exec(
                        select(UserAccount).where(UserAccount.username == "platform")
                    )
                ).all()
        finally:
            await engine.dispose()
        assert len(accounts) == 1
