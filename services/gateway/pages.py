"""HTML pages: thin shells that name their data in ``data-*`` attributes; the page's
script fetches the rest through ``/api/...`` with the token kept in sessionStorage."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError

from services.common.events import TenantSlug
from services.gateway.api import public_regency
from services.gateway.context import TEMPLATES, Gateway, gateway_of

router = APIRouter(include_in_schema=False)
GatewayDep = Annotated[Gateway, Depends(gateway_of)]
PublicTenant = Annotated[str, Path(max_length=40)]

# No inline script or style anywhere: the policy forbids them, and nothing comes from
# outside the gateway. The survey URL carries a secret: never send it as a referrer.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def staff_page(template: str, title: str, role: str) -> Any:
    async def show(request: Request) -> Response:
        return page(request, template, title=title, role=role)

    return show


router.add_api_route("/", staff_page("login.html", "Masuk", ""), response_class=HTMLResponse)
router.add_api_route(
    "/pegawai", staff_page("employee.html", "Kinerja Saya", "pegawai"), response_class=HTMLResponse
)
router.add_api_route(
    "/atasan", staff_page("supervisor.html", "Tim Saya", "atasan"), response_class=HTMLResponse
)
router.add_api_route(
    "/admin", staff_page("admin.html", "BKPSDM", "admin"), response_class=HTMLResponse
)


def unknown_regency(request: Request) -> Response:
    return page(
        request,
        "message.html",
        404,
        title="Tidak ditemukan",
        heading="Halaman tidak ditemukan",
        text="Alamat ini tidak dikenal. Periksa kembali tautan atau kode QR yang Anda pindai.",
    )


async def citizen_page(
    request: Request, gateway: Gateway, tenant: str, template: str, **context: Any
) -> Response:
    if not _is_slug(tenant):
        return unknown_regency(request)
    regency = await public_regency(gateway, tenant)
    if regency is None:
        return unknown_regency(request)
    return page(request, template, regency=regency, **context)


_SLUG: TypeAdapter[str] = TypeAdapter(TenantSlug)


def _is_slug(text: str) -> bool:
    try:
        _SLUG.validate_python(text)
    except ValidationError:
        return False
    return True


@router.get("/survey/{tenant}/{token}", response_class=HTMLResponse)
async def survey(
    request: Request,
    gateway: GatewayDep,
    tenant: PublicTenant,
    token: Annotated[str, Path(max_length=64)],
) -> Response:
    return await citizen_page(
        request, gateway, tenant, "survey.html", title="Survei Kepuasan", token=token
    )


@router.get("/pengaduan/{tenant}", response_class=HTMLResponse)
async def complaint(request: Request, gateway: GatewayDep, tenant: PublicTenant) -> Response:
    unit = request.query_params.get("unit", "")
    return await citizen_page(
        request, gateway, tenant, "complaint.html", title="Pengaduan", unit=unit[:64]
    )


@router.get("/pengaduan/{tenant}/lacak", response_class=HTMLResponse)
async def track(request: Request, gateway: GatewayDep, tenant: PublicTenant) -> Response:
    code = request.query_params.get("kode", "")
    return await citizen_page(
        request, gateway, tenant, "track.html", title="Lacak Pengaduan", code=code[:20]
    )
