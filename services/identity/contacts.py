"""E-mail contacts: each account's address, what it wants mailed and in which language.

A person sets their own (``/me/contact``); an admin (BKPSDM) may set an employee's, e.g.
for someone who never logs in. Every change emits ``contact.set`` keyed by the id alerts
name the person by, so the gateway, which sends the mail, keeps its own copy and never
reads identity's database. Mailing anything needs an address: a preference other than
``none`` without one is refused, so "I asked for mail and got none" cannot be saved.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.api import errors
from services.common.clock import utcnow
from services.common.events import ContactSet, new_event
from services.common.messaging import add_event
from services.common.refusals import BadRequest, Forbidden, NotFound
from services.common.security import CurrentPrincipal, Principal
from services.identity.api import V1, Admin, Ctx
from services.identity.models import (
    AccountContact,
    ContactRead,
    ContactWrite,
    Employee,
    KepalaDaerah,
    UserAccount,
)
from services.identity.records import get_employee, transaction

router = APIRouter(prefix=V1, tags=["units and employees"])


def recipient_of(account: UserAccount) -> str:
    """The id alerts name the account's holder by: the employee, else the account (the
    kepala daerah has no employee record)."""
    return account.employee_id or account.id


async def _name_of(session: AsyncSession, account: UserAccount) -> str:
    if account.employee_id is not None:
        employee = await session.get(Employee, account.employee_id)
        if employee is not None:
            return employee.name
    kd = await session.get(KepalaDaerah, account.id)
    return kd.name if kd is not None else account.username


async def _read(session: AsyncSession, account: UserAccount) -> ContactRead:
    row = await session.get(AccountContact, account.id)
    name = await _name_of(session, account)
    if row is None:
        return ContactRead(user_id=account.id, name=name)
    return ContactRead(
        user_id=account.id,
        name=name,
        email=row.email,
        preference=row.preference,
        locale=row.locale,
    )


async def _write(
    session: AsyncSession, tenant: str, account: UserAccount, body: ContactWrite
) -> ContactRead:
    if body.preference != "none" and body.email is None:
        raise BadRequest(
            "an e-mail address is needed to receive mail ({preference})", preference=body.preference
        )
    row = await session.get(AccountContact, account.id)
    if row is None:
        row = AccountContact(user_id=account.id, tenant=tenant)
    row.email = body.email
    row.preference = body.preference
    row.locale = body.locale
    row.updated_at = utcnow()
    session.add(row)
    add_event(
        session,
        new_event(
            ContactSet(
                user_id=account.id,
                recipient_id=recipient_of(account),
                email=body.email,
                preference=body.preference,
                locale=body.locale,
            ),
            tenant=tenant,
        ),
    )
    return await _read(session, account)


async def _own_account(session: AsyncSession, principal: Principal) -> tuple[str, UserAccount]:
    tenant = principal.home()  # platform and ops accounts get no mail
    account = await session.get(UserAccount, principal.user_id)
    if account is None or account.tenant != tenant:
        raise Forbidden("this account has no tenant")
    return tenant, account


async def _employee_account(session: AsyncSession, tenant: str, employee_id: str) -> UserAccount:
    employee = await get_employee(session, tenant, employee_id)
    rows = await session.exec(select(UserAccount).where(UserAccount.employee_id == employee.id))
    account = rows.first()
    if account is None:
        raise NotFound("{name} has no account", name=employee.name)
    return account


@router.get("/me/contact", response_model=ContactRead, responses=errors(401, 403))
async def get_my_contact(principal: CurrentPrincipal, ctx: Ctx) -> ContactRead:
    """Your e-mail address, what you want mailed and in which language (none yet:
    no address, `none`, Indonesian)."""
    async with ctx.sessions() as session:
        _, account = await _own_account(session, principal)
        return await _read(session, account)


@router.put("/me/contact", response_model=ContactRead, responses=errors(400, 401, 403, 422))
async def put_my_contact(body: ContactWrite, principal: CurrentPrincipal, ctx: Ctx) -> ContactRead:
    """Set your e-mail address, preference and language; emits `contact.set`. 400 for a
    preference other than `none` without an address."""
    async with transaction(ctx.sessions) as session:
        tenant, account = await _own_account(session, principal)
        return await _write(session, tenant, account, body)


@router.get(
    "/employees/{employee_id}/contact", response_model=ContactRead, responses=errors(401, 403, 404)
)
async def get_employee_contact(employee_id: str, principal: Admin, ctx: Ctx) -> ContactRead:
    """An employee's e-mail contact (admin)."""
    async with ctx.sessions() as session:
        account = await _employee_account(session, principal.home(), employee_id)
        return await _read(session, account)


@router.put(
    "/employees/{employee_id}/contact",
    response_model=ContactRead,
    responses=errors(400, 401, 403, 404, 422),
)
async def put_employee_contact(
    employee_id: str, body: ContactWrite, principal: Admin, ctx: Ctx
) -> ContactRead:
    """Set an employee's e-mail contact (admin); emits `contact.set`."""
    tenant = principal.home()
    async with transaction(ctx.sessions) as session:
        account = await _employee_account(session, tenant, employee_id)
        return await _write(session, tenant, account, body)
