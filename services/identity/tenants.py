"""Regencies and their settings, and the accounts that are not employees: the platform
operator, ops, and each regency's admins (BKPSDM).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from services.common.clock import utcnow
from services.common.events import TenantSettings, new_event
from services.common.messaging import add_event
from services.common.pagination import Page, PageParams, paginate
from services.common.refusals import BadRequest, Conflict
from services.common.security import Principal, Role
from services.common.storage import SessionFactory
from services.identity import demo_accounts, domain
from services.identity.models import PLATFORM_SCOPE, Tenant, TenantCreate, UserAccount
from services.identity.records import (
    find_account,
    get_tenant,
    hash_in_thread,
    tenant_event,
    transaction,
)


async def ensure_platform_account(
    *, sessions: SessionFactory, username: str, password: str
) -> bool:
    """Create the platform operator's account if missing (at startup); True when created.

    Instances started together on one database (replicas, a rolling update) all find it
    missing; the unique username lets one insert it and the others, refused, find it made."""
    try:
        async with transaction(sessions) as session:
            if await find_account(session, PLATFORM_SCOPE, username) is not None:
                return False
            session.add(
                UserAccount(
                    tenant=None,
                    scope=PLATFORM_SCOPE,
                    username=username,
                    password_hash=await hash_in_thread(password),
                    roles=Role.PLATFORM.value,
                    must_change_password=False,
                )
            )
    except Conflict:  # another instance created it between our look and our insert
        return False
    return True


async def register_tenant(
    *, sessions: SessionFactory, principal: Principal, body: TenantCreate
) -> Tenant:
    """A new regency (the platform operator); emits ``tenant.registered``."""
    async with transaction(sessions) as session:
        if await session.get(Tenant, body.slug) is not None:
            raise Conflict("regency {slug} already exists", slug=body.slug)
        tenant = Tenant(
            slug=body.slug,
            name=body.name,
            time_zone=body.time_zone,
            settings=body.settings.model_dump(),
        )
        session.add(tenant)
        add_event(session, new_event(tenant_event(tenant), tenant=tenant.slug))
    return tenant


async def list_tenants(
    *, sessions: SessionFactory, principal: Principal, paging: PageParams
) -> Page[Tenant]:
    async with sessions() as session:
        return await paginate(session, select(Tenant).order_by(col(Tenant.slug)), paging)


async def read_tenant(*, sessions: SessionFactory, principal: Principal) -> Tenant:
    """The caller's own regency."""
    async with sessions() as session:
        return await get_tenant(session, principal.home())


async def change_settings(
    *, sessions: SessionFactory, principal: Principal, changes: dict[str, Any]
) -> Tenant:
    """Some settings of the caller's regency; emits ``tenant.registered`` again."""
    tenant = principal.home()
    async with transaction(sessions) as session:
        row = await get_tenant(session, tenant)
        try:
            merged = TenantSettings.model_validate({**row.settings, **changes})
        except ValueError as exc:
            raise BadRequest("invalid settings: {problem}", problem=str(exc)) from None
        row.settings = merged.model_dump()
        row.updated_at = utcnow()
        session.add(row)
        add_event(session, new_event(tenant_event(row), tenant=tenant))
    return row


async def create_tenant_admin(
    *,
    sessions: SessionFactory,
    principal: Principal,
    slug: str,
    username: str,
    password: str,
    demo_environment: str | None = None,
) -> UserAccount:
    """The first admin of the regency ``slug`` (the platform operator acts on a regency it
    names; it has none of its own). With ``demo_environment`` (the service's environment)
    a demo account: ready to log in, see ``demo_accounts``."""
    return await _create_account(sessions, slug, username, password, Role.ADMIN, demo_environment)


async def create_admin(
    *, sessions: SessionFactory, principal: Principal, username: str, password: str
) -> UserAccount:
    """Another admin of the caller's own regency."""
    return await _create_account(sessions, principal.home(), username, password, Role.ADMIN)


async def create_platform_account(
    *, sessions: SessionFactory, principal: Principal, username: str, password: str, role: Role
) -> UserAccount:
    """Another platform or ops account (no regency)."""
    if role not in (Role.PLATFORM, Role.OPS):
        raise BadRequest("role must be platform or ops")
    return await _create_account(sessions, None, username, password, role)


async def _create_account(
    sessions: SessionFactory,
    tenant: str | None,
    username: str,
    password: str,
    role: Role,
    demo_environment: str | None = None,
) -> UserAccount:
    problem = domain.password_problem(password, username=username)
    if problem:
        raise BadRequest.of(problem)
    if demo_environment is not None:
        password_hash = demo_accounts.demo_hash(password, demo_environment)
    else:
        password_hash = await hash_in_thread(password)
    scope = tenant or PLATFORM_SCOPE
    async with transaction(sessions) as session:
        if tenant is not None:
            await get_tenant(session, tenant)
        if await find_account(session, scope, username) is not None:
            raise Conflict("username {username} is taken", username=username)
        account = UserAccount(
            tenant=tenant,
            scope=scope,
            username=username,
            password_hash=password_hash,
            roles=role.value,
            must_change_password=demo_environment is None,
        )
        session.add(account)
    return account
