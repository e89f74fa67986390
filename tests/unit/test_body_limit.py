"""Issue 11: every service refuses a request body over its cap (1 MiB by default) with 413
before parsing it: at once when Content-Length says so, and for a chunked body with no
Content-Length as soon as the bytes read pass the cap, without reading the rest.

The apps are built and called in-process (httpx's ASGI transport, nothing started: the
middleware answers before any database or broker is needed); the gateway's proxy is
tested over real HTTP with uvicorn in tests/gateway/test_body_limit.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.common.api import DEFAULT_MAX_BODY_BYTES
from services.common.security import Role
from tests.support import bearer
from tests.unit.helpers import build

pytestmark = pytest.mark.unit

CAP = DEFAULT_MAX_BODY_BYTES
CHUNK = 64 * 1024
# A JSON route of each service that reads a body (scoring takes none: any path will do).
ROUTES = {
    "identity": "/api/v1/auth/login",
    "targets": "/api/v1/skp",
    "assessment": "/api/v1/assessments",
    "feedback": "/api/v1/public/bantul/complaints",
    "scoring": "/api/v1/scores/team",
    "gateway": "/api/targets/skp",
}
READING = [name for name in ROUTES if name != "scoring"]
AUTH = bearer(tenant="bantul", roles=[Role.PEGAWAI], employee_id="e1")


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


class Chunks:
    """A body of ``total`` bytes sent chunk by chunk, counting what was taken."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            self.sent += CHUNK
            yield b" " * CHUNK


def assert_too_large(response: httpx.Response, cap: int = CAP) -> None:
    assert response.status_code == 413, response.text
    assert response.json() == {"detail": f"the request body is larger than {cap} bytes"}


@pytest.mark.parametrize("name", list(ROUTES))
async def test_a_declared_oversize_body_is_refused_before_it_is_read(
    name: str, tmp_path: Path
) -> None:
    async with client(build(name, tmp_path)) as http:
        body = Chunks(CAP + 1)
        headers = {**AUTH, "Content-Length": str(CAP + 1), "Content-Type": "application/json"}
        answer = await http.post(ROUTES[name], content=body, headers=headers)
    assert_too_large(answer)
    assert body.sent <= CHUNK  # the transport's first chunk at most: nothing was read


@pytest.mark.parametrize("name", READING)
async def test_a_chunked_oversize_body_is_refused_once_past_the_cap(
    name: str, tmp_path: Path
) -> None:
    body = Chunks(50 * CAP)
    async with client(build(name, tmp_path)) as http:
        answer = await http.post(
            ROUTES[name], content=body, headers={**AUTH, "Content-Type": "application/json"}
        )
    assert_too_large(answer)
    assert CAP < body.sent <= CAP + 2 * CHUNK, body.sent


@pytest.mark.parametrize("name", READING)
async def test_a_body_at_the_cap_gets_through_to_validation(name: str, tmp_path: Path) -> None:
    async with client(build(name, tmp_path)) as http:
        answer = await http.post(
            ROUTES[name],
            content=Chunks(CAP),
            headers={**AUTH, "Content-Type": "application/json"},
        )
    # Not refused for its size: parsed and refused for what it says (422); the gateway
    # passes it on to whatever answers on the default targets address (503 when nothing).
    if name == "gateway":
        assert answer.status_code not in (413, 500), answer.text
    else:
        assert answer.status_code == 422, answer.text


async def test_identitys_csv_import_takes_more_than_the_cap(tmp_path: Path) -> None:
    app = build("identity", tmp_path)
    admin = bearer(tenant="bantul", roles=[Role.ADMIN], employee_id="e1")
    async with client(app) as http:
        # Twice the JSON cap, not UTF-8: read whole, then refused for its content.
        answer = await http.post(
            "/api/v1/import/units",
            content=b"\xff" * (2 * CAP),
            headers={**admin, "Content-Type": "text/csv"},
        )
        assert answer.status_code == 400 and "not UTF-8" in answer.text, answer.text
        over = await http.post(
            "/api/v1/import/units",
            content=Chunks(25_000_000),
            headers={**admin, "Content-Type": "text/csv"},
        )
    assert_too_large(over, 20_000_000 + 64 * 1024)
