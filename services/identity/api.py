"""Identity's HTTP API under /api/v1, shared parts (context, callers, reads) and the routes
of login and of regencies and accounts; units and employees are in ``org_api``, the CSV
import in ``import_api``. Routes are thin: each calls one use case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from services.common.api import Page, PageParams, client_address, errors, page_params
from services.common.refusals import Unauthorized
from services.common.security import PasswordChangePrincipal, Principal, Role, require_roles
from services.common.storage import SessionFactory
from services.identity import auth, tenants
from services.identity.demo_accounts import DemoAccounts
from services.identity.models import (
    AccountCreate,
    AccountRead,
    Employee,
    EmployeeRead,
    KepalaDaerah,
    KepalaDaerahRead,
    LoginRequest,
    Me,
    PasswordChange,
    PlatformAccountCreate,
    RefreshRequest,
    Tenant,
    TenantCreate,
    TenantRead,
    TenantSettingsPatch,
    TokenPair,
    UserAccount,
)


@dataclass(frozen=True)
class Context:
    sessions: SessionFactory
    tokens: auth.TokenConfig
    guard: auth.LoginGuard
    max_import_bytes: int
    environment: str = "production"  # KINERJA_ENVIRONMENT: demo accounts need development


def context(request: Request) -> Context:
    ctx: Context = request.app.state.identity
    return ctx


Ctx = Annotated[Context, Depends(context)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
PlatformOperator = Annotated[Principal, Depends(require_roles(Role.PLATFORM))]
# The kepala daerah reads the regency, its units and employees as staff do.
Staff = Annotated[
    Principal,
    Depends(require_roles(Role.PEGAWAI, Role.ATASAN, Role.ADMIN, Role.KEPALA_DAERAH)),
]
Paging = Annotated[PageParams, Depends(page_params)]

V1 = "/api/v1"
auth_router = APIRouter(prefix=f"{V1}/auth", tags=["auth"])
platform_router = APIRouter(prefix=V1, tags=["regencies and accounts"])
me_router = APIRouter(prefix=V1, tags=["units and employees"])


def account_read(account: UserAccount) -> AccountRead:
    return AccountRead(
        id=account.id,
        tenant=account.tenant,
        username=account.username,
        employee_id=account.employee_id,
        roles=sorted(account.role_set),
        must_change_password=account.must_change_password,
        active=account.active,
    )


def employee_read(employee: Employee, viewer: Principal) -> EmployeeRead:
    """NIP (it holds the birth date) only for admins and the employee."""
    read = EmployeeRead.model_validate(employee)
    if not viewer.is_admin and viewer.employee_id != employee.id:
        read.nip = None
    return read


# ---------------------------------------------------------------- auth


@auth_router.post(
    "/login", response_model=TokenPair, responses=errors(401, 422, 429), summary="Log in"
)
async def login(body: LoginRequest, request: Request, ctx: Ctx) -> TokenPair:
    """Employees log in with their regency slug and NIP, admins with the slug and their
    username, platform and ops accounts with `tenant: null`. Failed attempts are limited
    per account and per client address (429)."""
    address = client_address(request)
    return await auth.login(
        sessions=ctx.sessions,
        tokens=ctx.tokens,
        guard=ctx.guard,
        body=body,
        address=address,
        environment=ctx.environment,
    )


@auth_router.post("/refresh", response_model=TokenPair, responses=errors(401, 422))
async def refresh(body: RefreshRequest, ctx: Ctx) -> TokenPair:
    """A new token pair; the refresh token presented is spent (rotation)."""
    return await auth.refresh(
        sessions=ctx.sessions, tokens=ctx.tokens, refresh_token=body.refresh_token
    )


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401, 422))
async def logout(body: RefreshRequest, ctx: Ctx) -> Response:
    """Revoke the refresh token (the access token expires by itself within minutes)."""
    await auth.logout(sessions=ctx.sessions, tokens=ctx.tokens, refresh_token=body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth_router.post("/password", response_model=TokenPair, responses=errors(400, 401, 422))
async def change_password(
    body: PasswordChange, principal: PasswordChangePrincipal, ctx: Ctx
) -> TokenPair:
    """Change your own password (required after the first login: until then every other
    route answers 403). Every refresh token of the account is revoked, so other sessions
    must log in again; the answer is a new token pair for this session."""
    return await auth.change_password(
        sessions=ctx.sessions,
        tokens=ctx.tokens,
        principal=principal,
        current=body.current_password,
        new=body.new_password,
    )


@me_router.get("/me", response_model=Me, responses=errors(401))
async def me(principal: PasswordChangePrincipal, ctx: Ctx) -> Me:
    """Who you are: account, roles in your token, tenant, and your employee record."""
    async with ctx.sessions() as session:
        account = await session.get(UserAccount, principal.user_id)
        if account is None or not account.active:
            raise Unauthorized("this account no longer exists or is disabled")
        employee = (
            await session.get(Employee, principal.employee_id) if principal.employee_id else None
        )
        head = await session.get(KepalaDaerah, account.id)
    return Me(
        user_id=account.id,
        username=account.username,
        tenant=principal.tenant,
        roles=sorted(principal.roles),
        must_change_password=account.must_change_password,
        employee=employee_read(employee, principal) if employee else None,
        kepala_daerah=KepalaDaerahRead(
            user_id=head.user_id,
            username=account.username,
            title=head.title,
            name=head.name,
            active=account.active,
        )
        if head
        else None,
    )


# ---------------------------------------------------------------- tenants and accounts


def tenant_read(tenant: Tenant) -> TenantRead:
    return TenantRead.model_validate(tenant)


@platform_router.post(
    "/tenants",
    response_model=TenantRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 409, 422),
)
async def create_tenant(body: TenantCreate, principal: PlatformOperator, ctx: Ctx) -> TenantRead:
    """Register a regency (platform only); emits `tenant.registered`."""
    tenant = await tenants.register_tenant(sessions=ctx.sessions, principal=principal, body=body)
    return tenant_read(tenant)


@platform_router.get("/tenants", response_model=Page[TenantRead], responses=errors(401, 403))
async def list_tenants(principal: PlatformOperator, ctx: Ctx, paging: Paging) -> Page[TenantRead]:
    page = await tenants.list_tenants(sessions=ctx.sessions, principal=principal, paging=paging)
    return page.map(tenant_read)


@platform_router.post(
    "/tenants/{slug}/admins",
    response_model=AccountRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def create_tenant_admin(
    slug: str,
    body: AccountCreate,
    principal: PlatformOperator,
    ctx: Ctx,
    demo_accounts: DemoAccounts = False,
) -> AccountRead:
    """The first admin (BKPSDM) account of a regency (platform only). The password must
    be changed at first login (not a demo account's: `demo_accounts=true`, development
    only)."""
    account = await tenants.create_tenant_admin(
        sessions=ctx.sessions,
        principal=principal,
        slug=slug,
        username=body.username,
        password=body.password,
        demo_environment=ctx.environment if demo_accounts else None,
    )
    return account_read(account)


@platform_router.post(
    "/platform/accounts",
    response_model=AccountRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 409, 422),
)
async def create_platform_account(
    body: PlatformAccountCreate, principal: PlatformOperator, ctx: Ctx
) -> AccountRead:
    """Another `platform` or `ops` account (no tenant; log in with `tenant: null`)."""
    account = await tenants.create_platform_account(
        sessions=ctx.sessions,
        principal=principal,
        username=body.username,
        password=body.password,
        role=body.role,
    )
    return account_read(account)


@platform_router.post(
    "/admins",
    response_model=AccountRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 409, 422),
)
async def create_admin(body: AccountCreate, principal: Admin, ctx: Ctx) -> AccountRead:
    """Another admin account of your own regency."""
    account = await tenants.create_admin(
        sessions=ctx.sessions, principal=principal, username=body.username, password=body.password
    )
    return account_read(account)


@platform_router.get("/tenant", response_model=TenantRead, responses=errors(401, 403, 404))
async def my_tenant(principal: Staff, ctx: Ctx) -> TenantRead:
    """Your regency, with its settings."""
    return tenant_read(await tenants.read_tenant(sessions=ctx.sessions, principal=principal))


@platform_router.patch(
    "/tenant/settings", response_model=TenantRead, responses=errors(400, 401, 403, 404, 422)
)
async def change_tenant_settings(
    body: TenantSettingsPatch, principal: Admin, ctx: Ctx
) -> TenantRead:
    """Change some of your regency's settings (admin); emits `tenant.registered` again
    with the full new settings, which consumers upsert."""
    tenant = await tenants.change_settings(
        sessions=ctx.sessions, principal=principal, changes=body.model_dump(exclude_none=True)
    )
    return tenant_read(tenant)
