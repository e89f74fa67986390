"""Steps the targets use cases share: loading an SKP within the caller's tenant, who may
see or change it, its content, and the conditional status update.

A refused request raises a refusal of :mod:`services.common.refusals` before anything is
committed, so nothing is written and no event is staged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import and_, update
from sqlalchemy import select as select_columns
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from services.common.clock import new_id, utcnow
from services.common.events import Rhk
from services.common.orgchart import (
    DEFAULT_TIME_ZONE,
    OrgChart,
    check_may_act,
    check_may_be_acted_upon,
    employee_active,
    tenant_time_zone,
)
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import Conflict, Forbidden, NotFound
from services.common.rows import of_tenant, update_one
from services.common.security import Principal
from services.targets.domain import (
    Action,
    SkpStatus,
    Viewer,
    check_content,
    kepala_daerah_may_not_act,
    may_view_log,
    require_status,
)
from services.targets.models import (
    ParentOption,
    RhkIn,
    Skp,
    SkpRead,
    SkpTransition,
    SkpVersion,
)

R = TypeVar("R", bound=BaseModel)


def dump(rhk: Sequence[Rhk]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in rhk]


def to_rhk(items: Sequence[RhkIn]) -> list[Rhk]:
    """Request content as event content, with ids given to new RHK and indicators."""
    return [
        Rhk(
            rhk_id=item.rhk_id or new_id(),
            title=item.title,
            kind=item.kind,
            parent_rhk_id=item.parent_rhk_id,
            indicators=tuple(
                {**i.model_dump(), "indicator_id": i.indicator_id or new_id()}
                for i in item.indicators
            ),
        )
        for item in items
    ]


async def load_skp(session: AsyncSession, principal: Principal, skp_id: str) -> Skp:
    """An SKP of the caller's tenant; another tenant's id answers as an unknown one."""
    missing = NotFound("SKP {skp_id} not found", skp_id=skp_id)
    return await of_tenant(session, Skp, skp_id, principal.home(), missing)


async def active_me(session: AsyncSession, principal: Principal) -> str:
    """The caller's employee id, refused when the org chart says they were deactivated."""
    me = principal.me()
    employee = await OrgChart(session, principal.home()).employee(me)
    check_may_act(employee.active if employee else None)
    return me


async def own_skp(session: AsyncSession, principal: Principal, skp_id: str) -> Skp:
    """The caller's own SKP, to change it (so the caller must still be active)."""
    skp = await load_skp(session, principal, skp_id)
    if skp.employee_id != principal.me():
        raise Forbidden("only the employee may change their own SKP")
    await active_me(session, principal)
    return skp


async def skp_of(session: AsyncSession, tenant: str, employee_id: str, year: int) -> Skp | None:
    query = select(Skp).where(
        Skp.tenant == tenant, Skp.employee_id == employee_id, Skp.year == year
    )
    return (await session.exec(query)).first()


async def content(session: AsyncSession, skp_id: str, version: int) -> list[Rhk]:
    row = await session.get(SkpVersion, (skp_id, version))
    return [Rhk.model_validate(r) for r in row.rhk] if row else []


@dataclass(frozen=True)
class LogTarget:
    """What logging an entry on an SKP needs: the SKP, its approved content, whether the
    caller may still act and the tenant's time zone (see :func:`log_target`)."""

    tenant: str
    employee_id: str
    year: int
    approved_version: int | None
    rhk: list[Rhk]
    caller_active: bool | None
    time_zone: str


async def log_target(session: AsyncSession, principal: Principal, skp_id: str) -> LogTarget | None:
    """The four rows an activity entry is checked against (the SKP, its approved version,
    the caller's org chart row, the tenant) in one query rather than four primary-key
    reads: the activity POST is the platform's hottest write (bench/README.md,
    alert_latency). None when no SKP has this id, in any tenant."""
    approved = and_(
        col(SkpVersion.skp_id) == col(Skp.id),
        col(SkpVersion.version) == col(Skp.approved_version),
    )
    query = (
        select_columns(
            col(Skp.tenant),
            col(Skp.employee_id),
            col(Skp.year),
            col(Skp.approved_version),
            col(SkpVersion.rhk),
            employee_active(principal.home(), principal.me()),
            tenant_time_zone(principal.home()),
        )
        .select_from(Skp)
        .outerjoin(SkpVersion, approved)
        .where(col(Skp.id) == skp_id)
    )
    # Core on the session's connection: the columns, without the ORM's result machinery;
    # flushed first, as the ORM's own query would be (the seeding path reads the SKP it
    # has just written in the same transaction).
    await session.flush()
    connection = await session.connection()
    row = (await connection.execute(query)).first()
    if row is None:
        return None
    tenant, employee_id, year, approved_version, rhk, active, time_zone = row
    return LogTarget(
        tenant=tenant,
        employee_id=employee_id,
        year=year,
        approved_version=approved_version,
        rhk=[Rhk.model_validate(r) for r in rhk or ()],
        caller_active=active,
        time_zone=time_zone or DEFAULT_TIME_ZONE,
    )


async def skp_read(session: AsyncSession, skp: Skp) -> SkpRead:
    return SkpRead(
        **skp.model_dump(exclude={"tenant"}), rhk=await content(session, skp.id, skp.version)
    )


async def check_visible(session: AsyncSession, principal: Principal, owner_id: str) -> None:
    """The owner, the supervisor chain, same-unit peers and HR see an SKP and its log."""
    if principal.employee_id == owner_id:
        return
    org = OrgChart(session, principal.home())
    owner = await org.employee(owner_id)
    if owner is None:
        raise NotFound("employee {employee_id} not found", employee_id=owner_id)
    me = await org.employee(principal.employee_id)
    actor = principal.user_id if principal.is_kepala_daerah else principal.employee_id
    viewer = Viewer(actor, me.unit_id if me else None, principal.is_admin)
    chain = await org.supervisor_chain(owner_id)
    if not may_view_log(viewer, owner_id=owner_id, owner_unit=owner.unit_id, owner_chain=chain):
        raise Forbidden(
            "only {name}, their supervisors, peers of the same unit and HR may see their "
            "SKP and activity log",
            name=owner.name,
        )


async def visible_skp(session: AsyncSession, principal: Principal, skp_id: str) -> Skp:
    """An SKP of the caller's tenant that :func:`check_visible` lets the caller see."""
    skp = await load_skp(session, principal, skp_id)
    await check_visible(session, principal, skp.employee_id)
    return skp


def read_as(read: type[R], row: SQLModel) -> R:
    """A stored row as its read model (the fields of the same names)."""
    return read.model_validate(row.model_dump())


async def log_page(
    session: AsyncSession, query: SelectOfScalar[Any], page: PageParams, read: type[R]
) -> Page[R]:
    """One page of a log (in the order of ``query``), each row as its read model."""
    return (await paginate(session, query, page)).map(lambda row: read_as(read, row))


async def require_direct_supervisor(
    session: AsyncSession, principal: Principal, skp: Skp, action: Action
) -> str:
    """The caller, if they are the SKP owner's direct supervisor and both are active."""
    org = OrgChart(session, principal.home())
    me = principal.actor()
    if not await org.is_direct_supervisor(me, skp.employee_id):
        owner = await org.employee(skp.employee_id)
        if owner is not None and await org.is_kepala_daerah(me):
            raise kepala_daerah_may_not_act(owner.name, action)
        if action == "approve":
            raise Forbidden("only the employee's direct supervisor may approve this SKP")
        raise Forbidden("only the employee's direct supervisor may return this SKP")
    # A deactivated supervisor acts no more; the kepala daerah has no employee record (a
    # deactivated one is no longer anyone's supervisor above).
    record = await org.employee(principal.employee_id)
    check_may_act(record.active if record else None)
    owner = await org.employee(skp.employee_id)
    check_may_be_acted_upon(
        owner.name if owner else skp.employee_id, owner.active if owner else None
    )
    return me


async def parent_options_of(
    session: AsyncSession, tenant: str, employee_id: str, year: int
) -> list[ParentOption]:
    """RHK of the direct supervisor's approved SKP of ``year``: what may be supported."""
    me = await OrgChart(session, tenant).employee(employee_id)
    if me is None or me.supervisor_id is None:
        return []
    boss = await skp_of(session, tenant, me.supervisor_id, year)
    if boss is None or boss.approved_version is None:
        return []
    return [
        ParentOption(
            rhk_id=r.rhk_id,
            title=r.title,
            kind=r.kind,
            supervisor_id=boss.employee_id,
            skp_id=boss.id,
        )
        for r in await content(session, boss.id, boss.approved_version)
    ]


async def check_links(session: AsyncSession, skp: Skp, rhk: Sequence[Rhk]) -> None:
    options = await parent_options_of(session, skp.tenant, skp.employee_id, skp.year)
    check_content(rhk, parent_options=[o.rhk_id for o in options])


async def advance(
    session: AsyncSession, skp: Skp, *, expected: SkpStatus, action: Action, **values: Any
) -> None:
    """Move the SKP on, only if nobody moved it since it was read (one winner)."""
    require_status(skp.status, expected, action=action)
    await update_one(
        session,
        update(Skp)
        .where(
            col(Skp.id) == skp.id,
            col(Skp.status) == expected,
            col(Skp.version) == skp.version,
        )
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False),
        Conflict("the SKP changed meanwhile; reload it and try again"),
    )
    await session.refresh(skp)


async def set_version_status(
    session: AsyncSession, skp: Skp, status: SkpStatus, **values: Any
) -> None:
    row = await session.get(SkpVersion, (skp.id, skp.version))
    assert row is not None
    row.sqlmodel_update({"status": status, **values})
    session.add(row)


def transition(
    session: AsyncSession, skp: Skp, action: str, actor_id: str | None, comment: str = ""
) -> None:
    session.add(
        SkpTransition(
            skp_id=skp.id,
            tenant=skp.tenant,
            version=skp.version,
            action=action,
            actor_id=actor_id,
            comment=comment,
        )
    )
