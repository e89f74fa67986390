"""CSV import of units and employees: every row checked against a snapshot of the regency
(``domain.plan_*``), then all rows written with their events in one transaction, or none.

A file with bad lines is refused with :class:`ImportRefused`, whose answer lists
each line's reasons, rendered in the caller's language.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import EmployeeRegistered, UnitCreated, new_event
from services.common.i18n import LocaleCode
from services.common.messaging import add_event
from services.common.refusals import BadRequest, Conflict
from services.common.security import Principal
from services.common.storage import SessionFactory
from services.common.workdays import local_today
from services.identity import csv_plans, demo_accounts
from services.identity.models import Employee, Unit
from services.identity.records import (
    employee_account,
    employee_payload,
    get_tenant,
    transaction,
    unit_parent_map,
    unit_payload,
)

# Initial passwords set by an import must be changed at first login, where they are
# rehashed with the kernel's full parameters; this hasher (OWASP's minimum for argon2id)
# keeps a 10,000-row import within minutes.
_import_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def problems_json(
    problems: Sequence[csv_plans.Problem], locale: LocaleCode
) -> list[dict[str, Any]]:
    """``[{line, reason, reasons}]``: ``reason`` is the text a person reads (the web page
    shows it), ``reasons`` the templates and parameters a program reads."""
    return [
        {
            "line": p.line,
            "reason": p.text(locale),
            "reasons": [reason.as_json() for reason in p.reasons],
        }
        for p in problems
    ]


class ImportRefused(BadRequest):
    """A file with bad lines: nothing is written, and ``detail`` lists every bad line."""

    def __init__(self, problems: Sequence[csv_plans.Problem]) -> None:
        super().__init__(
            "{count} line(s) of the file are wrong: nothing was imported", count=len(problems)
        )
        self.problems = list(problems)

    def body(self, locale: str) -> dict[str, Any]:
        answer = super().body(locale)
        answer["detail"] = problems_json(self.problems, locale)  # type: ignore[arg-type]
        return answer


@dataclass(frozen=True)
class ImportOutcome:
    rows: int
    created: int
    problems: list[csv_plans.Problem]

    def refuse_unless(self, dry_run: bool) -> ImportOutcome:
        """Refused when a row is bad (a dry run reports them) or the file is no import of
        this kind at all (problems on line 1: no header, missing columns), even dry."""
        file_unreadable = any(p.line == 1 for p in self.problems)
        if self.problems and (file_unreadable or not dry_run):
            raise ImportRefused(self.problems)
        return self


async def import_units(
    *, sessions: SessionFactory, principal: Principal, text: str, dry_run: bool
) -> ImportOutcome:
    """Emits ``unit.created`` per row."""
    tenant = principal.home()
    rows, problems = csv_plans.read_csv(
        text, required=csv_plans.UNIT_COLUMNS, optional=csv_plans.UNIT_OPTIONAL
    )
    async with transaction(sessions) as session:
        await get_tenant(session, tenant)
        codes = await session.exec(
            select(Unit.code, Unit.id).where(Unit.tenant == tenant, col(Unit.code).is_not(None))
        )
        snapshot = csv_plans.UnitSnapshot(
            by_code={code: unit_id for code, unit_id in codes.all() if code},
            parent_of=await unit_parent_map(session, tenant),
        )
        planned, row_problems = csv_plans.plan_unit_import(rows, snapshot)
        problems = problems + row_problems
        if problems or dry_run:
            return ImportOutcome(len(rows), 0, problems).refuse_unless(dry_run)
        for plan in planned:
            unit = Unit(
                id=plan.id,
                tenant=tenant,
                code=plan.code,
                name=plan.name,
                kind=plan.kind,
                parent_id=plan.parent_id,
                serves_public=plan.serves_public,
            )
            session.add(unit)
            add_event(session, new_event(unit_payload(UnitCreated, unit), tenant=tenant))
    return ImportOutcome(len(rows), len(planned), [])


async def import_employees(
    *,
    sessions: SessionFactory,
    principal: Principal,
    text: str,
    dry_run: bool,
    demo_environment: str | None = None,
) -> ImportOutcome:
    """Emits ``employee.registered`` per row. With ``demo_environment`` (the service's
    environment) the accounts are demo accounts: ready to log in, see ``demo_accounts``."""
    if demo_environment is not None:
        demo_accounts.check_allowed(demo_environment)
    tenant = principal.home()
    rows, problems = csv_plans.read_csv(
        text, required=csv_plans.EMPLOYEE_COLUMNS, optional=csv_plans.EMPLOYEE_OPTIONAL
    )
    async with sessions() as session:
        row = await get_tenant(session, tenant)
        snapshot = await _employee_snapshot(session, tenant)
    planned, row_problems = csv_plans.plan_employee_import(
        rows, snapshot, today=local_today(row.time_zone)
    )
    problems = problems + row_problems
    if problems or dry_run:
        return ImportOutcome(len(rows), 0, problems).refuse_unless(dry_run)
    if demo_environment is not None:
        hashes = demo_accounts.demo_hashes([p.password for p in planned])
    else:
        hashes = await asyncio.to_thread(
            lambda: [_import_hasher.hash(p.password) if p.password else None for p in planned]
        )
    async with transaction(sessions) as session:
        # The snapshot was read outside this transaction: check again that nothing clashes.
        if await _employee_snapshot(session, tenant) != snapshot:
            raise Conflict("the regency's employees changed during the import: retry")
        employees = []
        for plan in planned:
            employee = Employee(
                id=plan.id,
                tenant=tenant,
                nip=plan.nip,
                name=plan.name,
                position=plan.position,
                golongan=plan.golongan,
                unit_id=plan.unit_id,
                supervisor_id=plan.supervisor_id,
            )
            employees.append(employee)
            session.add(employee)
            add_event(
                session, new_event(employee_payload(EmployeeRegistered, employee), tenant=tenant)
            )
        await session.flush()
        session.add_all(
            employee_account(e, h, must_change_password=demo_environment is None)
            for e, h in zip(employees, hashes, strict=True)
        )
    return ImportOutcome(len(rows), len(planned), [])


async def _employee_snapshot(session: AsyncSession, tenant: str) -> csv_plans.EmployeeSnapshot:
    employees = await session.exec(
        select(Employee.nip, Employee.id, Employee.active).where(Employee.tenant == tenant)
    )
    by_nip: dict[str, str] = {}
    active: set[str] = set()
    for nip, employee_id, is_active in employees.all():
        by_nip[nip] = employee_id
        if is_active:
            active.add(employee_id)
    units = await session.exec(select(Unit.id, Unit.code).where(Unit.tenant == tenant))
    unit_rows = units.all()
    return csv_plans.EmployeeSnapshot(
        by_nip=by_nip,
        active=frozenset(active),
        unit_by_code={code: unit_id for unit_id, code in unit_rows if code},
        unit_ids=frozenset(unit_id for unit_id, _ in unit_rows),
    )
