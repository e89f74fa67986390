"""What a document needs, read with the caller's own token from the services' APIs (each
applies its own visibility rules), and the people's identity blocks from the gateway's
org chart copy (names, NIPs, positions, units, golongan from identity's events: the
Pejabat Penilai's NIP is printed even for a reader identity would not show it to).

An upstream refusal is raised again as the same refusal (its English template and
parameters, so the kernel answers it in the reader's language)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import Request

from services.common.api import client_address
from services.common.orgchart import OrgChart, OrgTenant
from services.common.refusals import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Refusal,
    Unauthorized,
)
from services.gateway.context import Gateway
from services.gateway.documents.content import NOBODY, Person, kepala_daerah
from services.gateway.models import GatewayRank
from services.gateway.session import locale_of

log = logging.getLogger(__name__)
_BY_STATUS: dict[int, type[Refusal]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


class UpstreamDown(Exception):
    """A service the document needs cannot be reached or failed (503 to the reader)."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service


async def get_json(
    gateway: Gateway,
    request: Request,
    token: str,
    service: str,
    path: str,
    params: dict[str, str] | None = None,
) -> Any:
    url = gateway.upstreams[service].rstrip("/") + "/api/v1" + path
    headers = {
        "authorization": f"Bearer {token}",
        "accept-language": locale_of(request),
        "x-forwarded-for": client_address(request),
    }
    try:
        answer = await gateway.http().get(url, params=params or {}, headers=headers)
    except httpx.HTTPError as exc:
        log.warning("document: %s unreachable: %s", service, exc)
        raise UpstreamDown(service) from None
    if answer.status_code < 400:
        return answer.json()
    if answer.status_code >= 500:
        raise UpstreamDown(service)
    body = (
        answer.json()
        if answer.headers.get("content-type", "").startswith("application/json")
        else {}
    )
    reason = body.get("reason") if isinstance(body, dict) else None
    refusal = _BY_STATUS.get(answer.status_code, BadRequest)
    if isinstance(reason, dict) and isinstance(reason.get("message"), str):
        raise refusal(reason["message"], **dict(reason.get("params") or {}))
    raise refusal("{service} refused the request", service=service)


async def person(org: OrgChart, actor_id: str | None, regency: str) -> Person:
    """The identity block of an employee, or of the kepala daerah's account."""
    if not actor_id:
        return NOBODY
    employee = await org.employee(actor_id)
    if employee is None:
        kd = await org.kepala_daerah()
        if kd is not None and kd.user_id == actor_id:
            return kepala_daerah(kd.title, kd.name, regency)
        return NOBODY
    unit = await org.unit(employee.unit_id)
    rank = await org.session.get(GatewayRank, (org.tenant, employee.employee_id))
    return Person.of(
        name=employee.name,
        nip=employee.nip,
        golongan=rank.golongan if rank else None,
        jabatan=employee.position,
        unit=unit.name if unit else "",
    )


async def regency_name(org: OrgChart) -> str:
    row = await org.session.get(OrgTenant, org.tenant)
    return row.name if row else org.tenant


def place_of(regency: str) -> str:
    """Where a regency signs: "Kabupaten Bantul" signs in "Bantul"."""
    for prefix in ("Kabupaten ", "Kota ", "Kab. "):
        if regency.startswith(prefix):
            return regency[len(prefix) :]
    return regency
