"""The people of ``bench.http_scale``: regencies of N employees each, put into a running
platform fast, through the services' own write paths (resumable).

- identity: the regency and its HR admin (``POST /tenants``), then the units and the
  employees by the CSV import (``/import/units``, ``/import/employees`` with
  ``demo_accounts=true``: one cheap hash per distinct password), in files of
  ``IMPORT_ROWS`` lines, each supervisor in an earlier file than their team;
- targets: every employee's SKP drafted, submitted, approved and a first activity logged
  by ``services.targets.seeding`` (the routes' own steps, many employees per transaction,
  the same rows and outbox events) against the targets database;
- then it waits until scoring has projected every SKP and activity.

The shape of a regency of N: a sekretaris daerah at the top (no SKP: that would need the
kepala daerah), ``N // team`` units each with a head under the sekda, and the rest staff of
those units under their head. So a head has a team of about ``team`` and the sekda
``N // team`` direct reports.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from sqlalchemy import func
from sqlmodel import col, select

from deploy.demo.accounts import DEMO_PASSWORD, PLATFORM_USERNAME, platform_password
from deploy.demo.client import Api
from deploy.demo.org import SKP
from deploy.demo.plan import make_nip, working_day_on_or_before
from services.common.orgchart import OrgEmployee
from services.common.pagination import MAX_LIMIT
from services.common.storage import SessionFactory, create_engine, session_factory
from services.common.workdays import local_today
from services.scoring.models import ScoreActivity, ScoreSkp
from services.targets.models import IndicatorIn, RhkIn
from services.targets.seeding import SeedEntry, SeedSkp, seed_skps, seeded_owners

TIME_ZONE = "Asia/Jakarta"
ADMIN = "bkpsdm"
IMPORT_ROWS = 5_000  # employees per CSV file (well under identity's 20 MB)
SKP_BATCH = 200  # employees per targets transaction
# The rows counted while waiting: OrgEmployee, ScoreSkp, ScoreActivity all carry a tenant.
Tenanted = OrgEmployee | ScoreSkp | ScoreActivity


@dataclass(frozen=True)
class Person:
    index: int
    nip: str
    name: str
    unit: str
    supervisor_nip: str | None
    unit_head: bool = False


def slug(number: int) -> str:
    return f"hs{number:02d}"


def nip(index: int) -> str:
    """A valid, distinct NIP per index in a regency (birth day and sequence vary)."""
    birth = date(1970, 1, 1) + timedelta(days=index // 999)
    return make_nip(birth, (birth.year + 25, birth.month), 1 + index % 2, 1 + index % 999)


def people(size: int, team: int) -> list[Person]:
    """The regency's employees, supervisors before their teams."""
    units = max(1, (size - 1) // team)
    top = Person(0, nip(0), "Sekretaris Daerah", "SETDA", None)
    heads = [
        Person(1 + u, nip(1 + u), f"Kepala Unit {u + 1}", f"U{u + 1}", top.nip, unit_head=True)
        for u in range(units)
    ]
    staff = [
        Person(i, nip(i), f"Pegawai {i}", heads[i % units].unit, heads[i % units].nip)
        for i in range(1 + units, size)
    ]
    return [top, *heads, *staff]


def units_csv(size: int, team: int) -> str:
    units = max(1, (size - 1) // team)
    lines = ["code,name,kind,parent,serves_public", "SETDA,Sekretariat Daerah,badan,,tidak"]
    lines += [f"U{u + 1},Unit Layanan {u + 1},dinas,SETDA,ya" for u in range(units)]
    return "\n".join(lines) + "\n"


def employees_csv(chunk: list[Person]) -> str:
    lines = ["nip,name,position,unit,supervisor_nip,password"]
    for p in chunk:
        position = "Kepala Unit" if p.unit_head or p.supervisor_nip is None else "Pelaksana"
        lines.append(
            f"{p.nip},{p.name},{position},{p.unit},{p.supervisor_nip or ''},{DEMO_PASSWORD}"
        )
    return "\n".join(lines) + "\n"


def skp_content(head: bool) -> list[RhkIn]:
    plans = SKP["kabid_dafduk" if head else "staf_dafduk"]
    return [
        RhkIn(
            title=r.title,
            kind="utama" if r.kind == "utama" else "tambahan",
            indicators=[
                IndicatorIn(
                    name=i.name,
                    aspect=i.aspect,
                    target=i.target,
                    unit=i.unit,
                    direction=i.direction,
                    aggregation=i.aggregation,
                )
                for i in r.indicators
            ],
        )
        for r in plans
    ]


class Seeder:
    """Seeds regencies ``1..count`` of ``size`` each into the platform on ``ports``."""

    def __init__(
        self,
        api: Api,
        *,
        targets_url: str,
        scoring_url: str,
        size: int,
        team: int,
        say: Callable[[str], None],
    ) -> None:
        self.api, self.size, self.team, self.say = api, size, team, say
        self.targets = session_factory(create_engine(targets_url))
        self.scoring = session_factory(create_engine(scoring_url))
        self.people = people(size, team)

    def platform_token(self) -> str:
        return str(self.api.login(None, PLATFORM_USERNAME, platform_password())["access_token"])

    def identity(self, tenant: str, platform: str) -> str:
        """The regency, its admin, units and employees (skipped when already there);
        the admin's token."""
        page = self.api.call("identity", "GET", "/tenants", platform, params={"limit": MAX_LIMIT})
        if tenant not in {t["slug"] for t in page["items"]}:
            body = {"slug": tenant, "name": f"Kabupaten {tenant.upper()}", "time_zone": TIME_ZONE}
            self.api.call("identity", "POST", "/tenants", platform, json=body)
            self.api.call(
                "identity",
                "POST",
                f"/tenants/{tenant}/admins",
                platform,
                params={"demo_accounts": "true"},
                json={"username": ADMIN, "password": DEMO_PASSWORD},
            )
        admin = str(self.api.login(tenant, ADMIN, DEMO_PASSWORD)["access_token"])
        known = self.api.call("identity", "GET", "/employees", admin, params={"limit": 1})
        if known["total"] >= self.size:
            return admin
        csv_header = {"Content-Type": "text/csv"}
        if self.api.call("identity", "GET", "/units", admin, params={"limit": 1})["total"] == 0:
            content = units_csv(self.size, self.team)
            self.api.call(
                "identity", "POST", "/import/units", admin, content=content, headers=csv_header
            )
        for start in range(known["total"], self.size, IMPORT_ROWS):
            chunk = self.people[start : start + IMPORT_ROWS]
            self.api.call(
                "identity",
                "POST",
                "/import/employees",
                admin,
                content=employees_csv(chunk),
                headers=csv_header,
                params={"demo_accounts": "true"},
                timeout=600,
            )
        return admin

    @staticmethod
    async def count(factory: SessionFactory, model: type[Tenanted], tenant: str) -> int:
        async with factory() as session:
            query = select(func.count()).select_from(model).where(col(model.tenant) == tenant)
            return int((await session.exec(query)).one())

    async def wait_for(self, what: str, probe: Callable[[], Awaitable[int]], want: int) -> None:
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            have = await probe()
            if have >= want:
                return
            await asyncio.sleep(0.2)
        raise TimeoutError(f"{what}: still short of {want} after 30 min")

    def ids_by_nip(self, admin: str) -> dict[str, str]:
        return {e["nip"]: e["id"] for e in self.api.items("identity", "/employees", admin)}

    async def skps(self, tenant: str, ids: dict[str, str]) -> None:
        year = local_today(TIME_ZONE).year
        day = working_day_on_or_before(local_today(TIME_ZONE))
        done = await seeded_owners(self.targets, tenant, year)
        todo = [
            SeedSkp(
                employee_id=ids[p.nip],
                supervisor_id=ids[p.supervisor_nip],
                rhk=skp_content(p.unit_head),
                entries=(SeedEntry(rhk=0, indicator=0, day=day, value=1.0),),
            )
            for p in self.people
            if p.supervisor_nip is not None and ids[p.nip] not in done
        ]
        for start in range(0, len(todo), SKP_BATCH):
            await seed_skps(
                self.targets,
                environment="development",
                tenant=tenant,
                year=year,
                items=todo[start : start + SKP_BATCH],
            )

    async def regency(self, number: int, platform: str) -> None:
        tenant = slug(number)
        started = time.monotonic()
        admin = await asyncio.to_thread(self.identity, tenant, platform)
        await self.wait_for(
            f"{tenant}: targets' org chart",
            partial(self.count, self.targets, OrgEmployee, tenant),
            self.size,
        )
        ids = await asyncio.to_thread(self.ids_by_nip, admin)
        await self.skps(tenant, ids)
        self.say(f"{tenant}: {self.size} employees seeded in {time.monotonic() - started:.0f} s")

    async def wait_scoring(self, tenants: list[str]) -> None:
        with_skp = self.size - 1
        for tenant in tenants:
            await self.wait_for(
                f"{tenant}: scoring's SKPs",
                partial(self.count, self.scoring, ScoreSkp, tenant),
                with_skp,
            )
            await self.wait_for(
                f"{tenant}: scoring's activities",
                partial(self.count, self.scoring, ScoreActivity, tenant),
                with_skp,
            )

    async def run(self, regencies: int) -> float:
        """Seeds what is missing; the seconds it took until scoring caught up."""
        started = time.monotonic()
        platform = await asyncio.to_thread(self.platform_token)
        for number in range(1, regencies + 1):
            await self.regency(number, platform)
        await self.wait_scoring([slug(n) for n in range(1, regencies + 1)])
        return time.monotonic() - started


def sample(items: list[Person], count: int) -> Iterator[Person]:
    """``count`` evenly spread items (the same ones every run)."""
    step = max(1, len(items) // max(1, count))
    return iter(items[::step][:count])
