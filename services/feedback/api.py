"""HTTP API of the feedback service (``/api/v1``): thin routes over :mod:`.surveys`,
:mod:`.tokens` and :mod:`.complaints`."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from services.common.api import IsoDate, Page, PageParams, errors, page_params
from services.common.events import ComplaintStatus, TenantSlug
from services.common.runtime import Runtime
from services.common.security import CurrentPrincipal, Principal, Role, require_roles
from services.feedback import complaints, surveys, tokens
from services.feedback.models import (
    ComplaintCreate,
    ComplaintRead,
    ComplaintReceipt,
    ComplaintsNamingMe,
    ComplaintTransition,
    IssuerTokens,
    PublicComplaintStatus,
    PublicSurveyForm,
    SurveyReceipt,
    SurveySubmit,
    SurveyTokenCreate,
    SurveyTokenRead,
    UnitSurveyComments,
    UnitSurveySummary,
)
from services.feedback.ratelimit import rate_limited

API = "/api/v1"


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Tenant = Annotated[TenantSlug, Path(description="the regency's slug, e.g. bantul")]
Token = Annotated[str, Path(max_length=64, description="the secret of the survey QR code")]


# ---------------------------------------------------------------- staff

staff = APIRouter(prefix=API)


@staff.post(
    "/survey-tokens",
    response_model=SurveyTokenRead,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 403, 404, 422),
    tags=["survey tokens"],
    summary="Issue a one-time survey token for one service transaction",
)
async def issue_token(
    body: SurveyTokenCreate, principal: CurrentPrincipal, request: Request, runtime: RuntimeDep
) -> SurveyTokenRead:
    settings = request.app.state.settings
    row = await tokens.issue_survey_token(
        runtime,
        principal=principal,
        body=body,
        valid_for=timedelta(hours=settings.survey_token_hours),
    )
    return tokens.token_read(row, settings.public_base_url)


@staff.get(
    "/survey-tokens/by-issuer",
    response_model=list[IssuerTokens],
    responses=errors(400, 401, 403, 422),
    tags=["survey tokens"],
    summary="Admin: per issuer, tokens issued in a date range and how many were used",
)
async def tokens_by_issuer(
    principal: Admin,
    runtime: RuntimeDep,
    date_from: Annotated[IsoDate, Query(alias="from")],
    date_to: Annotated[IsoDate, Query(alias="to")],
) -> list[IssuerTokens]:
    return await tokens.issuer_stats(
        runtime, principal=principal, date_from=date_from, date_to=date_to
    )


@staff.get(
    "/survey-tokens/{token_id}",
    response_model=SurveyTokenRead,
    responses=errors(401, 403, 404),
    tags=["survey tokens"],
)
async def get_token(
    token_id: str, principal: CurrentPrincipal, request: Request, runtime: RuntimeDep
) -> SurveyTokenRead:
    row = await tokens.visible_token(runtime, principal=principal, token_id=token_id)
    return tokens.token_read(row, request.app.state.settings.public_base_url)


_QR_KINDS = {"svg": "image/svg+xml", "png": "image/png"}


async def _qr(kind: str, token_id: str, principal: CurrentPrincipal, request: Request) -> Response:
    runtime = runtime_of(request)
    row = await tokens.visible_token(runtime, principal=principal, token_id=token_id)
    url = tokens.token_read(row, request.app.state.settings.public_base_url).survey_url
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind=kind, scale=4 if kind == "svg" else 8, border=4)
    return Response(content=buffer.getvalue(), media_type=_QR_KINDS[kind])


def _qr_route(kind: str) -> None:
    @staff.get(
        f"/survey-tokens/{{token_id}}/qr.{kind}",
        response_class=Response,
        responses={
            200: {"content": {_QR_KINDS[kind]: {}}, "description": "the QR code"},
            **errors(401, 403, 404),
        },
        tags=["survey tokens"],
        summary=f"The token's survey URL as a QR code ({kind.upper()})",
        name=f"qr_{kind}",
    )
    async def qr(token_id: str, principal: CurrentPrincipal, request: Request) -> Response:
        return await _qr(kind, token_id, principal, request)


for _kind in _QR_KINDS:
    _qr_route(_kind)


@staff.get(
    "/units/{unit_id}/survey-summary",
    response_model=UnitSurveySummary,
    responses=errors(400, 401, 403, 404, 422),
    tags=["surveys"],
    summary="A unit's per-element NRR, IKM and category over a date range (tenant-local)",
)
async def survey_summary(
    unit_id: str,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> UnitSurveySummary:
    return await surveys.unit_summary(
        runtime, principal=principal, unit_id=unit_id, date_from=date_from, date_to=date_to
    )


@staff.get(
    "/units/{unit_id}/survey-comments",
    response_model=UnitSurveyComments,
    responses=errors(400, 401, 403, 404, 422),
    tags=["surveys"],
    summary="The citizens' suggestions to a unit: its head, its complaint officer, admin",
)
async def survey_comments(
    unit_id: str,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> UnitSurveyComments:
    return await surveys.unit_comments(
        runtime, principal=principal, unit_id=unit_id, date_from=date_from, date_to=date_to
    )


@staff.get(
    "/complaints",
    response_model=Page[ComplaintRead],
    responses=errors(401, 403, 422),
    tags=["complaints"],
    summary="Complaints of the units you handle (all of the regency for admin)",
)
async def list_complaints(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    page: Annotated[PageParams, Depends(page_params)],
    status_filter: Annotated[ComplaintStatus | None, Query(alias="status")] = None,
    unit_id: str | None = None,
) -> Page[ComplaintRead]:
    return await complaints.list_complaints(
        runtime, principal=principal, page=page, status_filter=status_filter, unit_id=unit_id
    )


@staff.get(
    "/complaints/naming-me",
    response_model=ComplaintsNamingMe,
    responses=errors(401, 403),
    tags=["complaints"],
    summary="How many complaints name you, by status (you never handle those)",
)
async def complaints_naming_me(
    principal: CurrentPrincipal, runtime: RuntimeDep
) -> ComplaintsNamingMe:
    return await complaints.complaints_naming_me(runtime, principal=principal)


@staff.get(
    "/complaints/{complaint_id}",
    response_model=ComplaintRead,
    responses=errors(401, 403, 404),
    tags=["complaints"],
)
async def get_complaint(
    complaint_id: str, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ComplaintRead:
    return await complaints.get_complaint(runtime, principal=principal, complaint_id=complaint_id)


@staff.post(
    "/complaints/{complaint_id}/transitions",
    response_model=ComplaintRead,
    responses=errors(401, 403, 404, 409, 422),
    tags=["complaints"],
    summary="Move a complaint to its next status, with a reason",
)
async def move_complaint(
    complaint_id: str, body: ComplaintTransition, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ComplaintRead:
    return await complaints.move_complaint(
        runtime, principal=principal, complaint_id=complaint_id, body=body
    )


# ---------------------------------------------------------------- public (no login)

public = APIRouter(prefix=f"{API}/public/{{tenant}}", tags=["public"])
SUBMIT = [Depends(rate_limited("submit"))]
READ = [Depends(rate_limited("read"))]


@public.get(
    "/surveys/{token}",
    response_model=PublicSurveyForm,
    responses=errors(404, 409, 422, 429),
    dependencies=READ,
    summary="What the public survey page shows for a token",
)
async def survey_form(tenant: Tenant, token: Token, runtime: RuntimeDep) -> PublicSurveyForm:
    return await surveys.survey_form(runtime, tenant=tenant, token=token)


@public.post(
    "/surveys/{token}",
    response_model=SurveyReceipt,
    status_code=status.HTTP_201_CREATED,
    responses=errors(404, 409, 422, 429),
    dependencies=SUBMIT,
    summary="Submit the nine SKM answers; a token is used once",
)
async def submit_survey(
    tenant: Tenant, token: Token, body: SurveySubmit, runtime: RuntimeDep
) -> SurveyReceipt:
    return await surveys.submit_survey(runtime, tenant=tenant, token=token, body=body)


@public.post(
    "/complaints",
    response_model=ComplaintReceipt,
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 404, 422, 429),
    dependencies=SUBMIT,
    summary="File a complaint; the answer holds the tracking code",
)
async def file_complaint(
    tenant: Tenant, body: ComplaintCreate, runtime: RuntimeDep
) -> ComplaintReceipt:
    return await complaints.file_complaint(runtime, tenant=tenant, body=body)


@public.get(
    "/complaints/{tracking_code}",
    response_model=PublicComplaintStatus,
    responses=errors(404, 422, 429),
    dependencies=READ,
    summary="Follow a complaint by its tracking code",
)
async def track_complaint(
    tenant: Tenant,
    tracking_code: Annotated[str, Path(max_length=20)],
    runtime: RuntimeDep,
) -> PublicComplaintStatus:
    return await complaints.track_complaint(runtime, tenant=tenant, tracking_code=tracking_code)


ROUTERS = (staff, public)
