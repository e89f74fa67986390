"""The gateway's upstream client (services/gateway/context.py): at most N requests reach
httpcore's pool at once, the others wait their turn (or time out as httpx's pool would),
and each slot comes back when its response is closed, whether read or failed."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.gateway.context import upstream_client

pytestmark = pytest.mark.unit


class Upstream:
    """A plain HTTP server that answers after ``release`` is set, counting how many
    requests it holds at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.release = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.inside += 1
                self.most = max(self.most, self.inside)
                await self.release.wait()
                self.inside -= 1
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()


async def test_no_more_requests_in_flight_than_connections_and_every_one_answered() -> None:
    upstream = Upstream()
    async with upstream as url, upstream_client(timeout=10.0, connections=2) as client:
        calls = [asyncio.create_task(client.get(url)) for _ in range(7)]
        await asyncio.sleep(0.2)
        assert upstream.inside == 2  # the other five wait in the gateway, not in httpcore
        upstream.release.set()
        answers = await asyncio.gather(*calls)
    assert [a.status_code for a in answers] == [200] * 7
    assert upstream.most == 2


async def test_waiting_longer_than_the_pool_timeout_is_a_pool_timeout() -> None:
    upstream = Upstream()
    timeout = httpx.Timeout(10.0, pool=0.2)
    async with upstream as url, upstream_client(timeout=10.0, connections=1) as client:
        first = asyncio.create_task(client.get(url, timeout=timeout))
        await asyncio.sleep(0.1)
        with pytest.raises(httpx.PoolTimeout):
            await client.get(url, timeout=timeout)
        upstream.release.set()
        assert (await first).status_code == 200
        # The slot of the answered request (and none of the timed-out one) is free again.
        assert (await client.get(url, timeout=timeout)).status_code == 200


async def test_a_failed_request_gives_its_slot_back() -> None:
    async with upstream_client(timeout=1.0, connections=1) as client:
        for _ in range(3):  # nobody listens on port 9: refused, and the slot is released
            with pytest.raises(httpx.ConnectError):
                await client.get("http://127.0.0.1:9/")
