"""The gateway's own endpoints: live alerts (Server-Sent Events), the caller's recent
alerts, and what the public pages need to know about a regency."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import (
    APIRouter,
    Depends,
    Header,
    Path,
    Query,
    Request,
    Response,
)
from sqlalchemy import update
from sqlmodel import col, select
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.common.api import errors
from services.common.clock import utcnow
from services.common.events import TenantSlug
from services.common.i18n import LocaleCode
from services.common.orgchart import OrgTenant, OrgUnit
from services.common.refusals import Forbidden, NotFound
from services.common.security import (
    Principal,
)
from services.gateway import domain
from services.gateway.context import Gateway, gateway_of
from services.gateway.metrics import StreamMetrics
from services.gateway.models import AlertRead, GatewayAlert, PublicRegency, PublicUnit
from services.gateway.session import SessionError, authenticate, caller_of, check_csrf, locale_of

router = APIRouter(tags=["gateway"])
GatewayDep = Annotated[Gateway, Depends(gateway_of)]
HISTORY = 100  # rows a fresh stream (no Last-Event-ID) starts with
RETRY_MS = 3000


def view(row: GatewayAlert, locale: LocaleCode) -> domain.AlertView:
    assert row.seq is not None
    return domain.AlertView(
        seq=row.seq,
        tenant=row.tenant,
        recipient_id=row.recipient_id,
        alert_id=row.alert_id,
        action=row.action,
        kind=row.kind,
        subject_id=row.subject_id,
        message=domain.alert_message(row.kind, row.params, row.message, locale),
        occurred_at=row.occurred_at.isoformat(),
        read=row.read_at is not None,
    )


async def alerts_after(
    gateway: Gateway,
    principal: Principal,
    after: int | None,
    locale: LocaleCode,
    limit: int = HISTORY,
) -> list[domain.AlertView]:
    """The caller's alerts after ``after`` (oldest first), or the newest ``limit``."""
    query = select(GatewayAlert).where(
        GatewayAlert.tenant == principal.tenant,
        GatewayAlert.recipient_id == domain.recipient_of(principal),
    )
    async with gateway.sessions() as session:
        if after is None:
            newest = query.order_by(col(GatewayAlert.seq).desc()).limit(limit)
            rows = list(reversed((await session.exec(newest)).all()))
        else:
            later = query.where(col(GatewayAlert.seq) > after).order_by(col(GatewayAlert.seq))
            rows = list((await session.exec(later.limit(limit))).all())
    # The query already filters; the rule is checked again where it is stated.
    views = (view(row, locale) for row in rows)
    return [v for v in views if domain.visible_to(v, principal)]


def stream_principal(token: str | None, secret: str | tuple[str, ...]) -> Principal:
    """The caller of a stream: the access token of an employee (or of the kepala daerah,
    who receives the alerts about the top of the chain), not one that must still change
    its password (that token opens nothing but the password change)."""
    principal = caller_of(token, secret)
    principal.home()
    if domain.recipient_of(principal) is None:
        raise Forbidden("alerts go to employees and the kepala daerah; this account is neither")
    return principal


@router.get(
    "/events/alerts",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "a stream of `alert` events"},
        **errors(401, 403),
    },
    summary="Live alerts for the caller (Server-Sent Events)",
)
async def alert_stream(
    request: Request,
    gateway: GatewayDep,
    last_event_id_query: Annotated[str | None, Query(alias="last_event_id")] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    """Each event is `alert` with the JSON of an alert (`action` raised or cleared). A
    fresh stream starts with the recent history; a reconnect (`Last-Event-ID` header or
    `last_event_id` query) gets only what came after. The stream ends with an `expired`
    event when the token expires: reconnect (a browser's reconnect carries the refresh
    cookie, and the gateway renews the session then). The token comes from the
    Authorization header or the session cookie (EventSource sends cookies, not headers),
    never from the URL."""
    auth = await authenticate(request, gateway)
    principal = stream_principal(auth.token, gateway.jwt_secret)
    cursor = domain.last_event_id(last_event_id_header, last_event_id_query)
    locale = locale_of(request)

    async def events() -> AsyncIterator[ServerSentEvent]:
        nonlocal cursor
        key = (str(principal.tenant), str(domain.recipient_of(principal)))
        counted: StreamMetrics = request.app.state.stream_metrics
        with gateway.hub.subscribe(key) as wake, counted.stream_open():
            yield ServerSentEvent(comment="connected", retry=RETRY_MS)
            while True:
                wake.clear()
                for alert in await alerts_after(gateway, principal, cursor, locale):
                    cursor = alert.seq
                    counted.written(alert.occurred_at)
                    fields = domain.sse_fields(alert)
                    yield ServerSentEvent(
                        id=fields["id"], event=fields["event"], data=fields["data"]
                    )
                left = (principal.expires_at - datetime.now(UTC)).total_seconds()
                if left <= 0:
                    yield ServerSentEvent(event="expired", data="token expired")
                    return
                if cursor is None:
                    cursor = 0
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        wake.wait(), timeout=min(left, gateway.stream_recheck_seconds)
                    )

    response = EventSourceResponse(
        events(), ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    auth.apply(response, request, gateway)
    return response


@router.get(
    "/api/gateway/alerts",
    response_model=list[AlertRead],
    responses=errors(401, 403),
    summary="The caller's recent alerts (oldest first)",
)
async def recent_alerts(
    request: Request, response: Response, gateway: GatewayDep
) -> list[AlertRead]:
    auth = await authenticate(request, gateway)
    auth.apply(response, request, gateway)
    principal = stream_principal(auth.token, gateway.jwt_secret)
    alerts = await alerts_after(gateway, principal, None, locale_of(request))
    return [
        AlertRead(
            seq=a.seq,
            alert_id=a.alert_id,
            action=a.action,
            kind=a.kind,
            subject_id=a.subject_id,
            message=a.message,
            occurred_at=datetime.fromisoformat(a.occurred_at),
            read=a.read,
        )
        for a in alerts
    ]


@router.post(
    "/api/gateway/alerts/{alert_id}/read",
    status_code=204,
    responses=errors(401, 403, 404),
    summary="Mark one of the caller's alerts read (kept for the caller, on every device)",
)
async def mark_read(
    request: Request,
    gateway: GatewayDep,
    alert_id: Annotated[str, Path(max_length=64)],
) -> Response:
    """Read state belongs to the recipient: another person's alert (or another regency's)
    answers 404 as if it did not exist. Marking twice keeps the first moment."""
    auth = await authenticate(request, gateway)
    try:
        check_csrf(request, auth)
    except SessionError as exc:
        return exc.response(locale_of(request))
    principal = stream_principal(auth.token, gateway.jwt_secret)
    mine = (
        col(GatewayAlert.tenant) == principal.tenant,
        col(GatewayAlert.recipient_id) == domain.recipient_of(principal),
        col(GatewayAlert.alert_id) == alert_id,
    )
    async with gateway.sessions.begin() as session:
        found = (await session.exec(select(GatewayAlert.seq).where(*mine).limit(1))).first()
        if found is None:
            raise NotFound("alert not found")
        await session.exec(
            update(GatewayAlert)
            .where(*mine, col(GatewayAlert.read_at).is_(None))
            .values(read_at=utcnow())
        )
    return auth.apply(Response(status_code=204), request, gateway)


async def public_regency(gateway: Gateway, tenant: str) -> PublicRegency | None:
    async with gateway.sessions() as session:
        regency = await session.get(OrgTenant, tenant)
        if regency is None:
            return None
        units = (
            await session.exec(
                select(OrgUnit)
                .where(OrgUnit.tenant == tenant, col(OrgUnit.serves_public).is_(True))
                .order_by(col(OrgUnit.name))
            )
        ).all()
    return PublicRegency(
        slug=tenant,
        name=regency.name,
        units=[PublicUnit(unit_id=u.unit_id, name=u.name) for u in units],
    )


@router.get(
    "/api/gateway/public/{tenant}",
    response_model=PublicRegency,
    responses=errors(404, 422),
    summary="A regency's name and its units that serve the public (no login)",
)
async def regency(
    tenant: Annotated[TenantSlug, Path(description="the regency's slug")], gateway: GatewayDep
) -> PublicRegency:
    found = await public_regency(gateway, tenant)
    if found is None:
        raise NotFound("regency not found")
    return found
