"""Bulk seeding for load tests: many employees' SKPs drafted, submitted and approved, and
their first activities logged, many per transaction.

The HTTP path costs each employee a login and three requests, each its own transaction
(about five employees a second on a busy 2-core machine: the demo's ``--size``). This
path runs the very steps those routes run (``insert_skp``, ``submit_in``, ``approve_in``,
``EntryLogger``): the same checks, the same rows and the same outbox events, which the
running service's relay publishes as it would a request's. It acts for people without
their tokens, so it is refused unless the environment is development.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import col, select

from services.common.clock import utcnow
from services.common.refusals import Forbidden
from services.common.security import Principal, Role
from services.common.storage import SessionFactory
from services.targets.activities import EntryLogger
from services.targets.approval import approve_in
from services.targets.drafting import insert_skp, submit_in
from services.targets.models import ActivityCreate, RhkIn, Skp
from services.targets.steps import to_rhk

DEVELOPMENT = "development"


@dataclass(frozen=True)
class SeedEntry:
    """One activity to log on the seeded SKP: which RHK and indicator, by position."""

    rhk: int
    indicator: int
    day: date
    value: float


@dataclass(frozen=True)
class SeedSkp:
    """One employee's SKP to seed, approved by their direct supervisor."""

    employee_id: str
    supervisor_id: str
    rhk: Sequence[RhkIn]
    entries: Sequence[SeedEntry] = field(default_factory=tuple)


def acting_as(tenant: str, employee_id: str) -> Principal:
    """The principal a request of this employee would carry (the seed has no token)."""
    return Principal(
        user_id=employee_id,
        tenant=tenant,
        roles=frozenset({Role.PEGAWAI}),
        employee_id=employee_id,
        token_id="seed",
        expires_at=utcnow() + timedelta(hours=1),
    )


async def seeded_owners(sessions: SessionFactory, tenant: str, year: int) -> set[str]:
    """Who already has an SKP of ``year``: a resumed seed skips them."""
    async with sessions() as session:
        rows = await session.exec(
            select(Skp.employee_id).where(col(Skp.tenant) == tenant, col(Skp.year) == year)
        )
        return set(rows.all())


async def seed_skps(
    sessions: SessionFactory,
    *,
    environment: str,
    tenant: str,
    year: int,
    items: Sequence[SeedSkp],
) -> int:
    """Every item's SKP drafted, submitted, approved and its entries logged, all in one
    transaction (all or none; a refusal of any step refuses the batch, as the routes
    would refuse the request). Answers how many SKPs were seeded."""
    if environment != DEVELOPMENT:
        raise Forbidden("seeding acts for employees without their tokens: development only")
    async with sessions.begin() as session:
        for item in items:
            owner = acting_as(tenant, item.employee_id)
            rhk = to_rhk(item.rhk)
            skp = await insert_skp(session, principal=owner, year=year, rhk=rhk, action="created")
            await submit_in(session, principal=owner, skp_id=skp.id)
            approver = acting_as(tenant, item.supervisor_id)
            approved = await approve_in(session, principal=approver, skp_id=skp.id)
            logger = EntryLogger(session, owner)
            for entry in item.entries:
                indicator = approved.rhk[entry.rhk].indicators[entry.indicator]
                await logger.log(
                    ActivityCreate(
                        skp_id=approved.id,
                        indicator_id=indicator.indicator_id,
                        activity_date=entry.day,
                        value=entry.value,
                    )
                )
    return len(items)
