"""HTTP API of the targets service under /api/v1: SKP, its lifecycle, the activity log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from services.common.api import IsoDate, Page, PageParams, errors, page_params
from services.common.pagination import MAX_INT32
from services.common.runtime import runtime_of
from services.common.security import Principal, Role, require_roles
from services.common.storage import SessionFactory
from services.targets import activities as activity_log
from services.targets import approval, drafting, revisions
from services.targets.domain import TeamStatus
from services.targets.models import (
    ActivityBatch,
    ActivityBatchRead,
    ActivityCreate,
    ActivityHistoryRead,
    ActivityRead,
    ActivityUpdate,
    ParentOption,
    SkpCopy,
    SkpCreate,
    SkpRead,
    SkpReturn,
    SkpTransitionRead,
    SkpUpdate,
    SkpVersionRead,
    TeamMember,
)

_staff = require_roles(Role.PEGAWAI, Role.ATASAN, Role.ADMIN, Role.KEPALA_DAERAH)


@dataclass(frozen=True)
class Context:
    sessions: SessionFactory
    principal: Principal


def context(request: Request, principal: Annotated[Principal, Depends(_staff)]) -> Context:
    principal.home()  # an account of no regency is refused before any work (403)
    return Context(sessions=runtime_of(request).sessions, principal=principal)


Ctx = Annotated[Context, Depends(context)]
Paging = Annotated[PageParams, Depends(page_params)]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="default: this year")]

READ = errors(401, 403, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)

skp = APIRouter(prefix="/api/v1/skp", tags=["SKP"])
activities = APIRouter(prefix="/api/v1/activities", tags=["activity log"])


@skp.post("", response_model=SkpRead, status_code=status.HTTP_201_CREATED, responses=WRITE)
async def create_skp(body: SkpCreate, ctx: Ctx) -> SkpRead:
    """Create the caller's SKP for a year as a draft (one per employee per year)."""
    return await drafting.create_skp(ctx.sessions, principal=ctx.principal, body=body)


@skp.get("", response_model=Page[SkpRead], responses=READ)
async def list_skps(
    ctx: Ctx,
    page: Paging,
    employee_id: Annotated[str | None, Query(description="default: the caller")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[SkpRead]:
    """An employee's SKPs, newest year first (the employee, supervisors, unit peers, HR)."""
    return await drafting.list_skps(
        ctx.sessions, principal=ctx.principal, employee_id=employee_id, year=year, page=page
    )


@skp.post("/copy", response_model=SkpRead, status_code=status.HTTP_201_CREATED, responses=WRITE)
async def copy_last_year(body: SkpCopy, ctx: Ctx) -> SkpRead:
    """Copy the caller's SKP of the previous year as a new draft (new ids, no cascade links)."""
    return await revisions.copy_last_year(ctx.sessions, principal=ctx.principal, body=body)


@skp.get("/team", response_model=Page[TeamMember], responses=READ)
async def team(
    ctx: Ctx,
    page: Paging,
    year: Year = None,
    status: Annotated[TeamStatus | None, Query(description="only this status")] = None,
) -> Page[TeamMember]:
    """Supervisor view: the caller's direct reports and whether their SKP is missing, a
    draft, awaiting approval or approved."""
    return await approval.team(
        ctx.sessions, principal=ctx.principal, year=year, status=status, page=page
    )


@skp.get("/regency", response_model=Page[TeamMember], responses=READ)
async def regency(
    ctx: Ctx,
    page: Paging,
    admin: Annotated[Principal, Depends(require_roles(Role.ADMIN))],
    year: Year = None,
    unapproved: Annotated[bool, Query(description="only those without an approved SKP")] = False,
) -> Page[TeamMember]:
    """HR view (admin): every active employee of the regency and where their SKP of the
    year stands, by name; `unapproved=true` keeps those with no approved SKP yet."""
    return await approval.regency(
        ctx.sessions, principal=admin, year=year, unapproved=unapproved, page=page
    )


@skp.get("/parent-options", response_model=list[ParentOption], responses=READ)
async def parent_options(
    ctx: Ctx, year: Annotated[int, Query(ge=2000, le=2100)]
) -> list[ParentOption]:
    """RHK of the caller's direct supervisor's approved SKP that an RHK may support."""
    return await drafting.parent_options(ctx.sessions, principal=ctx.principal, year=year)


@skp.get("/{skp_id}", response_model=SkpRead, responses=READ)
async def get_skp(skp_id: str, ctx: Ctx) -> SkpRead:
    return await drafting.get_skp(ctx.sessions, principal=ctx.principal, skp_id=skp_id)


@skp.put("/{skp_id}", response_model=SkpRead, responses=WRITE)
async def update_skp(skp_id: str, body: SkpUpdate, ctx: Ctx) -> SkpRead:
    """Replace the content of the caller's draft (keep ids to keep identities)."""
    return await drafting.update_skp(
        ctx.sessions, principal=ctx.principal, skp_id=skp_id, body=body
    )


@skp.post("/{skp_id}/submit", response_model=SkpRead, responses=WRITE)
async def submit_skp(skp_id: str, ctx: Ctx) -> SkpRead:
    """Send the caller's draft to the direct supervisor for approval."""
    return await drafting.submit_skp(ctx.sessions, principal=ctx.principal, skp_id=skp_id)


@skp.post("/{skp_id}/approve", response_model=SkpRead, responses=WRITE)
async def approve_skp(skp_id: str, ctx: Ctx) -> SkpRead:
    """Direct supervisor only. Emits target.set, or target.revised for a revision."""
    return await approval.approve_skp(ctx.sessions, principal=ctx.principal, skp_id=skp_id)


@skp.post("/{skp_id}/return", response_model=SkpRead, responses=WRITE)
async def return_skp(skp_id: str, body: SkpReturn, ctx: Ctx) -> SkpRead:
    """Direct supervisor only: send a submitted SKP back to draft with a comment."""
    return await approval.return_skp(
        ctx.sessions, principal=ctx.principal, skp_id=skp_id, body=body
    )


@skp.post("/{skp_id}/revise", response_model=SkpRead, responses=WRITE)
async def revise_skp(skp_id: str, ctx: Ctx) -> SkpRead:
    """Start a new draft version of the caller's approved SKP (the approved one stays in
    force until the new version is approved)."""
    return await revisions.revise_skp(ctx.sessions, principal=ctx.principal, skp_id=skp_id)


@skp.get("/{skp_id}/versions", response_model=Page[SkpVersionRead], responses=READ)
async def list_versions(skp_id: str, ctx: Ctx, page: Paging) -> Page[SkpVersionRead]:
    return await revisions.list_versions(
        ctx.sessions, principal=ctx.principal, skp_id=skp_id, page=page
    )


@skp.get("/{skp_id}/versions/{version}", response_model=SkpVersionRead, responses=READ)
async def get_version(
    skp_id: str, version: Annotated[int, Path(ge=1, le=MAX_INT32)], ctx: Ctx
) -> SkpVersionRead:
    return await revisions.get_version(
        ctx.sessions, principal=ctx.principal, skp_id=skp_id, version=version
    )


@skp.get("/{skp_id}/history", response_model=Page[SkpTransitionRead], responses=READ)
async def list_transitions(skp_id: str, ctx: Ctx, page: Paging) -> Page[SkpTransitionRead]:
    """Who created, edited, submitted, returned (with the comment), approved, revised."""
    return await revisions.list_transitions(
        ctx.sessions, principal=ctx.principal, skp_id=skp_id, page=page
    )


@activities.post(
    "", response_model=ActivityRead, status_code=status.HTTP_201_CREATED, responses=WRITE
)
async def log_activity(body: ActivityCreate, ctx: Ctx) -> ActivityRead:
    """Log an activity on an indicator of the caller's approved SKP; emits activity.logged."""
    return await activity_log.log_activity(ctx.sessions, principal=ctx.principal, body=body)


@activities.post(
    "/batch",
    response_model=ActivityBatchRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
)
async def log_activities(body: ActivityBatch, ctx: Ctx) -> ActivityBatchRead:
    """Log up to 100 entries at once, all or none: each is checked as by `POST
    /activities` and emits its own activity.logged; the first refused entry refuses the
    whole batch with that entry's status and reason (`reason.params.item`, from 1)."""
    return await activity_log.log_activities(ctx.sessions, principal=ctx.principal, body=body)


@activities.get("", response_model=Page[ActivityRead], responses=READ)
async def list_activities(
    ctx: Ctx,
    page: Paging,
    employee_id: Annotated[str | None, Query(description="default: the caller")] = None,
    skp_id: str | None = None,
    indicator_id: str | None = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    include_deleted: bool = False,
) -> Page[ActivityRead]:
    """An employee's log, by date (the employee, supervisors, unit peers, HR)."""
    where = activity_log.ActivityFilter(
        employee_id, skp_id, indicator_id, date_from, date_to, include_deleted
    )
    return await activity_log.list_activities(
        ctx.sessions, principal=ctx.principal, where=where, page=page
    )


@activities.get("/{activity_id}", response_model=ActivityRead, responses=READ)
async def get_activity(activity_id: str, ctx: Ctx) -> ActivityRead:
    return await activity_log.get_activity(
        ctx.sessions, principal=ctx.principal, activity_id=activity_id
    )


@activities.patch("/{activity_id}", response_model=ActivityRead, responses=WRITE)
async def edit_activity(activity_id: str, body: ActivityUpdate, ctx: Ctx) -> ActivityRead:
    """Change an entry within the tenant's edit window; emits activity.logged (edited).
    Give the `revision` you read: a concurrent or stale change answers 409."""
    return await activity_log.edit_activity(
        ctx.sessions, principal=ctx.principal, activity_id=activity_id, body=body
    )


@activities.delete("/{activity_id}", response_model=ActivityRead, responses=WRITE)
async def delete_activity(
    activity_id: str,
    ctx: Ctx,
    revision: Annotated[
        int | None,
        Query(ge=1, le=MAX_INT32, description="the revision you read; 409 if it changed since"),
    ] = None,
) -> ActivityRead:
    """Delete an entry within the edit window (kept in its history); emits activity.logged
    (deleted)."""
    return await activity_log.delete_activity(
        ctx.sessions, principal=ctx.principal, activity_id=activity_id, revision=revision
    )


@activities.get("/{activity_id}/history", response_model=Page[ActivityHistoryRead], responses=READ)
async def activity_history(activity_id: str, ctx: Ctx, page: Paging) -> Page[ActivityHistoryRead]:
    """Every state the entry had: created, each edit, the deletion."""
    return await activity_log.activity_history(
        ctx.sessions, principal=ctx.principal, activity_id=activity_id, page=page
    )


ROUTERS = (skp, activities)
