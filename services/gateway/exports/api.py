"""``GET /api/gateway/export/{table}?format=xlsx|csv&...``: a dashboard table as a file.

The table's rows come from the service that feeds the page (``tables.TABLES``), asked with
the caller's own token and language, so its role and tenant checks are the page's; the
registry's roles are checked first so a refusal names the table. Names come from the
gateway's org chart copy of the caller's regency. A refusal of the service (403, 404, 422)
is passed on with its reason; a service that cannot be reached answers 503."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import select

from services.common.api import errors
from services.common.i18n import LocaleCode
from services.common.orgchart import OrgEmployee, OrgUnit
from services.common.refusals import BadRequest, Forbidden, NotFound
from services.common.security import Principal
from services.gateway import domain, ops
from services.gateway.context import Gateway, gateway_of
from services.gateway.exports.sheet import to_csv, to_xlsx
from services.gateway.exports.tables import TABLES, Names, Table
from services.gateway.proxy import problem
from services.gateway.session import authenticate, caller_of, locale_of

log = logging.getLogger(__name__)
router = APIRouter(tags=["gateway"])
GatewayDep = Annotated[Gateway, Depends(gateway_of)]
PAGE = 500  # the services' largest page
MAX_PAGES = 200  # 100,000 rows: more than any regency has employees
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class Upstream(Exception):
    """The feeding service refused or failed: its answer, passed on."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def _get(gateway: Gateway, spec: Table, token: str, locale: str, query: list[Any]) -> Any:
    url = gateway.upstreams[spec.service].rstrip("/") + "/api/v1" + spec.path
    headers = {"authorization": f"Bearer {token}", "accept-language": locale}
    try:
        answer = await gateway.http().get(url, params=query, headers=headers)
    except httpx.HTTPError as exc:
        log.warning("export %s: upstream %s unreachable: %s", spec.name, spec.service, exc)
        raise Upstream(problem(503, domain.unavailable_detail(spec.service))) from None
    if answer.status_code >= 500:
        raise Upstream(problem(502, domain.failed_detail(spec.service)))
    if answer.status_code != 200:
        detail = answer.json().get("detail", "") if answer.content else ""
        raise Upstream(problem(answer.status_code, detail))
    return answer.json()


async def rows_of(
    gateway: Gateway, spec: Table, token: str, locale: str, given: list[tuple[str, str]]
) -> list[Any]:
    """Every row of the table (every page of a paged list)."""
    if spec.service == "gateway":
        return spec.rows((await ops.status_of(gateway)).model_dump())
    query: list[Any] = [*given, *spec.fixed]
    if not spec.paged:
        return spec.rows(await _get(gateway, spec, token, locale, query))
    out: list[Any] = []
    for n in range(MAX_PAGES):
        page = await _get(
            gateway, spec, token, locale, [*query, ("limit", PAGE), ("offset", n * PAGE)]
        )
        out += spec.rows(page)
        if (n + 1) * PAGE >= page["total"]:
            break
    return out


async def names_of(gateway: Gateway, principal: Principal, locale: LocaleCode) -> Names:
    """Unit and people names of the caller's regency (none for a platform account)."""
    if principal.tenant is None:
        return Names(locale)
    async with gateway.sessions() as session:
        units = await session.exec(select(OrgUnit).where(OrgUnit.tenant == principal.tenant))
        unit_names = {u.unit_id: u.name for u in units.all()}
        people = await session.exec(
            select(OrgEmployee).where(OrgEmployee.tenant == principal.tenant)
        )
        people_names = {p.employee_id: p.name for p in people.all()}
    return Names(locale, unit_names, people_names)


@router.get(
    "/api/gateway/export/{table}",
    response_class=Response,
    responses={
        200: {
            "description": "the table as a file (attachment)",
            "content": {MEDIA["xlsx"]: {}, MEDIA["csv"]: {}},
        },
        **errors(400, 401, 403, 404, 422),
        502: {"description": "the feeding service failed"},
        503: {"description": "the feeding service cannot be reached"},
    },
    summary="A dashboard table as XLSX or CSV (formula-like cells neutralised); the "
    "table's own query parameters (year, period, ...) pass to the service that feeds it",
)
async def export(
    table: str,
    request: Request,
    gateway: GatewayDep,
    format: Annotated[Literal["xlsx", "csv"], Query(description="xlsx or csv")] = "xlsx",
) -> Response:
    spec = TABLES.get(table)
    if spec is None:
        raise NotFound("there is no table {table} to download", table=table)
    auth = await authenticate(request, gateway)
    principal = caller_of(auth.token, gateway.jwt_secret)
    if not any(principal.has(role) for role in spec.roles):
        raise Forbidden(
            "only {roles} may download the table {table}",
            roles=", ".join(sorted(r.value for r in spec.roles)),
            table=table,
        )
    given = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    for name, _ in given:
        if name not in spec.params:
            raise BadRequest("the table {table} takes no parameter {name}", table=table, name=name)
    locale = locale_of(request)
    assert auth.token is not None  # caller_of refused a missing one
    try:
        rows = await rows_of(gateway, spec, auth.token, locale, given)
    except Upstream as refused:
        return auth.apply(refused.response, request, gateway)
    names = await names_of(gateway, principal, locale)
    headers = [names.t(c.header) for c in spec.columns]
    cells = [[c.value(row, names) for c in spec.columns] for row in rows]
    body = (
        to_xlsx(names.t(spec.title), headers, cells) if format == "xlsx" else to_csv(headers, cells)
    )
    suffix = dict(given).get(spec.named_by) if spec.named_by else None
    filename = f"{spec.name}-{suffix}" if suffix else spec.name
    response = Response(
        content=body,
        media_type=MEDIA[format],
        headers={
            "content-disposition": f'attachment; filename="{safe(filename)}.{format}"',
            "cache-control": "no-store",
        },
    )
    return auth.apply(response, request, gateway)


def safe(name: str) -> str:
    """A file name of letters, digits, dots and dashes only (the header stays plain)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in ".-") else "-" for c in name)
