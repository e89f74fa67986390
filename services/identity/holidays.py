"""The regency's holiday calendar: national holidays (libur nasional) and collective leave
days (cuti bersama) per year, kept by BKPSDM (the admin), by hand or from a CSV file.

A year is read and written whole, and each write publishes ``holidays.set`` with the
year's whole calendar: scoring (pace, the silent and assessment-due alerts) and feedback
(complaint deadlines) leave these days out of every working-day count.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.api import errors
from services.common.events import (
    HOLIDAYS_PER_YEAR_MAX,
    Holiday,
    HolidayKind,
    HolidaysSet,
    new_event,
)
from services.common.messaging import add_event
from services.common.refusals import BadRequest
from services.common.security import Principal, Role, require_roles
from services.common.storage import SessionFactory
from services.identity import csv_plans, domain
from services.identity.api import V1, Admin, Ctx
from services.identity.imports import ImportOutcome
from services.identity.models import HolidayRow, HolidayYear, HolidayYearRead
from services.identity.records import get_tenant, transaction

Reader = Annotated[
    Principal,
    Depends(require_roles(Role.PEGAWAI, Role.ATASAN, Role.ADMIN, Role.KEPALA_DAERAH)),
]
Year = Annotated[int, Path(ge=2000, le=2100, description="the calendar year")]
router = APIRouter(prefix=V1, tags=["holidays"])


async def _year(session: AsyncSession, tenant: str, year: int) -> list[Holiday]:
    rows = await session.exec(
        select(HolidayRow)
        .where(
            HolidayRow.tenant == tenant,
            col(HolidayRow.day) >= date(year, 1, 1),
            col(HolidayRow.day) <= date(year, 12, 31),
        )
        .order_by(col(HolidayRow.day))
    )
    return [Holiday(day=r.day, name=r.name, kind=HolidayKind(r.kind)) for r in rows.all()]


async def _replace(session: AsyncSession, tenant: str, year: int, days: list[Holiday]) -> None:
    """The year's calendar replaced, and ``holidays.set`` in the same transaction."""
    await session.exec(
        delete(HolidayRow).where(
            col(HolidayRow.tenant) == tenant,
            col(HolidayRow.day) >= date(year, 1, 1),
            col(HolidayRow.day) <= date(year, 12, 31),
        )
    )
    ordered = sorted(days, key=lambda h: h.day)
    session.add_all(
        HolidayRow(tenant=tenant, day=h.day, name=h.name, kind=h.kind.value) for h in ordered
    )
    add_event(session, new_event(HolidaysSet(year=year, holidays=ordered), tenant=tenant))


async def read_year(*, sessions: SessionFactory, principal: Principal, year: int) -> list[Holiday]:
    async with sessions() as session:
        return await _year(session, principal.home(), year)


async def set_year(
    *, sessions: SessionFactory, principal: Principal, year: int, days: list[Holiday]
) -> list[Holiday]:
    """Emits ``holidays.set``."""
    tenant = principal.home()
    problems = domain.holiday_problems(year, [h.day for h in days], at_most=HOLIDAYS_PER_YEAR_MAX)
    if problems:
        raise BadRequest.of(problems[0])
    async with transaction(sessions) as session:
        await get_tenant(session, tenant)
        await _replace(session, tenant, year, days)
    return sorted(days, key=lambda h: h.day)


async def import_holidays(
    *, sessions: SessionFactory, principal: Principal, text: str, dry_run: bool
) -> ImportOutcome:
    """Each year the file names is replaced by its rows; one ``holidays.set`` per year."""
    tenant = principal.home()
    rows, problems = csv_plans.read_csv(
        text, required=csv_plans.HOLIDAY_COLUMNS, optional=csv_plans.HOLIDAY_OPTIONAL
    )
    years, row_problems = csv_plans.plan_holiday_import(rows, at_most=HOLIDAYS_PER_YEAR_MAX)
    problems = problems + row_problems
    if problems or dry_run:
        return ImportOutcome(len(rows), 0, problems).refuse_unless(dry_run)
    async with transaction(sessions) as session:
        await get_tenant(session, tenant)
        for year, days in sorted(years.items()):
            await _replace(session, tenant, year, days)
    return ImportOutcome(len(rows), len(rows), [])


@router.get(
    "/holidays/{year}",
    response_model=HolidayYearRead,
    responses=errors(401, 403, 422),
    description="The regency's holidays of the year, by date (anyone of the regency).",
)
async def get_holidays(year: Year, principal: Reader, ctx: Ctx) -> HolidayYearRead:
    days = await read_year(sessions=ctx.sessions, principal=principal, year=year)
    return HolidayYearRead(year=year, holidays=days)


@router.put(
    "/holidays/{year}",
    response_model=HolidayYearRead,
    responses=errors(400, 401, 403, 404, 422),
    description='Replace the year\'s calendar (admin): `{"holidays": [{"day", "name", '
    '"kind"}]}`, `kind` `libur_nasional` (default) or `cuti_bersama`; every day inside '
    f"the year, none twice, at most {HOLIDAYS_PER_YEAR_MAX}. Emits `holidays.set`.",
)
async def put_holidays(
    year: Year, body: HolidayYear, principal: Admin, ctx: Ctx
) -> HolidayYearRead:
    days = await set_year(sessions=ctx.sessions, principal=principal, year=year, days=body.holidays)
    return HolidayYearRead(year=year, holidays=days)
