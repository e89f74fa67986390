"""Identity's HTTP API under /api/v1: thin routes over ``service`` and ``auth``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import ColumnElement
from sqlmodel import col, select

from services.common.api import Page, PageParams, client_address, errors, page_params
from services.common.events import UnitKind
from services.common.pagination import paginate
from services.common.security import (
    PasswordChangePrincipal,
    Principal,
    Role,
    require_roles,
    tenant_of,
)
from services.common.storage import SessionFactory
from services.identity import auth, service
from services.identity.models import (
    AccountCreate,
    AccountRead,
    Deactivation,
    Employee,
    EmployeeCreate,
    EmployeeRead,
    EmployeeUpdate,
    ImportProblem,
    ImportReport,
    LoginRequest,
    Me,
    PasswordChange,
    PasswordSet,
    PlatformAccountCreate,
    RefreshRequest,
    Tenant,
    TenantCreate,
    TenantRead,
    TenantSettingsPatch,
    TokenPair,
    Unit,
    UnitCreate,
    UnitRead,
    UnitUpdate,
    UserAccount,
)


@dataclass(frozen=True)
class Context:
    sessions: SessionFactory
    tokens: auth.TokenConfig
    guard: auth.LoginGuard
    max_import_bytes: int


def context(request: Request) -> Context:
    ctx: Context = request.app.state.identity
    return ctx


Ctx = Annotated[Context, Depends(context)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
PlatformOperator = Annotated[Principal, Depends(require_roles(Role.PLATFORM))]
Staff = Annotated[Principal, Depends(require_roles(Role.PEGAWAI, Role.ATASAN, Role.ADMIN))]
Paging = Annotated[PageParams, Depends(page_params)]

V1 = "/api/v1"
auth_router = APIRouter(prefix=f"{V1}/auth", tags=["auth"])
platform_router = APIRouter(prefix=V1, tags=["regencies and accounts"])
org_router = APIRouter(prefix=V1, tags=["units and employees"])
import_router = APIRouter(prefix=f"{V1}/import", tags=["CSV import"])


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
    if not viewer.has(Role.ADMIN) and viewer.employee_id != employee.id:
        read.nip = None
    return read


def like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


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
        sessions=ctx.sessions, tokens=ctx.tokens, guard=ctx.guard, body=body, address=address
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


@org_router.get("/me", response_model=Me, responses=errors(401))
async def me(principal: PasswordChangePrincipal, ctx: Ctx) -> Me:
    """Who you are: account, roles in your token, tenant, and your employee record."""
    async with ctx.sessions() as session:
        account = await session.get(UserAccount, principal.user_id)
        if account is None or not account.active:
            raise service.Refused(401, "this account no longer exists or is disabled")
        employee = (
            await session.get(Employee, principal.employee_id) if principal.employee_id else None
        )
    return Me(
        user_id=account.id,
        username=account.username,
        tenant=principal.tenant,
        roles=sorted(principal.roles),
        must_change_password=account.must_change_password,
        employee=employee_read(employee, principal) if employee else None,
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
async def create_tenant(body: TenantCreate, _: PlatformOperator, ctx: Ctx) -> TenantRead:
    """Register a regency (platform only); emits `tenant.registered`."""
    return tenant_read(await service.register_tenant(sessions=ctx.sessions, body=body))


@platform_router.get("/tenants", response_model=Page[TenantRead], responses=errors(401, 403))
async def list_tenants(_: PlatformOperator, ctx: Ctx, paging: Paging) -> Page[TenantRead]:
    async with ctx.sessions() as session:
        page = await paginate(session, select(Tenant).order_by(col(Tenant.slug)), paging)
    return page.map(tenant_read)


@platform_router.post(
    "/tenants/{slug}/admins",
    response_model=AccountRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def create_tenant_admin(
    slug: str, body: AccountCreate, _: PlatformOperator, ctx: Ctx
) -> AccountRead:
    """The first admin (BKPSDM) account of a regency (platform only). The password must
    be changed at first login."""
    account = await service.create_account(
        sessions=ctx.sessions,
        tenant=slug,
        username=body.username,
        password=body.password,
        role=Role.ADMIN,
    )
    return account_read(account)


@platform_router.post(
    "/platform/accounts",
    response_model=AccountRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 409, 422),
)
async def create_platform_account(
    body: PlatformAccountCreate, _: PlatformOperator, ctx: Ctx
) -> AccountRead:
    """Another `platform` or `ops` account (no tenant; log in with `tenant: null`)."""
    if body.role not in (Role.PLATFORM, Role.OPS):
        raise service.Refused(400, "role must be platform or ops")
    account = await service.create_account(
        sessions=ctx.sessions,
        tenant=None,
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
    account = await service.create_account(
        sessions=ctx.sessions,
        tenant=tenant_of(principal),
        username=body.username,
        password=body.password,
        role=Role.ADMIN,
    )
    return account_read(account)


@platform_router.get("/tenant", response_model=TenantRead, responses=errors(401, 403, 404))
async def my_tenant(principal: Staff, ctx: Ctx) -> TenantRead:
    """Your regency, with its settings."""
    async with ctx.sessions() as session:
        return tenant_read(await service.get_tenant(session, tenant_of(principal)))


@platform_router.patch(
    "/tenant/settings", response_model=TenantRead, responses=errors(400, 401, 403, 404, 422)
)
async def change_tenant_settings(
    body: TenantSettingsPatch, principal: Admin, ctx: Ctx
) -> TenantRead:
    """Change some of your regency's settings (admin); emits `tenant.registered` again
    with the full new settings, which consumers upsert."""
    tenant = await service.change_settings(
        sessions=ctx.sessions,
        tenant=tenant_of(principal),
        changes=body.model_dump(exclude_none=True),
    )
    return tenant_read(tenant)


# ---------------------------------------------------------------- units


@org_router.post(
    "/units",
    response_model=UnitRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def create_unit(body: UnitCreate, principal: Admin, ctx: Ctx) -> Unit:
    """Emits `unit.created`."""
    return await service.create_unit(sessions=ctx.sessions, tenant=tenant_of(principal), body=body)


@org_router.get("/units", response_model=Page[UnitRead], responses=errors(401, 403, 422))
async def list_units(
    principal: Staff,
    ctx: Ctx,
    paging: Paging,
    parent_id: Annotated[str | None, Query(description="direct children of this unit")] = None,
    kind: UnitKind | None = None,
    serves_public: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="name or code prefix")] = None,
) -> Page[Unit]:
    query = select(Unit).where(Unit.tenant == tenant_of(principal))
    if parent_id is not None:
        query = query.where(Unit.parent_id == parent_id)
    if kind is not None:
        query = query.where(Unit.kind == kind)
    if serves_public is not None:
        query = query.where(Unit.serves_public == serves_public)
    if q:
        pattern = like_prefix(q)
        query = query.where(
            col(Unit.name).ilike(pattern, escape="\\") | col(Unit.code).ilike(pattern, escape="\\")
        )
    async with ctx.sessions() as session:
        return await paginate(session, query.order_by(col(Unit.name), col(Unit.id)), paging)


@org_router.get("/units/{unit_id}", response_model=UnitRead, responses=errors(401, 403, 404))
async def get_unit(unit_id: str, principal: Staff, ctx: Ctx) -> Unit:
    async with ctx.sessions() as session:
        return await service.get_unit(session, tenant_of(principal), unit_id)


@org_router.patch(
    "/units/{unit_id}", response_model=UnitRead, responses=errors(400, 401, 403, 404, 409, 422)
)
async def update_unit(unit_id: str, body: UnitUpdate, principal: Admin, ctx: Ctx) -> Unit:
    """Change name, kind, parent, public flag or head; emits `unit.updated`."""
    return await service.update_unit(
        sessions=ctx.sessions, tenant=tenant_of(principal), unit_id=unit_id, body=body
    )


# ---------------------------------------------------------------- employees


@org_router.post(
    "/employees",
    response_model=EmployeeRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def create_employee(body: EmployeeCreate, principal: Admin, ctx: Ctx) -> EmployeeRead:
    """Register an employee and their login account (username: the NIP); emits
    `employee.registered`."""
    employee = await service.create_employee(
        sessions=ctx.sessions, tenant=tenant_of(principal), body=body
    )
    return employee_read(employee, principal)


@org_router.get("/employees", response_model=Page[EmployeeRead], responses=errors(401, 403, 422))
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
    query = select(Employee).where(Employee.tenant == tenant_of(principal))
    if unit_id is not None:
        query = query.where(Employee.unit_id == unit_id)
    if supervisor_id is not None:
        query = query.where(Employee.supervisor_id == supervisor_id)
    if not include_inactive:
        query = query.where(col(Employee.active).is_(True))
    if q:
        condition: ColumnElement[bool] = col(Employee.name).ilike(like_prefix(q), escape="\\")
        if principal.has(Role.ADMIN):
            condition = condition | col(Employee.nip).like(like_prefix(q), escape="\\")
        query = query.where(condition)
    async with ctx.sessions() as session:
        page = await paginate(session, query.order_by(col(Employee.name), col(Employee.id)), paging)
    return page.map(lambda e: employee_read(e, principal))


@org_router.get(
    "/employees/{employee_id}", response_model=EmployeeRead, responses=errors(401, 403, 404)
)
async def get_employee(employee_id: str, principal: Staff, ctx: Ctx) -> EmployeeRead:
    async with ctx.sessions() as session:
        employee = await service.get_employee(session, tenant_of(principal), employee_id)
    return employee_read(employee, principal)


@org_router.patch(
    "/employees/{employee_id}",
    response_model=EmployeeRead,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def update_employee(
    employee_id: str, body: EmployeeUpdate, principal: Admin, ctx: Ctx
) -> EmployeeRead:
    """Change name, position, unit or supervisor (admin); emits `employee.updated`."""
    employee = await service.update_employee(
        sessions=ctx.sessions, tenant=tenant_of(principal), employee_id=employee_id, body=body
    )
    return employee_read(employee, principal)


@org_router.post(
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
    employee = await service.deactivate_employee(
        sessions=ctx.sessions,
        tenant=tenant_of(principal),
        employee_id=employee_id,
        reason=body.reason if body else "",
    )
    return employee_read(employee, principal)


@org_router.post(
    "/employees/{employee_id}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(400, 401, 403, 404, 409, 422),
)
async def set_employee_password(
    employee_id: str, body: PasswordSet, principal: Admin, ctx: Ctx
) -> Response:
    """Set an initial password or reset a forgotten one (admin); it must be changed at the
    next login."""
    await service.set_employee_password(
        sessions=ctx.sessions,
        tenant=tenant_of(principal),
        employee_id=employee_id,
        password=body.password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- CSV import

_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}

_IMPORT_RULES = """
The file is UTF-8 CSV with a header line (comma or semicolon separated; column names in any
case and order; a BOM is allowed), sent as `text/csv` or as the `file` field of a
multipart form. `dry_run=true` checks every row and reports each bad one as
`{line, reason}` (the header is line 1) without writing. Without it the import is
all-or-nothing: any bad row answers 400 with the same list in `detail` and writes nothing;
otherwise every row is written, with its event, in one transaction.
"""


async def read_csv_body(request: Request, limit: int) -> str:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise service.Refused(400, "the multipart form needs a `file` field")
        data = await upload.read(limit + 1)
    else:
        data = await request.body()
    if len(data) > limit:
        raise service.Refused(413, f"the file is larger than {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise service.Refused(400, "the file is not UTF-8 text") from None


def import_report(outcome: service.ImportOutcome, dry_run: bool) -> ImportReport:
    # Problems on line 1 (no file, no header, missing columns) mean the file is not an
    # import of this kind at all: refused even on a dry run, which reports bad rows.
    file_unreadable = any(p.line == 1 for p in outcome.problems)
    if outcome.problems and (file_unreadable or not dry_run):
        raise service.Refused(400, service.problems_detail(outcome.problems))
    return ImportReport(
        dry_run=dry_run,
        rows=outcome.rows,
        created=outcome.created,
        errors=[ImportProblem(line=p.line, reason=p.reason) for p in outcome.problems],
    )


DryRun = Annotated[bool, Query(description="check every row, write nothing")]


@import_router.post(
    "/units",
    response_model=ImportReport,
    responses=errors(400, 401, 403, 404, 413),
    openapi_extra=_CSV_BODY,
    description="Import units (admin). Columns: `code` (the regency's unit code, unique), "
    "`name`, `kind` (dinas, badan, kantor, kecamatan, kelurahan, desa, counter), optional "
    "`parent` (a unit code or id, in the file or already registered, in any order) and "
    "`serves_public` (true/false, ya/tidak, 1/0). Emits `unit.created` per row.\n" + _IMPORT_RULES,
)
async def import_units(
    request: Request, principal: Admin, ctx: Ctx, dry_run: DryRun = False
) -> ImportReport:
    text = await read_csv_body(request, ctx.max_import_bytes)
    outcome = await service.import_units(
        sessions=ctx.sessions, tenant=tenant_of(principal), text=text, dry_run=dry_run
    )
    return import_report(outcome, dry_run)


@import_router.post(
    "/employees",
    response_model=ImportReport,
    responses=errors(400, 401, 403, 404, 409, 413),
    openapi_extra=_CSV_BODY,
    description="Import employees (admin). Columns: `nip`, `name`, `position`, `unit` (a "
    "unit code or id), optional `supervisor_nip` (an employee already registered or a row "
    "anywhere in the same file) and `password` (initial password, to be changed at first "
    "login; without it the employee cannot log in until an admin sets one with "
    "`POST /employees/{id}/password`). Every NIP is checked as for a single employee. "
    "Emits `employee.registered` per row.\n" + _IMPORT_RULES,
)
async def import_employees(
    request: Request, principal: Admin, ctx: Ctx, dry_run: DryRun = False
) -> ImportReport:
    text = await read_csv_body(request, ctx.max_import_bytes)
    outcome = await service.import_employees(
        sessions=ctx.sessions, tenant=tenant_of(principal), text=text, dry_run=dry_run
    )
    return import_report(outcome, dry_run)


ROUTERS = (auth_router, platform_router, org_router, import_router)
