"""The daily activity log: log an entry on an indicator of one's own approved SKP, edit
or delete it within the tenant's window (each change a new revision, kept in the entry's
history and published as ``activity.logged``), and read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import new_id, utcnow
from services.common.events import ActivityLogged, new_event
from services.common.messaging import add_event
from services.common.orgchart import OrgChart, check_may_act
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import (
    BadRequest,
    Conflict,
    Forbidden,
    InBatch,
    NotFound,
    Refusal,
)
from services.common.rows import of_tenant, update_one
from services.common.security import Principal
from services.common.storage import SessionFactory
from services.common.workdays import local_today
from services.targets.domain import (
    check_activity_date,
    check_edit_window,
    find_indicator,
    local_date,
    revision_conflict,
)
from services.targets.models import (
    Activity,
    ActivityBatch,
    ActivityBatchRead,
    ActivityCreate,
    ActivityHistory,
    ActivityHistoryRead,
    ActivityRead,
    ActivityUpdate,
    Skp,
)
from services.targets.steps import (
    LogTarget,
    active_me,
    check_visible,
    log_page,
    log_target,
    read_as,
)


async def _activity(session: AsyncSession, principal: Principal, activity_id: str) -> Activity:
    missing = NotFound("activity {activity_id} not found", activity_id=activity_id)
    return await of_tenant(session, Activity, activity_id, principal.home(), missing)


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
    return read_as(ActivityRead, row)


async def log_activity(
    sessions: SessionFactory, *, principal: Principal, body: ActivityCreate
) -> ActivityRead:
    async with sessions.begin() as session:
        row = await EntryLogger(session, principal).log(body)
        return _activity_read(row)


async def log_activities(
    sessions: SessionFactory, *, principal: Principal, body: ActivityBatch
) -> ActivityBatchRead:
    """Every entry checked as a single one, all in one transaction: the first refused
    entry refuses the batch (nothing written, no event), saying which entry and why."""
    async with sessions.begin() as session:
        logger = EntryLogger(session, principal)
        rows = []
        for item, entry in enumerate(body.activities, start=1):
            try:
                rows.append(await logger.log(entry))
            except Refusal as refusal:
                raise InBatch(item, refusal) from None
        return ActivityBatchRead(items=[_activity_read(row) for row in rows])


class EntryLogger:
    """Logs entries of the caller in one transaction; what every entry needs (the caller,
    today, an SKP and its approved content) is read once, in one query per SKP."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self._me: str | None = None
        self._today: date | None = None
        self._skps: dict[str, LogTarget] = {}

    async def log(self, body: ActivityCreate) -> Activity:
        session, principal = self.session, self.principal
        if body.skp_id not in self._skps:
            self._skps[body.skp_id] = await self._target(body.skp_id)
        target = self._skps[body.skp_id]
        me = self._me
        assert me is not None and self._today is not None
        if find_indicator(target.rhk, body.indicator_id) is None:
            raise BadRequest(
                "indicator {indicator_id} is not in your approved SKP",
                indicator_id=body.indicator_id,
            )
        check_activity_date(body.activity_date, skp_year=target.year, today=self._today)
        row = Activity(id=new_id(), tenant=principal.home(), employee_id=me, **body.model_dump())
        session.add(row)
        _record(session, row, "created", me)
        return row

    async def _target(self, skp_id: str) -> LogTarget:
        """The SKP checked as the caller's own and approved, the caller as still active
        (that refusal first), in the order and with the refusals of the single reads."""
        principal = self.principal
        target = await log_target(self.session, principal, skp_id)
        if self._me is None:
            if target is None:  # refused below; the caller's own refusal comes first
                self._me = await active_me(self.session, principal)
            else:
                check_may_act(target.caller_active)
                self._me = principal.me()
                self._today = local_today(target.time_zone)
        if target is None or target.tenant != principal.home():
            raise NotFound("SKP {skp_id} not found", skp_id=skp_id)
        if target.employee_id != self._me:
            raise Forbidden("you may log activities only on your own SKP")
        if target.approved_version is None:
            raise Conflict("this SKP has no approved version yet; log activities after approval")
        return target


async def _changeable(
    session: AsyncSession, principal: Principal, activity_id: str
) -> tuple[Activity, date]:
    """The caller's own live entry, still inside the tenant's edit window; and today."""
    row = await _activity(session, principal, activity_id)
    if row.employee_id != principal.me():
        raise Forbidden("only the employee may change their own activity log")
    await active_me(session, principal)
    if row.deleted:
        raise Conflict("this activity was deleted")
    settings, time_zone = await OrgChart(session, principal.home()).settings()
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
    await update_one(
        session,
        update(Activity)
        .where(col(Activity.id) == row.id, col(Activity.revision) == seen)
        .values(revision=seen + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False),
        revision_conflict(seen),
    )
    await session.refresh(row)


async def edit_activity(
    sessions: SessionFactory, *, principal: Principal, activity_id: str, body: ActivityUpdate
) -> ActivityRead:
    changes = {
        k: v
        for k, v in body.model_dump(exclude_unset=True, exclude={"revision"}).items()
        if v is not None or k == "evidence_url"
    }
    if not changes:
        raise BadRequest("nothing to change: give activity_date, value, note or evidence_url")
    async with sessions.begin() as session:
        row, today = await _changeable(session, principal, activity_id)
        skp = await session.get(Skp, row.skp_id)
        assert skp is not None
        check_activity_date(
            changes.get("activity_date", row.activity_date), skp_year=skp.year, today=today
        )
        await _bump(session, row, body.revision or row.revision, **changes)
        _record(session, row, "edited", principal.me())
        return _activity_read(row)


async def delete_activity(
    sessions: SessionFactory, *, principal: Principal, activity_id: str, revision: int | None = None
) -> ActivityRead:
    async with sessions.begin() as session:
        row, _ = await _changeable(session, principal, activity_id)
        await _bump(session, row, revision or row.revision, deleted=True)
        _record(session, row, "deleted", principal.me())
        return _activity_read(row)


async def get_activity(
    sessions: SessionFactory, *, principal: Principal, activity_id: str
) -> ActivityRead:
    async with sessions() as session:
        row = await _activity(session, principal, activity_id)
        await check_visible(session, principal, row.employee_id)
        return _activity_read(row)


async def activity_history(
    sessions: SessionFactory, *, principal: Principal, activity_id: str, page: PageParams
) -> Page[ActivityHistoryRead]:
    async with sessions() as session:
        row = await _activity(session, principal, activity_id)
        await check_visible(session, principal, row.employee_id)
        query = (
            select(ActivityHistory)
            .where(ActivityHistory.activity_id == row.id)
            .order_by(col(ActivityHistory.revision))
        )
        return await log_page(session, query, page, ActivityHistoryRead)


@dataclass(frozen=True)
class ActivityFilter:
    employee_id: str | None = None
    skp_id: str | None = None
    indicator_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_deleted: bool = False


async def list_activities(
    sessions: SessionFactory, *, principal: Principal, where: ActivityFilter, page: PageParams
) -> Page[ActivityRead]:
    owner = where.employee_id or principal.me()
    async with sessions() as session:
        await check_visible(session, principal, owner)
        query = select(Activity).where(
            Activity.tenant == principal.home(), Activity.employee_id == owner
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
