"""The regency's kepala daerah (Bupati/Wali Kota, pejabat pembina kepegawaian): an account of
the tenant that is not an employee (no NIP, no employee record). It approves and assesses
the employees who have no direct supervisor and decides their objections (domain.md, "Top
of the chain"); targets, assessment and scoring learn who it is from ``kepala_daerah.set``.

The admin (BKPSDM) creates it, changes its office or name, resets its password and
deactivates it. At most one is active per regency: the regency has one head, and two
accounts able to approve the same SKPs would make "who approved" ambiguous. A new head
after an election gets a new account once the former one is deactivated, so what the
former one approved keeps their name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.api import errors
from services.common.clock import utcnow
from services.common.events import KepalaDaerahSet, new_event
from services.common.messaging import add_event
from services.common.refusals import BadRequest, Conflict, NotFound
from services.common.security import Principal, Role, require_roles
from services.common.storage import SessionFactory
from services.identity import demo_accounts, domain
from services.identity.api import V1, Admin, Ctx
from services.identity.demo_accounts import DemoAccounts
from services.identity.models import (
    KepalaDaerah,
    KepalaDaerahCreate,
    KepalaDaerahRead,
    KepalaDaerahUpdate,
    PasswordSet,
    Tenant,
    UserAccount,
)
from services.identity.records import (
    find_account,
    get_tenant,
    hash_in_thread,
    revoke_refresh_tokens,
    transaction,
)

Reader = Annotated[
    Principal,
    Depends(require_roles(Role.PEGAWAI, Role.ATASAN, Role.ADMIN, Role.KEPALA_DAERAH)),
]
router = APIRouter(prefix=V1, tags=["regencies and accounts"])
Pair = tuple[KepalaDaerah, UserAccount]


def event_of(row: KepalaDaerah, account: UserAccount) -> KepalaDaerahSet:
    return KepalaDaerahSet(
        user_id=row.user_id, title=row.title, name=row.name, active=account.active
    )


def read_of(row: KepalaDaerah, account: UserAccount, viewer: Principal) -> KepalaDaerahRead:
    """The login name only for admins and the kepala daerah themself."""
    shown = viewer.is_admin or viewer.user_id == account.id
    return KepalaDaerahRead(
        user_id=row.user_id,
        username=account.username if shown else None,
        title=row.title,
        name=row.name,
        active=account.active,
    )


async def active_of(session: AsyncSession, tenant: str) -> Pair | None:
    rows = await session.exec(
        select(KepalaDaerah, UserAccount)
        .join(UserAccount, col(UserAccount.id) == col(KepalaDaerah.user_id))
        .where(KepalaDaerah.tenant == tenant, col(UserAccount.active).is_(True))
    )
    found = rows.first()
    return (found[0], found[1]) if found else None


async def of_account(session: AsyncSession, tenant: str, user_id: str) -> Pair:
    row = await session.get(KepalaDaerah, user_id)
    account = await session.get(UserAccount, user_id)
    if row is None or account is None or row.tenant != tenant:
        raise NotFound("kepala daerah account {id} not found", id=user_id)
    return row, account


async def create(
    *,
    sessions: SessionFactory,
    principal: Principal,
    body: KepalaDaerahCreate,
    demo_environment: str | None = None,
) -> Pair:
    """With ``demo_environment`` (the service's environment) a demo account: ready to log
    in, see ``demo_accounts``."""
    tenant = principal.home()
    problem = domain.password_problem(body.password, username=body.username)
    if problem:
        raise BadRequest.of(problem)
    if demo_environment is not None:
        password_hash = demo_accounts.demo_hash(body.password, demo_environment)
    else:
        password_hash = await hash_in_thread(body.password)
    async with transaction(sessions) as session:
        # The regency's row, locked: two concurrent creations cannot both see none active.
        await session.get(Tenant, tenant, with_for_update=True)
        await get_tenant(session, tenant)
        current = await active_of(session, tenant)
        if current is not None:
            raise Conflict(
                "the regency already has an active kepala daerah account ({name}): deactivate "
                "it before creating another",
                name=current[0].name,
            )
        if await find_account(session, tenant, body.username) is not None:
            raise Conflict("username {username} is taken", username=body.username)
        account = UserAccount(
            tenant=tenant,
            scope=tenant,
            username=body.username,
            password_hash=password_hash,
            roles=Role.KEPALA_DAERAH.value,
            must_change_password=demo_environment is None,
        )
        session.add(account)
        await session.flush()
        row = KepalaDaerah(user_id=account.id, tenant=tenant, title=body.title, name=body.name)
        session.add(row)
        add_event(session, new_event(event_of(row, account), tenant=tenant))
    return row, account


async def update(
    *, sessions: SessionFactory, principal: Principal, user_id: str, body: KepalaDaerahUpdate
) -> Pair:
    tenant = principal.home()
    async with transaction(sessions) as session:
        row, account = await of_account(session, tenant, user_id)
        row.sqlmodel_update(body.model_dump(exclude_none=True))
        row.updated_at = utcnow()
        session.add(row)
        add_event(session, new_event(event_of(row, account), tenant=tenant))
    return row, account


async def deactivate(*, sessions: SessionFactory, principal: Principal, user_id: str) -> Pair:
    """The account is disabled and its refresh tokens revoked; the other services stop
    treating it as the regency's head as soon as ``kepala_daerah.set`` reaches them."""
    tenant = principal.home()
    async with transaction(sessions) as session:
        row, account = await of_account(session, tenant, user_id)
        if not account.active:
            raise Conflict("{name} is already deactivated", name=row.name)
        account.active = False
        session.add(account)
        await revoke_refresh_tokens(session, account.id)
        row.updated_at = utcnow()
        session.add(row)
        add_event(session, new_event(event_of(row, account), tenant=tenant))
    return row, account


async def set_password(
    *, sessions: SessionFactory, principal: Principal, user_id: str, password: str
) -> None:
    """An initial password (or a reset): to be changed at the next login."""
    tenant = principal.home()
    async with sessions() as session:
        _, account = await of_account(session, tenant, user_id)
    problem = domain.password_problem(password, username=account.username)
    if problem:
        raise BadRequest.of(problem)
    password_hash = await hash_in_thread(password)
    async with transaction(sessions) as session:
        row, account = await of_account(session, tenant, user_id)
        if not account.active:
            raise Conflict("the account of {name} is disabled", name=row.name)
        account.password_hash = password_hash
        account.must_change_password = True
        account.password_changed_at = utcnow()
        session.add(account)
        await revoke_refresh_tokens(session, account.id)


# ---------------------------------------------------------------- routes

WRITE = errors(400, 401, 403, 404, 409, 422)


@router.get("/kepala-daerah", response_model=KepalaDaerahRead, responses=errors(401, 403, 404))
async def get_current(principal: Reader, ctx: Ctx) -> KepalaDaerahRead:
    """Your regency's active kepala daerah (office and name)."""
    async with ctx.sessions() as session:
        found = await active_of(session, principal.home())
    if found is None:
        raise NotFound("this regency has no kepala daerah account yet")
    return read_of(*found, principal)


@router.post(
    "/kepala-daerah",
    response_model=KepalaDaerahRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
)
async def create_kepala_daerah(
    body: KepalaDaerahCreate, principal: Admin, ctx: Ctx, demo_accounts: DemoAccounts = False
) -> KepalaDaerahRead:
    """The regency's kepala daerah account (admin): office, the person's name, a username
    and an initial password to change at first login (not a demo account's:
    `demo_accounts=true`, development only). 409 while another is active.
    Emits `kepala_daerah.set`."""
    demo_environment = ctx.environment if demo_accounts else None
    found = await create(
        sessions=ctx.sessions, principal=principal, body=body, demo_environment=demo_environment
    )
    return read_of(*found, principal)


@router.patch("/kepala-daerah/{user_id}", response_model=KepalaDaerahRead, responses=WRITE)
async def update_kepala_daerah(
    user_id: str, body: KepalaDaerahUpdate, principal: Admin, ctx: Ctx
) -> KepalaDaerahRead:
    """Change the office or the name (admin); emits `kepala_daerah.set`."""
    found = await update(sessions=ctx.sessions, principal=principal, user_id=user_id, body=body)
    return read_of(*found, principal)


@router.post(
    "/kepala-daerah/{user_id}/deactivate", response_model=KepalaDaerahRead, responses=WRITE
)
async def deactivate_kepala_daerah(user_id: str, principal: Admin, ctx: Ctx) -> KepalaDaerahRead:
    """End the account's term (admin): disabled, refresh tokens revoked; emits
    `kepala_daerah.set` with `active: false`. A successor's account may then be created."""
    found = await deactivate(sessions=ctx.sessions, principal=principal, user_id=user_id)
    return read_of(*found, principal)


@router.post(
    "/kepala-daerah/{user_id}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WRITE,
)
async def set_kepala_daerah_password(
    user_id: str, body: PasswordSet, principal: Admin, ctx: Ctx
) -> None:
    """Set an initial password (or reset a forgotten one), to change at the next login."""
    await set_password(
        sessions=ctx.sessions, principal=principal, user_id=user_id, password=body.password
    )
