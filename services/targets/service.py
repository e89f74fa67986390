"""Use cases of the targets service: each public function is one transaction.

Rules come from :mod:`services.targets.domain`; authorisation about supervision comes from
the service's own copy of the org chart. A refused request raises
:class:`~services.targets.domain.RuleError` before anything is committed, so nothing is
written and no event is staged.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import ActivityLogged, Rhk, TargetRevised, TargetSet, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart
from services.common.pagination import Page, PageParams, page_of, paginate
from services.common.storage import SessionFactory
from services.common.workdays import local_today
from services.targets.domain import (
    RuleError,
    SkpStatus,
    TeamStatus,
    Viewer,
    check_activity_date,
    check_content,
    check_edit_window,
    check_may_act,
    check_may_be_acted_upon,
    check_submittable,
    copy_for_new_year,
    find_indicator,
    local_date,
    may_view_log,
    new_id,
    require_status,
    revision_conflict,
    team_status,
)
from services.targets.models import (
    Activity,
    ActivityCreate,
    ActivityHistory,
    ActivityHistoryRead,
    ActivityRead,
    ActivityUpdate,
    ParentOption,
    RhkIn,
    Skp,
    SkpCopy,
    SkpCreate,
    SkpRead,
    SkpReturn,
    SkpTransition,
    SkpTransitionRead,
    SkpUpdate,
    SkpVersion,
    SkpVersionRead,
    TeamMember,
    utcnow,
)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Actor:
    """The caller, as the verified token says."""

    tenant: str
    employee_id: str | None
    is_admin: bool = False

    def me(self) -> str:
        if self.employee_id is None:
            raise RuleError("this account is not an employee", 403)
        return self.employee_id


# ---------------------------------------------------------------- shared steps


def _dump(rhk: Sequence[Rhk]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in rhk]


def _to_rhk(items: Sequence[RhkIn]) -> list[Rhk]:
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


async def _skp(session: AsyncSession, actor: Actor, skp_id: str) -> Skp:
    row = await session.get(Skp, skp_id)
    if row is None or row.tenant != actor.tenant:
        raise RuleError(f"SKP {skp_id} not found", 404)
    return row


async def _active_me(session: AsyncSession, actor: Actor) -> str:
    """The caller's employee id, refused when the org chart says they were deactivated."""
    me = actor.me()
    employee = await OrgChart(session, actor.tenant).employee(me)
    check_may_act(employee.active if employee else None)
    return me


async def _own_skp(session: AsyncSession, actor: Actor, skp_id: str) -> Skp:
    """The caller's own SKP, to change it (so the caller must still be active)."""
    skp = await _skp(session, actor, skp_id)
    if skp.employee_id != actor.me():
        raise RuleError("only the employee may change their own SKP", 403)
    await _active_me(session, actor)
    return skp


async def _skp_of(session: AsyncSession, tenant: str, employee_id: str, year: int) -> Skp | None:
    query = select(Skp).where(
        Skp.tenant == tenant, Skp.employee_id == employee_id, Skp.year == year
    )
    return (await session.exec(query)).first()


async def _content(session: AsyncSession, skp_id: str, version: int) -> list[Rhk]:
    row = await session.get(SkpVersion, (skp_id, version))
    return [Rhk.model_validate(r) for r in row.rhk] if row else []


async def _skp_read(session: AsyncSession, skp: Skp) -> SkpRead:
    return SkpRead(
        **skp.model_dump(exclude={"tenant"}), rhk=await _content(session, skp.id, skp.version)
    )


async def _check_visible(session: AsyncSession, actor: Actor, owner_id: str) -> None:
    """The owner, the supervisor chain, same-unit peers and HR see an SKP and its log."""
    if actor.employee_id == owner_id:
        return
    org = OrgChart(session, actor.tenant)
    owner = await org.employee(owner_id)
    if owner is None:
        raise RuleError(f"employee {owner_id} not found", 404)
    me = await org.employee(actor.employee_id)
    viewer = Viewer(actor.employee_id, me.unit_id if me else None, actor.is_admin)
    chain = await org.supervisor_chain(owner_id)
    if not may_view_log(viewer, owner_id=owner_id, owner_unit=owner.unit_id, owner_chain=chain):
        raise RuleError(
            "only the employee, their supervisors, peers of the same unit and HR may see "
            "this employee's SKP and activity log",
            403,
        )


async def _require_direct_supervisor(
    session: AsyncSession, actor: Actor, skp: Skp, action: str
) -> str:
    org = OrgChart(session, actor.tenant)
    me = actor.me()
    if not await org.is_direct_supervisor(me, skp.employee_id):
        raise RuleError(f"only the employee's direct supervisor may {action} this SKP", 403)
    await _active_me(session, actor)
    owner = await org.employee(skp.employee_id)
    check_may_be_acted_upon(skp.employee_id, owner.active if owner else None)
    return me


async def _parent_options(
    session: AsyncSession, tenant: str, employee_id: str, year: int
) -> list[ParentOption]:
    """RHK of the direct supervisor's approved SKP of ``year``: what may be supported."""
    me = await OrgChart(session, tenant).employee(employee_id)
    if me is None or me.supervisor_id is None:
        return []
    boss = await _skp_of(session, tenant, me.supervisor_id, year)
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
        for r in await _content(session, boss.id, boss.approved_version)
    ]


async def _check_links(session: AsyncSession, skp: Skp, rhk: Sequence[Rhk]) -> None:
    options = await _parent_options(session, skp.tenant, skp.employee_id, skp.year)
    check_content(rhk, parent_options=[o.rhk_id for o in options])


async def _advance(
    session: AsyncSession, skp: Skp, *, expected: SkpStatus, action: str, **values: Any
) -> None:
    """Move the SKP on, only if nobody moved it since it was read (one winner)."""
    require_status(skp.status, expected, action=action)
    result = await session.exec(
        update(Skp)
        .where(
            col(Skp.id) == skp.id,
            col(Skp.status) == expected,
            col(Skp.version) == skp.version,
        )
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RuleError(f"the SKP changed meanwhile; cannot {action} it now", 409)
    await session.refresh(skp)


async def _set_version_status(
    session: AsyncSession, skp: Skp, status: SkpStatus, **values: Any
) -> None:
    row = await session.get(SkpVersion, (skp.id, skp.version))
    assert row is not None
    row.sqlmodel_update({"status": status, **values})
    session.add(row)


def _transition(
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


@contextlib.asynccontextmanager
async def _one_per_year(year: int) -> AsyncIterator[None]:
    try:
        yield
    except IntegrityError:
        raise RuleError(f"you already have an SKP for {year}", 409) from None


async def _insert_skp(
    session: AsyncSession, *, actor: Actor, year: int, rhk: Sequence[Rhk], action: str
) -> SkpRead:
    owner = await _active_me(session, actor)
    if await _skp_of(session, actor.tenant, owner, year) is not None:
        raise RuleError(f"you already have an SKP for {year}", 409)
    skp = Skp(id=new_id(), tenant=actor.tenant, employee_id=owner, year=year)
    await _check_links(session, skp, rhk)
    session.add(skp)
    session.add(SkpVersion(skp_id=skp.id, version=1, tenant=actor.tenant, rhk=_dump(rhk)))
    _transition(session, skp, action, owner)
    await session.flush()  # a concurrent twin fails here on the unique (tenant, employee, year)
    return await _skp_read(session, skp)


# ---------------------------------------------------------------- SKP use cases


async def create_skp(sessions: SessionFactory, *, actor: Actor, body: SkpCreate) -> SkpRead:
    rhk = _to_rhk(body.rhk)
    async with _one_per_year(body.year), sessions.begin() as session:
        return await _insert_skp(session, actor=actor, year=body.year, rhk=rhk, action="created")


async def copy_last_year(sessions: SessionFactory, *, actor: Actor, body: SkpCopy) -> SkpRead:
    """Last year's SKP (its approved content, else its draft) as this year's new draft."""
    owner = actor.me()
    async with sessions.begin() as session:
        _, time_zone = await OrgChart(session, actor.tenant).settings()
        year = body.year or local_today(time_zone).year
    async with _one_per_year(year), sessions.begin() as session:
        source = await _skp_of(session, actor.tenant, owner, year - 1)
        if source is None:
            raise RuleError(f"you have no SKP for {year - 1} to copy", 404)
        content = await _content(session, source.id, source.approved_version or source.version)
        return await _insert_skp(
            session, actor=actor, year=year, rhk=copy_for_new_year(content), action="copied"
        )


async def update_skp(
    sessions: SessionFactory, *, actor: Actor, skp_id: str, body: SkpUpdate
) -> SkpRead:
    rhk = _to_rhk(body.rhk)
    async with sessions.begin() as session:
        skp = await _own_skp(session, actor, skp_id)
        require_status(skp.status, SkpStatus.DRAFT, action="edit")
        await _check_links(session, skp, rhk)
        await _advance(session, skp, expected=SkpStatus.DRAFT, action="edit")
        await _set_version_status(session, skp, SkpStatus.DRAFT, rhk=_dump(rhk))
        _transition(session, skp, "edited", actor.employee_id)
        return await _skp_read(session, skp)


async def submit_skp(sessions: SessionFactory, *, actor: Actor, skp_id: str) -> SkpRead:
    async with sessions.begin() as session:
        skp = await _own_skp(session, actor, skp_id)
        require_status(skp.status, SkpStatus.DRAFT, action="submit")
        me = await OrgChart(session, actor.tenant).employee(skp.employee_id)
        content = await _content(session, skp.id, skp.version)
        check_submittable(content, me.supervisor_id if me else None)
        await _check_links(session, skp, content)  # the supervisor's SKP may have moved on
        await _advance(
            session, skp, expected=SkpStatus.DRAFT, action="submit", status=SkpStatus.SUBMITTED
        )
        await _set_version_status(session, skp, SkpStatus.SUBMITTED)
        _transition(session, skp, "submitted", actor.employee_id)
        return await _skp_read(session, skp)


async def approve_skp(sessions: SessionFactory, *, actor: Actor, skp_id: str) -> SkpRead:
    """Approve the submitted version; emits target.set (or target.revised after a first
    approval). Of two concurrent approvals exactly one passes the conditional update."""
    async with sessions.begin() as session:
        skp = await _skp(session, actor, skp_id)
        approver = await _require_direct_supervisor(session, actor, skp, "approve")
        previous = skp.approved_version
        await _advance(
            session,
            skp,
            expected=SkpStatus.SUBMITTED,
            action="approve",
            status=SkpStatus.APPROVED,
            approved_version=skp.version,
        )
        await _set_version_status(
            session, skp, SkpStatus.APPROVED, approved_by=approver, approved_at=utcnow()
        )
        _transition(session, skp, "approved", approver)
        fields: dict[str, Any] = {
            "skp_id": skp.id,
            "employee_id": skp.employee_id,
            "year": skp.year,
            "version": skp.version,
            "approved_by": approver,
            "rhk": tuple(await _content(session, skp.id, skp.version)),
        }
        payload = (
            TargetSet(**fields)
            if previous is None
            else TargetRevised(**fields, previous_version=previous)
        )
        add_event(session, new_event(payload, tenant=actor.tenant))
        return await _skp_read(session, skp)


async def return_skp(
    sessions: SessionFactory, *, actor: Actor, skp_id: str, body: SkpReturn
) -> SkpRead:
    async with sessions.begin() as session:
        skp = await _skp(session, actor, skp_id)
        supervisor = await _require_direct_supervisor(session, actor, skp, "return")
        await _advance(
            session, skp, expected=SkpStatus.SUBMITTED, action="return", status=SkpStatus.DRAFT
        )
        await _set_version_status(session, skp, SkpStatus.DRAFT)
        _transition(session, skp, "returned", supervisor, body.comment)
        return await _skp_read(session, skp)


async def revise_skp(sessions: SessionFactory, *, actor: Actor, skp_id: str) -> SkpRead:
    """An approved SKP gets a new draft version (a copy of the approved content); the
    approved version stays in force until the new one is approved."""
    async with sessions.begin() as session:
        skp = await _own_skp(session, actor, skp_id)
        content = await _content(session, skp.id, skp.version)
        await _advance(
            session,
            skp,
            expected=SkpStatus.APPROVED,
            action="revise",
            status=SkpStatus.DRAFT,
            version=skp.version + 1,
        )
        session.add(
            SkpVersion(skp_id=skp.id, version=skp.version, tenant=skp.tenant, rhk=_dump(content))
        )
        _transition(session, skp, "revised", actor.employee_id)
        return await _skp_read(session, skp)


async def get_skp(sessions: SessionFactory, *, actor: Actor, skp_id: str) -> SkpRead:
    async with sessions() as session:
        skp = await _skp(session, actor, skp_id)
        await _check_visible(session, actor, skp.employee_id)
        return await _skp_read(session, skp)


async def list_skps(
    sessions: SessionFactory,
    *,
    actor: Actor,
    employee_id: str | None,
    year: int | None,
    page: PageParams,
) -> Page[SkpRead]:
    owner = employee_id or actor.me()
    async with sessions() as session:
        await _check_visible(session, actor, owner)
        query = select(Skp).where(Skp.tenant == actor.tenant, Skp.employee_id == owner)
        if year is not None:
            query = query.where(Skp.year == year)
        result = await paginate(session, query.order_by(col(Skp.year).desc()), page)
        items = [await _skp_read(session, s) for s in result.items]
        return Page[SkpRead](items=items, total=result.total, limit=page.limit, offset=page.offset)


async def list_versions(
    sessions: SessionFactory, *, actor: Actor, skp_id: str, page: PageParams
) -> Page[SkpVersionRead]:
    async with sessions() as session:
        skp = await _skp(session, actor, skp_id)
        await _check_visible(session, actor, skp.employee_id)
        query = (
            select(SkpVersion)
            .where(SkpVersion.skp_id == skp.id)
            .order_by(col(SkpVersion.version).desc())
        )
        return (await paginate(session, query, page)).map(_version_read)


def _version_read(row: SkpVersion) -> SkpVersionRead:
    return SkpVersionRead.model_validate(row.model_dump())


async def get_version(
    sessions: SessionFactory, *, actor: Actor, skp_id: str, version: int
) -> SkpVersionRead:
    async with sessions() as session:
        skp = await _skp(session, actor, skp_id)
        await _check_visible(session, actor, skp.employee_id)
        row = await session.get(SkpVersion, (skp.id, version))
        if row is None:
            raise RuleError(f"SKP {skp_id} has no version {version}", 404)
        return _version_read(row)


async def list_transitions(
    sessions: SessionFactory, *, actor: Actor, skp_id: str, page: PageParams
) -> Page[SkpTransitionRead]:
    async with sessions() as session:
        skp = await _skp(session, actor, skp_id)
        await _check_visible(session, actor, skp.employee_id)
        query = (
            select(SkpTransition)
            .where(SkpTransition.skp_id == skp.id)
            .order_by(col(SkpTransition.id))
        )
        return (await paginate(session, query, page)).map(
            lambda t: SkpTransitionRead.model_validate(t.model_dump())
        )


async def parent_options(
    sessions: SessionFactory, *, actor: Actor, year: int
) -> list[ParentOption]:
    async with sessions() as session:
        return await _parent_options(session, actor.tenant, actor.me(), year)


async def team(
    sessions: SessionFactory,
    *,
    actor: Actor,
    year: int | None,
    status: TeamStatus | None,
    page: PageParams,
) -> Page[TeamMember]:
    """The caller's direct reports and where their SKP of ``year`` stands."""
    me = actor.me()
    async with sessions() as session:
        org = OrgChart(session, actor.tenant)
        if year is None:
            _, time_zone = await org.settings()
            year = local_today(time_zone).year
        reports = await org.direct_reports(me)
        rows = await session.exec(
            select(Skp).where(
                Skp.tenant == actor.tenant,
                Skp.year == year,
                col(Skp.employee_id).in_([r.employee_id for r in reports]),
            )
        )
        by_owner = {s.employee_id: s for s in rows.all()}
    members = []
    for report in reports:
        skp = by_owner.get(report.employee_id)
        member = TeamMember(
            employee_id=report.employee_id,
            name=report.name,
            position=report.position,
            unit_id=report.unit_id,
            status=team_status(skp.status if skp else None),
            skp_id=skp.id if skp else None,
            version=skp.version if skp else None,
            approved_version=skp.approved_version if skp else None,
        )
        if status is None or member.status == status:
            members.append(member)
    return page_of(members, page)


# ---------------------------------------------------------------- activity log


async def _activity(session: AsyncSession, actor: Actor, activity_id: str) -> Activity:
    row = await session.get(Activity, activity_id)
    if row is None or row.tenant != actor.tenant:
        raise RuleError(f"activity {activity_id} not found", 404)
    return row


async def _today(org: OrgChart) -> date:
    _, time_zone = await org.settings()
    return local_today(time_zone)


def _record(session: AsyncSession, row: Activity, action: str, by: str) -> None:
    """Keep the entry's new state in its history and publish it (same transaction)."""
    session.add(
        ActivityHistory(
            activity_id=row.id,
            tenant=row.tenant,
            revision=row.revision,
            action=action,
            indicator_id=row.indicator_id,
            activity_date=row.activity_date,
            value=row.value,
            note=row.note,
            evidence_url=row.evidence_url,
            changed_by=by,
        )
    )
    payload = ActivityLogged(
        activity_id=row.id,
        employee_id=row.employee_id,
        skp_id=row.skp_id,
        indicator_id=row.indicator_id,
        activity_date=row.activity_date,
        value=row.value,
        note=row.note,
        evidence_url=row.evidence_url,
        action=action,
    )
    add_event(session, new_event(payload, tenant=row.tenant))


def _activity_read(row: Activity) -> ActivityRead:
    return ActivityRead.model_validate(row.model_dump())


async def log_activity(
    sessions: SessionFactory, *, actor: Actor, body: ActivityCreate
) -> ActivityRead:
    async with sessions.begin() as session:
        me = await _active_me(session, actor)
        skp = await _skp(session, actor, body.skp_id)
        if skp.employee_id != me:
            raise RuleError("you may log activities only on your own SKP", 403)
        if skp.approved_version is None:
            raise RuleError(
                "this SKP has no approved version yet; log activities after approval", 409
            )
        content = await _content(session, skp.id, skp.approved_version)
        if find_indicator(content, body.indicator_id) is None:
            raise RuleError(f"indicator {body.indicator_id} is not in your approved SKP", 400)
        today = await _today(OrgChart(session, actor.tenant))
        check_activity_date(body.activity_date, skp_year=skp.year, today=today)
        row = Activity(id=new_id(), tenant=actor.tenant, employee_id=me, **body.model_dump())
        session.add(row)
        _record(session, row, "created", me)
        return _activity_read(row)


async def _changeable(
    session: AsyncSession, actor: Actor, activity_id: str
) -> tuple[Activity, date]:
    """The caller's own live entry, still inside the tenant's edit window; and today."""
    row = await _activity(session, actor, activity_id)
    if row.employee_id != actor.me():
        raise RuleError("only the employee may change their own activity log", 403)
    await _active_me(session, actor)
    if row.deleted:
        raise RuleError("this activity was deleted", 409)
    settings, time_zone = await OrgChart(session, actor.tenant).settings()
    today = local_today(time_zone)
    check_edit_window(
        local_date(row.logged_at, time_zone),
        today=today,
        window_days=settings.activity_edit_window_days,
    )
    return row, today


async def _bump(session: AsyncSession, row: Activity, seen: int, **values: Any) -> None:
    """Write the entry's next revision only if it is still at ``seen``: a conditional
    UPDATE, so of two concurrent changes of one revision exactly one passes (the other
    waits for the row lock, then matches no row) and the loser answers 409."""
    if seen != row.revision:
        raise revision_conflict(seen)
    result = await session.exec(
        update(Activity)
        .where(col(Activity.id) == row.id, col(Activity.revision) == seen)
        .values(revision=seen + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise revision_conflict(seen)
    await session.refresh(row)


async def edit_activity(
    sessions: SessionFactory, *, actor: Actor, activity_id: str, body: ActivityUpdate
) -> ActivityRead:
    changes = {
        k: v
        for k, v in body.model_dump(exclude_unset=True, exclude={"revision"}).items()
        if v is not None or k == "evidence_url"
    }
    if not changes:
        raise RuleError("nothing to change: give activity_date, value, note or evidence_url")
    async with sessions.begin() as session:
        row, today = await _changeable(session, actor, activity_id)
        skp = await session.get(Skp, row.skp_id)
        assert skp is not None
        check_activity_date(
            changes.get("activity_date", row.activity_date), skp_year=skp.year, today=today
        )
        await _bump(session, row, body.revision or row.revision, **changes)
        _record(session, row, "edited", actor.me())
        return _activity_read(row)


async def delete_activity(
    sessions: SessionFactory, *, actor: Actor, activity_id: str, revision: int | None = None
) -> ActivityRead:
    async with sessions.begin() as session:
        row, _ = await _changeable(session, actor, activity_id)
        await _bump(session, row, revision or row.revision, deleted=True)
        _record(session, row, "deleted", actor.me())
        return _activity_read(row)


async def get_activity(sessions: SessionFactory, *, actor: Actor, activity_id: str) -> ActivityRead:
    async with sessions() as session:
        row = await _activity(session, actor, activity_id)
        await _check_visible(session, actor, row.employee_id)
        return _activity_read(row)


async def activity_history(
    sessions: SessionFactory, *, actor: Actor, activity_id: str, page: PageParams
) -> Page[ActivityHistoryRead]:
    async with sessions() as session:
        row = await _activity(session, actor, activity_id)
        await _check_visible(session, actor, row.employee_id)
        query = (
            select(ActivityHistory)
            .where(ActivityHistory.activity_id == row.id)
            .order_by(col(ActivityHistory.revision))
        )
        return (await paginate(session, query, page)).map(
            lambda h: ActivityHistoryRead.model_validate(h.model_dump())
        )


@dataclass(frozen=True)
class ActivityFilter:
    employee_id: str | None = None
    skp_id: str | None = None
    indicator_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_deleted: bool = False


async def list_activities(
    sessions: SessionFactory, *, actor: Actor, where: ActivityFilter, page: PageParams
) -> Page[ActivityRead]:
    owner = where.employee_id or actor.me()
    async with sessions() as session:
        await _check_visible(session, actor, owner)
        query = select(Activity).where(
            Activity.tenant == actor.tenant, Activity.employee_id == owner
        )
        if where.skp_id is not None:
            query = query.where(Activity.skp_id == where.skp_id)
        if where.indicator_id is not None:
            query = query.where(Activity.indicator_id == where.indicator_id)
        if where.date_from is not None:
            query = query.where(col(Activity.activity_date) >= where.date_from)
        if where.date_to is not None:
            query = query.where(col(Activity.activity_date) <= where.date_to)
        if not where.include_deleted:
            query = query.where(col(Activity.deleted).is_(False))
        query = query.order_by(col(Activity.activity_date), col(Activity.logged_at))
        return (await paginate(session, query, page)).map(_activity_read)
