"""The document downloads and the public verification page.

- `GET /dokumen/skp/{skp_id}`, `GET /dokumen/evaluasi/{employee_id}?periode=`: the
  employee, their supervisors at any depth (the kepala daerah at the top), admin;
- `GET /dokumen/skm/{unit_id}?dari=&sampai=`: the unit's head, its pengelola pengaduan,
  admin (feedback's rule for the citizens' suggestions);
- `GET /dokumen/tahunan?tahun=`: admin;
- `GET /verifikasi/{token}`: anyone holding the printed QR.

Every upstream read goes with the caller's token, so a service's own visibility rules
apply on top of these; another regency's id answers 404 as everywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.common.api import IsoDate, errors
from services.common.clock import utcnow
from services.common.i18n import translate
from services.common.orgchart import OrgChart
from services.common.refusals import BadRequest, Refusal
from services.common.workdays import local_today
from services.gateway.context import Gateway, gateway_of
from services.gateway.documents import builders, register
from services.gateway.documents.content import KINDS, PERIOD, PREDIKAT, tanggal
from services.gateway.documents.data import UpstreamDown
from services.gateway.documents.render import pdf_of, qr_data_uri
from services.gateway.domain import unavailable_detail
from services.gateway.pages import message, page
from services.gateway.session import Auth, authenticate, caller_of, locale_of

router = APIRouter(tags=["documents"])
GatewayDep = Annotated[Gateway, Depends(gateway_of)]
Id = Annotated[str, Path(max_length=64)]
OrgPredikat = Annotated[
    str,
    Query(max_length=20, description="the organisation's predikat: sangat_baik .. sangat_kurang"),
]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document"},
    **errors(400, 401, 403, 404, 422),
    503: {"description": "a service the document needs cannot be reached"},
}
Build = Callable[[builders.Ctx], Awaitable[builders.Document]]


def verify_url(request: Request, gateway: Gateway, token: str) -> str:
    base = gateway.public_url or str(request.base_url)
    return base.rstrip("/") + f"/verifikasi/{token}"


async def _deliver(request: Request, gateway: Gateway, build: Build) -> Response:
    """Authenticate, build the content, register it, render it; a refusal or an
    unreachable service is answered as everywhere (JSON, or a page for a browser tab)."""
    auth: Auth | None = None
    try:
        auth = await authenticate(request, gateway)
        principal = caller_of(auth.token, gateway.jwt_secret)
        principal.home()
        assert auth.token is not None
        async with gateway.sessions() as session:
            ctx = builders.Ctx(
                gateway=gateway,
                request=request,
                token=auth.token,
                principal=principal,
                org=OrgChart(session, principal.home()),
            )
            document = await build(ctx)
            _, time_zone = await ctx.org.settings()
            issued_by = await builders.caller_name(ctx)
            row = await register.issue(
                session, document.issue(principal.home(), issued_by), utcnow()
            )
        url = verify_url(request, gateway, row.token)
        pdf = await pdf_of(
            document.template,
            **document.context,
            verify_url=url,
            qr=qr_data_uri(url),
            token=row.token,
            printed=tanggal(local_today(time_zone)),
        )
    except Refusal as refusal:
        answer: Response = _refused(request, refusal.status, refusal.text(locale_of(request)))
        return auth.apply(answer, request, gateway) if auth else answer
    except UpstreamDown as down:
        return _refused(request, 503, unavailable_detail(down.service))
    response = Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.filename}"',
            "Cache-Control": "no-store",
        },
    )
    return auth.apply(response, request, gateway)


def _refused(request: Request, status: int, text: str) -> Response:
    if "text/html" in request.headers.get("accept", ""):
        return page(request, "message.html", status, title=text, heading=text, text="")
    return JSONResponse({"detail": text}, status_code=status)


def _period(value: str) -> str:
    if not PERIOD.match(value):
        raise BadRequest(
            "the period must be a year (2026), a month (2026-03) or a quarter (2026-Q1)"
        )
    return value


def _org_predikat(value: str) -> str:
    if value not in PREDIKAT:
        raise BadRequest(
            "the organisation's predikat must be one of: {values}", values=", ".join(PREDIKAT)
        )
    return value


@router.get("/dokumen/skp/{skp_id}", response_class=Response, responses=PDF)
async def skp_document(skp_id: Id, request: Request, gateway: GatewayDep) -> Response:
    """The SKP as PDF: RHK with the supervisor's RHK each supports, indicators, targets."""
    return await _deliver(request, gateway, lambda ctx: builders.skp(ctx, skp_id))


@router.get("/dokumen/evaluasi/{employee_id}", response_class=Response, responses=PDF)
async def evaluation_document(
    employee_id: Id,
    request: Request,
    gateway: GatewayDep,
    periode: Annotated[str, Query(max_length=10, description="2026, 2026-03 or 2026-Q1")],
    predikat_organisasi: OrgPredikat = "baik",
) -> Response:
    """The Dokumen Evaluasi Kinerja Pegawai of a period (annual or periodic)."""

    async def build(ctx: builders.Ctx) -> builders.Document:
        return await builders.evaluation(
            ctx, employee_id, _period(periode), _org_predikat(predikat_organisasi)
        )

    return await _deliver(request, gateway, build)


@router.get("/dokumen/skm/{unit_id}", response_class=Response, responses=PDF)
async def skm_document(
    unit_id: Id,
    request: Request,
    gateway: GatewayDep,
    dari: Annotated[IsoDate, Query(description="first day, YYYY-MM-DD")],
    sampai: Annotated[IsoDate, Query(description="last day, YYYY-MM-DD")],
) -> Response:
    """A unit's Laporan SKM over a date range (PermenPANRB 14/2017)."""
    return await _deliver(request, gateway, lambda ctx: builders.skm(ctx, unit_id, dari, sampai))


@router.get("/dokumen/tahunan", response_class=Response, responses=PDF)
async def annual_document(
    request: Request,
    gateway: GatewayDep,
    tahun: Annotated[int, Query(ge=2000, le=2100)],
    predikat_organisasi: OrgPredikat = "baik",
) -> Response:
    """The regency's annual report (admin): predikat against the curve, units ranked,
    training needs."""

    async def build(ctx: builders.Ctx) -> builders.Document:
        return await builders.annual(ctx, tahun, _org_predikat(predikat_organisasi))

    return await _deliver(request, gateway, build)


@router.get("/verifikasi/{token}", response_class=HTMLResponse, include_in_schema=False)
async def verify(
    token: Annotated[str, Path(max_length=64)], request: Request, gateway: GatewayDep
) -> Response:
    """What a printed QR opens: whether the document was issued by Kinerja and is current."""
    async with gateway.sessions() as session:
        row, newer = await register.status_of(session, token)
        regency = None
        if row is not None:
            org = OrgChart(session, row.tenant)
            _, time_zone = await org.settings()
            regency = await builders.regency_of(org)
    if row is None:
        return message(
            request,
            404,
            "Document not found",
            "No document with this code was issued by Kinerja. The printed copy cannot be"
            " verified.",
        )
    context: dict[str, Any] = {
        "document": row,
        "kind": KINDS.get(row.kind, row.kind),
        "issued": tanggal(row.issued_at.astimezone(_zone(time_zone)).date()),
        "newer": tanggal(newer.issued_at.astimezone(_zone(time_zone)).date()) if newer else None,
        "regency_name": regency,
    }
    title = translate("Document verification", None, locale_of(request))
    return page(request, "verify.html", title=title, **context)


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
