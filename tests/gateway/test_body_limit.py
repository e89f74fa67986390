"""Issue 11: the gateway's proxy took bodies up to 25 MB and read each whole before checking
its size. Now, over real HTTP (uvicorn), a body over the cap (1 MiB) is refused with 413
as soon as Content-Length says so or the streamed bytes pass it, chunked bodies with no
Content-Length included, and the service behind never sees it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI, Request

from services.common.api import DEFAULT_MAX_BODY_BYTES
from services.gateway.app import Settings, create_app
from tests.gateway.harness import run_servers

pytestmark = pytest.mark.kafka

CAP = DEFAULT_MAX_BODY_BYTES
CHUNK = 64 * 1024


@dataclass
class Upstream:
    """Stands in for targets and identity: records the size of each body it received."""

    received: list[int] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()
        app.get("/readyz")(lambda: {"ready": True})

        @app.post("/api/v1/{path:path}")
        async def take(request: Request) -> dict[str, int]:
            self.received.append(len(await request.body()))
            return {"bytes": self.received[-1]}

        return app


@dataclass
class Chunks:
    total: int
    sent: int = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"x" * CHUNK


@pytest.fixture
async def front(gateway_settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Upstream]]:
    upstream = Upstream()
    async with run_servers({"upstream": upstream.app()}, ready_timeout=30) as up:
        gateway_settings.targets_url = gateway_settings.identity_url = up["upstream"]
        async with (
            run_servers({"gateway": create_app(gateway_settings)}) as urls,
            httpx.AsyncClient(base_url=urls["gateway"], timeout=30) as client,
        ):
            yield client, upstream


def assert_too_large(answer: httpx.Response) -> None:
    assert answer.status_code == 413, answer.text
    assert answer.json() == {"detail": f"the request body is larger than {CAP} bytes"}


async def test_oversize_bodies_are_refused_without_reaching_the_service(
    front: tuple[httpx.AsyncClient, Upstream],
) -> None:
    client, upstream = front
    declared = await client.post("/api/targets/skp", content=b"x" * (CAP + 1))
    assert_too_large(declared)

    # Chunked, no Content-Length (httpx sends a body of unknown length so).
    assert_too_large(await client.post("/api/targets/skp", content=Chunks(50 * CAP)))
    assert upstream.received == []


async def test_a_chunked_body_is_refused_while_it_is_still_being_sent(
    front: tuple[httpx.AsyncClient, Upstream],
) -> None:
    """The client sends one chunk past the cap and then nothing more, the body left open:
    a gateway that read the whole body before checking would never answer."""
    client, upstream = front
    url = httpx.URL(str(client.base_url))
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        writer.write(
            b"POST /api/targets/skp HTTP/1.1\r\nHost: gateway\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(CAP // CHUNK + 1):
            writer.write(b"%x\r\n%s\r\n" % (CHUNK, b"x" * CHUNK))
            await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=60)
        assert head.startswith(b"HTTP/1.1 413 "), head
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        detail = json.loads(await reader.readexactly(length))
        assert detail == {"detail": f"the request body is larger than {CAP} bytes"}
    finally:
        writer.close()
    assert upstream.received == []


async def test_bodies_up_to_the_cap_and_larger_csv_imports_pass(
    front: tuple[httpx.AsyncClient, Upstream],
) -> None:
    client, upstream = front
    assert (await client.post("/api/targets/skp", content=Chunks(CAP))).status_code == 200
    csv = await client.post("/api/identity/import/units", content=Chunks(5 * CAP))
    assert csv.status_code == 200, csv.text
    assert upstream.received == [CAP, 5 * CAP]
