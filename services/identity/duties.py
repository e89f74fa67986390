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
from sqlmodel import select

from services.common.api import errors
from services.common.security import Principal, Role, require_roles, tenant_of
from services.common.storage import SessionFactory
from services.identity import domain, service
from services.identity.api import V1, Ctx
from services.identity.models import UserAccount

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
router = APIRouter(prefix=V1, tags=["units and employees"])


class Duties(BaseModel):
    duties: list[Role] = Field(
        max_length=2, description="`petugas_loket`, `pengelola_pengaduan`; [] removes them"
    )


class DutiesRead(Duties):
    employee_id: str


async def set_duties(
    *, sessions: SessionFactory, tenant: str, employee_id: str, duties: list[Role]
) -> list[Role]:
    async with sessions.begin() as session:
        employee = await service.get_employee(session, tenant, employee_id)
        unit = await service.get_unit(session, tenant, employee.unit_id)
        problem = domain.duties_problem(
            duties, active=employee.active, unit_serves_public=unit.serves_public
        )
        if problem:
            raise service.Refused(400, problem)
        rows = await session.exec(select(UserAccount).where(UserAccount.employee_id == employee_id))
        account = rows.first()
        if account is None or not account.active:
            raise service.Refused(409, "the employee's account is disabled")
        before = account.role_set & domain.DUTIES
        roles = domain.with_duties(account.role_set, duties)
        account.roles = ",".join(sorted(roles))
        session.add(account)
        if before - set(duties):
            await service.revoke_refresh_tokens(session, account.id)
        return sorted(roles & domain.DUTIES)


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
        tenant=tenant_of(principal),
        employee_id=employee_id,
        duties=body.duties,
    )
    return DutiesRead(employee_id=employee_id, duties=duties)
