"""Duties an admin designates on an employee's account: petugas loket (issues survey
tokens) and pengelola pengaduan (handles complaints), for the unit the employee works in.

They travel as roles in the employee's tokens (recomputed at every login and refresh), and
feedback checks them against its org chart copy, so a duty never reaches beyond the
employee's current unit. Taking a duty away revokes the refresh tokens: it ends when the
current access token expires.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.common.api import errors
from services.common.refusals import BadRequest
from services.common.security import Principal, Role, require_roles
from services.common.storage import SessionFactory
from services.identity import domain
from services.identity.api import V1, Ctx
from services.identity.employees import active_account
from services.identity.records import get_employee, get_unit, revoke_refresh_tokens, transaction

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
router = APIRouter(prefix=V1, tags=["units and employees"])


class Duties(BaseModel):
    duties: list[Role] = Field(
        max_length=2, description="`petugas_loket`, `pengelola_pengaduan`; [] removes them"
    )


class DutiesRead(Duties):
    employee_id: str


async def set_duties(
    *, sessions: SessionFactory, principal: Principal, employee_id: str, duties: list[Role]
) -> list[Role]:
    tenant = principal.home()
    async with transaction(sessions) as session:
        employee = await get_employee(session, tenant, employee_id)
        unit = await get_unit(session, tenant, employee.unit_id)
        problem = domain.duties_problem(
            duties, active=employee.active, unit_serves_public=unit.serves_public
        )
        if problem:
            raise BadRequest.of(problem)
        account = await active_account(session, employee)
        before = account.role_set & domain.DUTIES
        roles = domain.with_duties(account.role_set, duties)
        account.roles = ",".join(sorted(roles))
        session.add(account)
        if before - set(duties):
            await revoke_refresh_tokens(session, account.id)
        return sorted(roles & domain.DUTIES)


@router.get(
    "/employees/{employee_id}/duties",
    response_model=DutiesRead,
    responses=errors(401, 403, 404, 409),
)
async def get_duties(employee_id: str, principal: Admin, ctx: Ctx) -> DutiesRead:
    """The employee's current duties (admin), for the form that changes them."""
    async with ctx.sessions() as session:
        employee = await get_employee(session, principal.home(), employee_id)
        account = await active_account(session, employee)
    return DutiesRead(employee_id=employee_id, duties=sorted(account.role_set & domain.DUTIES))


@router.put(
    "/employees/{employee_id}/duties",
    response_model=DutiesRead,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def put_duties(employee_id: str, body: Duties, principal: Admin, ctx: Ctx) -> DutiesRead:
    """Designate (or withdraw) an employee's duties (admin); effective from their next
    login or token refresh."""
    duties = await set_duties(
        sessions=ctx.sessions,
        principal=principal,
        employee_id=employee_id,
        duties=body.duties,
    )
    return DutiesRead(employee_id=employee_id, duties=duties)
