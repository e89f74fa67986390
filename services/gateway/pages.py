"""HTML pages: thin shells that name their data in ``data-*`` attributes; the page's
script fetches the rest through ``/api/...``, authenticated by the HttpOnly session cookie
(see ``session``). Staff pages are checked here: no session → the login page; the wrong
role → a clear refusal. Every page carries the reader's language, the profile and the
script catalog as JSON data blocks, and the top bar's links from ``NAV``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import TypeAdapter, ValidationError

from services.common.events import TenantSlug
from services.common.i18n import LOCALES, translate
from services.gateway import words
from services.gateway.api import public_regency
from services.gateway.context import TEMPLATES, Gateway, gateway_of
from services.gateway.session import Profile, authenticate, locale_of, profile_of

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


words.install(TEMPLATES.env)


def _json_block(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: no "</" can close the block."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
    return Markup(text)


@dataclass(frozen=True)
class NavEntry:
    """One link of the top bar: shown to a profile for which ``shows`` is true. Role pages
    add their entry here (the label is an English msgid with a gateway.po entry)."""

    href: str
    label: str
    shows: Callable[[Profile], bool]


def _role(name: str) -> Callable[[Profile], bool]:
    return lambda profile: name in profile.roles


def _any_role(*names: str) -> Callable[[Profile], bool]:
    return lambda profile: any(name in profile.roles for name in names)


# The complaint desk and the unit IKM: the unit's pengelola pengaduan, its head (an
# atasan; one who heads no unit sees an empty desk) and admin. The counter: petugas loket.
DESK = _any_role("pengelola_pengaduan", "atasan", "admin")
COUNTER = _any_role("petugas_loket", "admin")


def _supervises(profile: Profile) -> bool:
    """The supervisor pages: an atasan, or the kepala daerah (no employee record), who
    approves and assesses the employees at the top of the chain."""
    return "atasan" in profile.roles or "kepala_daerah" in profile.roles


def _supervisor_title(profile: Profile) -> str:
    return "Kepala Daerah" if "kepala_daerah" in profile.roles else "My team"


NAV: list[NavEntry] = [
    NavEntry("/pegawai", "My performance", lambda p: p.employee_id is not None),
    NavEntry("/pegawai/penilaian", "My assessment", lambda p: p.employee_id is not None),
    NavEntry("/rekan", "Peer assessments", lambda p: p.employee_id is not None),
    NavEntry("/atasan", "My team", _role("atasan")),
    NavEntry("/atasan", "Kepala Daerah", _role("kepala_daerah")),
    NavEntry("/admin", "BKPSDM", _role("admin")),
    NavEntry("/meja-pengaduan", "Complaint desk", DESK),
    NavEntry("/ikm-unit", "Unit IKM", DESK),
    NavEntry("/loket", "Service counter", COUNTER),
    NavEntry("/admin/organisasi", "Units and employees", _role("admin")),
    NavEntry("/admin/pengaturan", "Regency settings", _role("admin")),
    NavEntry("/platform", "Regencies", _role("platform")),
    NavEntry("/ops", "Service status", lambda p: "ops" in p.roles or "platform" in p.roles),
    NavEntry("/profil", "My profile", lambda p: p.tenant is not None),
]


def nav_for(profile: Profile | None) -> list[NavEntry]:
    return [entry for entry in NAV if profile is not None and entry.shows(profile)]


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    profile: Profile | None = None,
    **context: Any,
) -> Response:
    locale = locale_of(request)
    context.update(
        locale=locale,
        locales=LOCALES,
        profile=profile,
        nav=nav_for(profile),
        here=request.url.path,
        i18n_json=_json_block(words.script_catalog(locale)),
        profile_json=_json_block(profile.model_dump(mode="json") if profile else None),
    )
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def message(request: Request, status_code: int, heading: str, text: str, **kw: Any) -> Response:
    locale = locale_of(request)
    return page(
        request,
        "message.html",
        status_code,
        title=translate(heading, None, locale),
        heading=translate(heading, None, locale),
        text=translate(text, None, locale),
        **kw,
    )


def staff_page(
    template: str, title: str | Callable[[Profile], str], allowed: Callable[[Profile], bool]
) -> Any:
    """``title``: an English msgid, or one chosen from the profile (a role's own name)."""

    async def show(request: Request, gateway: GatewayDep) -> Response:
        auth = await authenticate(request, gateway)
        principal = auth.principal
        if principal is None or principal.must_change_password:
            return auth.apply(RedirectResponse("/", status_code=303), request, gateway)
        profile = await profile_of(gateway, principal, locale_of(request))
        if not allowed(profile):
            answer = message(
                request,
                403,
                "This page is not for your account",
                "Your account does not have the role this page needs. Use the links in the"
                " top bar to open your own pages.",
                profile=profile,
            )
        else:
            chosen = title(profile) if callable(title) else title
            title_text = translate(chosen, None, locale_of(request))
            answer = page(request, template, title=title_text, profile=profile)
        return auth.apply(answer, request, gateway)

    return show


async def login_page(request: Request) -> Response:
    return page(request, "login.html", title=translate("Log in", None, locale_of(request)))


router.add_api_route("/", login_page, response_class=HTMLResponse)
router.add_api_route(
    "/pegawai",
    staff_page("employee.html", "My performance", lambda p: p.employee_id is not None),
    response_class=HTMLResponse,
)
router.add_api_route(
    "/pegawai/penilaian",
    staff_page("employee_assessment.html", "My assessment", lambda p: p.employee_id is not None),
    response_class=HTMLResponse,
)
router.add_api_route(
    "/atasan",
    staff_page("supervisor.html", _supervisor_title, _supervises),
    response_class=HTMLResponse,
)
router.add_api_route(
    "/atasan/pegawai",
    staff_page("supervisor_person.html", _supervisor_title, _supervises),
    response_class=HTMLResponse,
)
router.add_api_route(
    "/rekan",
    staff_page("supervisor_peer.html", "Peer assessments", lambda p: p.employee_id is not None),
    response_class=HTMLResponse,
)
router.add_api_route(
    "/admin", staff_page("admin.html", "BKPSDM", _role("admin")), response_class=HTMLResponse
)
for _path, _template, _title, _allowed in (
    ("/meja-pengaduan", "desk.html", "Complaint desk", DESK),
    ("/ikm-unit", "desk_ikm.html", "Unit IKM", DESK),
    ("/loket", "counter.html", "Service counter", COUNTER),
    ("/admin/organisasi", "admin_org.html", "Units and employees", _role("admin")),
    ("/admin/pengaturan", "admin_settings.html", "Regency settings", _role("admin")),
    ("/platform", "platform.html", "Regencies", _role("platform")),
    # Any account of a regency: its e-mail contact (platform and ops get no mail).
    ("/profil", "profile.html", "My profile", lambda p: p.tenant is not None),
    (
        "/ops",
        "platform_ops.html",
        "Service status",
        lambda p: bool({"ops", "platform"} & {*p.roles}),
    ),
):
    router.add_api_route(
        _path, staff_page(_template, _title, _allowed), response_class=HTMLResponse
    )


def unknown_regency(request: Request) -> Response:
    return message(
        request,
        404,
        "Page not found",
        "This address is not known. Check the link or the QR code you scanned.",
    )


async def citizen_page(
    request: Request, gateway: Gateway, tenant: str, template: str, **context: Any
) -> Response:
    if not _is_slug(tenant):
        return unknown_regency(request)
    regency = await public_regency(gateway, tenant)
    if regency is None:
        return unknown_regency(request)
    title = translate(str(context.pop("title")), None, locale_of(request))
    return page(request, template, regency=regency, title=title, **context)


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
        request, gateway, tenant, "survey.html", title="Satisfaction survey", token=token
    )


@router.get("/pengaduan/{tenant}", response_class=HTMLResponse)
async def complaint(request: Request, gateway: GatewayDep, tenant: PublicTenant) -> Response:
    unit = request.query_params.get("unit", "")
    return await citizen_page(
        request, gateway, tenant, "complaint.html", title="Complaint", unit=unit[:64]
    )


@router.get("/pengaduan/{tenant}/lacak", response_class=HTMLResponse)
async def track(request: Request, gateway: GatewayDep, tenant: PublicTenant) -> Response:
    code = request.query_params.get("kode", "")
    return await citizen_page(
        request, gateway, tenant, "track.html", title="Track a complaint", code=code[:20]
    )
