"""Who the caller is to feedback's rules, and the units they act on: duties come from the
token, the unit from the org chart copy, so a duty applies only to the unit the employee
works in now."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import select

from services.common.orgchart import OrgChart, OrgEmployee, OrgUnit
from services.common.refusals import BadRequest, NotFound
from services.common.security import Principal, Role
from services.feedback import domain


def utc_start(day: date, time_zone: str) -> datetime:
    """The first moment of a tenant-local day."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone))


async def active_employee(org: OrgChart, employee_id: str | None) -> OrgEmployee | None:
    """An active employee of the tenant, or None."""
    employee = await org.employee(employee_id)
    return employee if employee is not None and employee.active else None


async def staff_of(org: OrgChart, principal: Principal) -> domain.Staff:
    """The caller as the rules see them: duties come from the token, the unit from the org
    chart, so a duty applies only to the unit the employee works in now."""
    employee = await active_employee(org, principal.employee_id)
    return domain.Staff(
        employee_id=principal.employee_id,
        unit_id=employee.unit_id if employee else None,
        admin=principal.is_admin,
        counter_officer=principal.has(Role.PETUGAS_LOKET),
        complaint_officer=principal.has(Role.PENGELOLA_PENGADUAN),
    )


async def handled_unit_ids(org: OrgChart, staff: domain.Staff) -> list[str] | None:
    """Units whose complaints the caller handles; None means every unit (admin)."""
    if staff.admin:
        return None
    units: set[str] = set()
    if staff.complaint_officer and staff.unit_id is not None:
        units.add(staff.unit_id)
    if staff.employee_id:
        headed = await org.session.exec(
            select(OrgUnit.unit_id).where(
                OrgUnit.tenant == org.tenant, OrgUnit.head_employee_id == staff.employee_id
            )
        )
        units.update(headed.all())
    return sorted(units)


async def public_unit(org: OrgChart, unit_id: str) -> OrgUnit:
    unit = await org.unit(unit_id)
    if unit is None:
        raise NotFound("unit {id} not found", id=unit_id)
    if not unit.serves_public:
        raise BadRequest(
            "unit {name} does not serve the public: it takes no surveys or complaints",
            name=unit.name,
        )
    return unit


async def check_officer(org: OrgChart, officer_id: str | None) -> None:
    if officer_id is None:
        return
    if await active_employee(org, officer_id) is None:
        raise BadRequest("officer {id} is not an active employee of this regency", id=officer_id)
