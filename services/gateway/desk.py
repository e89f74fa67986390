"""``GET /api/gateway/desk``: what the complaint desk, the unit IKM page and the counter
need from the org chart, in one call from the gateway's copy (no N+1 from the browser):
the units whose complaints the caller handles, their own unit and colleagues (the officer
a survey token may name), and the names of the people a complaint shows (never ids).

Authorisation of the work itself stays in feedback; this only names things the caller's
regency already holds, never across regencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import col, or_, select

from services.common.api import errors
from services.common.orgchart import OrgEmployee, OrgUnit
from services.common.security import Role
from services.gateway.context import Gateway, gateway_of
from services.gateway.session import authenticate, caller_of

router = APIRouter(tags=["gateway"])
GatewayDep = Annotated[Gateway, Depends(gateway_of)]
MAX_PEOPLE = 200  # names asked for in one call (one page of complaints and their steps)


class DeskUnit(BaseModel):
    unit_id: str
    name: str
    head: bool = Field(description="the caller heads this unit (may close unresolved)")
    serves_public: bool


class DeskPerson(BaseModel):
    employee_id: str
    name: str


class DeskContext(BaseModel):
    units: list[DeskUnit] = Field(description="units whose complaints and IKM the caller handles")
    own_unit: DeskUnit | None = Field(description="the unit the caller works in")
    colleagues: list[DeskPerson] = Field(description="active colleagues of that unit, not me")
    people: dict[str, str] = Field(description="employee id -> name, for the ids asked")


def _unit(row: OrgUnit, me: str | None) -> DeskUnit:
    return DeskUnit(
        unit_id=row.unit_id,
        name=row.name,
        head=me is not None and row.head_employee_id == me,
        serves_public=row.serves_public,
    )


@router.get(
    "/api/gateway/desk",
    response_model=DeskContext,
    responses=errors(401, 403, 422),
    summary="The caller's units, colleagues and the names of the people asked for",
)
async def desk(
    request: Request,
    response: Response,
    gateway: GatewayDep,
    person: Annotated[list[str], Query(max_length=MAX_PEOPLE)] = [],  # noqa: B006
) -> DeskContext:
    auth = await authenticate(request, gateway)
    principal = caller_of(auth.token, gateway.jwt_secret)
    principal.home()
    auth.apply(response, request, gateway)
    tenant, me = principal.tenant, principal.employee_id
    async with gateway.sessions() as session:
        mine = await session.get(OrgEmployee, (tenant, me)) if me else None
        handled = select(OrgUnit).where(OrgUnit.tenant == tenant)
        if not principal.is_admin:
            # The same rule as feedback's handled_unit_ids: the units I head, and my own
            # unit when I am its pengelola pengaduan (feedback refuses anything else).
            own = mine.unit_id if mine and principal.has(Role.PENGELOLA_PENGADUAN) else None
            handled = handled.where(
                or_(col(OrgUnit.head_employee_id) == me, col(OrgUnit.unit_id) == own)
            )
        units = (await session.exec(handled.order_by(col(OrgUnit.name)))).all()
        own_unit = await session.get(OrgUnit, (tenant, mine.unit_id)) if mine else None
        colleagues = (
            (
                await session.exec(
                    select(OrgEmployee)
                    .where(
                        OrgEmployee.tenant == tenant,
                        OrgEmployee.unit_id == mine.unit_id,
                        col(OrgEmployee.active).is_(True),
                        OrgEmployee.employee_id != mine.employee_id,
                    )
                    .order_by(col(OrgEmployee.name))
                )
            ).all()
            if mine
            else []
        )
        named = (
            (
                await session.exec(
                    select(OrgEmployee).where(
                        OrgEmployee.tenant == tenant, col(OrgEmployee.employee_id).in_(person)
                    )
                )
            ).all()
            if person
            else []
        )
    return DeskContext(
        units=[_unit(u, me) for u in units if principal.is_admin is False or u.serves_public],
        own_unit=_unit(own_unit, me) if own_unit else None,
        colleagues=[DeskPerson(employee_id=e.employee_id, name=e.name) for e in colleagues],
        people={e.employee_id: e.name for e in named},
    )
