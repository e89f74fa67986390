"""Identity's routes for units and employees (``/api/v1/units``, ``/api/v1/employees``):
each calls one use case of ``units`` or ``employees``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.common.api import Page, errors
from services.common.events import UnitKind
from services.identity import employees, units
from services.identity.api import V1, Admin, Ctx, Paging, Staff, employee_read
from services.identity.models import (
    Deactivation,
    EmployeeCreate,
    EmployeeRead,
    EmployeeUpdate,
    PasswordSet,
    Unit,
    UnitCreate,
    UnitRead,
    UnitUpdate,
)

router = APIRouter(prefix=V1, tags=["units and employees"])

# ---------------------------------------------------------------- units


@router.post(
    "/units",
    response_model=UnitRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def create_unit(body: UnitCreate, principal: Admin, ctx: Ctx) -> Unit:
    """Emits `unit.created`."""
    return await units.create_unit(sessions=ctx.sessions, principal=principal, body=body)


@router.get("/units", response_model=Page[UnitRead], responses=errors(401, 403, 422))
async def list_units(
    principal: Staff,
    ctx: Ctx,
    paging: Paging,
    parent_id: Annotated[str | None, Query(description="direct children of this unit")] = None,
    kind: UnitKind | None = None,
    serves_public: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="name or code prefix")] = None,
) -> Page[Unit]:
    where = units.UnitFilter(parent_id=parent_id, kind=kind, serves_public=serves_public, q=q)
    return await units.list_units(
        sessions=ctx.sessions, principal=principal, paging=paging, where=where
    )


@router.get("/units/{unit_id}", response_model=UnitRead, responses=errors(401, 403, 404))
async def get_unit(unit_id: str, principal: Staff, ctx: Ctx) -> Unit:
    return await units.read_unit(sessions=ctx.sessions, principal=principal, unit_id=unit_id)


@router.patch(
    "/units/{unit_id}", response_model=UnitRead, responses=errors(400, 401, 403, 404, 409, 422)
)
async def update_unit(unit_id: str, body: UnitUpdate, principal: Admin, ctx: Ctx) -> Unit:
    """Change name, kind, parent, public flag or head; emits `unit.updated`."""
    return await units.update_unit(
        sessions=ctx.sessions, principal=principal, unit_id=unit_id, body=body
    )


# ---------------------------------------------------------------- employees


@router.post(
    "/employees",
    response_model=EmployeeRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def create_employee(body: EmployeeCreate, principal: Admin, ctx: Ctx) -> EmployeeRead:
    """Register an employee and their login account (username: the NIP); emits
    `employee.registered`."""
    employee = await employees.create_employee(
        sessions=ctx.sessions, principal=principal, body=body
    )
    return employee_read(employee, principal)


@router.get("/employees", response_model=Page[EmployeeRead], responses=errors(401, 403, 422))
async def list_employees(
    principal: Staff,
    ctx: Ctx,
    paging: Paging,
    unit_id: str | None = None,
    supervisor_id: Annotated[str | None, Query(description="direct reports of")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="name prefix (admins: or NIP prefix)")
    ] = None,
    include_inactive: bool = False,
) -> Page[EmployeeRead]:
    """Colleagues of your regency. Every staff member may list them; the NIP is shown to
    admins only (and to the employee themself)."""
    where = employees.EmployeeFilter(
        unit_id=unit_id, supervisor_id=supervisor_id, q=q, include_inactive=include_inactive
    )
    page = await employees.list_employees(
        sessions=ctx.sessions, principal=principal, paging=paging, where=where
    )
    return page.map(lambda e: employee_read(e, principal))


@router.get(
    "/employees/{employee_id}", response_model=EmployeeRead, responses=errors(401, 403, 404)
)
async def get_employee(employee_id: str, principal: Staff, ctx: Ctx) -> EmployeeRead:
    employee = await employees.read_employee(
        sessions=ctx.sessions, principal=principal, employee_id=employee_id
    )
    return employee_read(employee, principal)


@router.patch(
    "/employees/{employee_id}",
    response_model=EmployeeRead,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def update_employee(
    employee_id: str, body: EmployeeUpdate, principal: Admin, ctx: Ctx
) -> EmployeeRead:
    """Change name, position, unit or supervisor (admin); emits `employee.updated`."""
    employee = await employees.update_employee(
        sessions=ctx.sessions, principal=principal, employee_id=employee_id, body=body
    )
    return employee_read(employee, principal)


@router.post(
    "/employees/{employee_id}/deactivate",
    response_model=EmployeeRead,
    responses=errors(401, 403, 404, 409, 422),
)
async def deactivate_employee(
    employee_id: str, principal: Admin, ctx: Ctx, body: Deactivation | None = None
) -> EmployeeRead:
    """Deactivate (the record and its history stay); the account is disabled and its
    refresh tokens revoked; emits `employee.deactivated`. Refused (409) while the employee
    still supervises active employees."""
    employee = await employees.deactivate_employee(
        sessions=ctx.sessions,
        principal=principal,
        employee_id=employee_id,
        reason=body.reason if body else "",
    )
    return employee_read(employee, principal)


@router.post(
    "/employees/{employee_id}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def set_employee_password(
    employee_id: str, body: PasswordSet, principal: Admin, ctx: Ctx
) -> Response:
    """Set an initial password or reset a forgotten one (admin); it must be changed at the
    next login."""
    await employees.set_employee_password(
        sessions=ctx.sessions,
        principal=principal,
        employee_id=employee_id,
        password=body.password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
