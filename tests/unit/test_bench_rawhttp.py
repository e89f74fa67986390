"""The benchmarks' load client (bench/rawhttp.py): keep-alive reuse, a request on
a connection the server closed meanwhile sent again on a fresh one, chunked bodies."""

from __future__ import annotations

import asyncio
import json

import pytest

from bench.rawhttp import Pool

pytestmark = pytest.mark.unit


async def serve(close_after: int, chunked: bool = False) -> tuple[asyncio.Server, list[dict]]:
    """A server answering each JSON POST with its body; it hangs up (without saying so)
    after ``close_after`` answers on a connection."""
    seen: list[dict] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(close_after):
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
            seen.append(json.loads(body))
            if chunked:
                writer.write(b"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n")
                writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
            else:
                writer.write(b"HTTP/1.1 201 Created\r\ncontent-length: %d\r\n\r\n" % len(body))
                writer.write(body)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0), seen


async def test_a_connection_closed_by_the_server_is_replaced_and_the_request_sent_once() -> None:
    server, seen = await serve(close_after=1)
    pool = Pool("127.0.0.1", server.sockets[0].getsockname()[1], size=1)
    try:
        for n in range(3):
            answer = await pool.post_json("/x", {"n": n}, {"Authorization": "Bearer t"})
            assert answer.status == 201 and json.loads(answer.body) == {"n": n}
            await asyncio.sleep(0.05)  # the server's close arrives before the next request
    finally:
        await pool.close()
        server.close()
    assert seen == [{"n": 0}, {"n": 1}, {"n": 2}]


async def test_chunked_answers_are_read_whole_on_a_kept_alive_connection() -> None:
    server, seen = await serve(close_after=5, chunked=True)
    pool = Pool("127.0.0.1", server.sockets[0].getsockname()[1], size=1)
    try:
        answers = [await pool.post_json("/x", {"n": n}, {}) for n in range(3)]
    finally:
        await pool.close()
        server.close()
    assert [json.loads(a.body) for a in answers] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert len(seen) == 3


async def test_a_get_carries_no_body_and_the_pool_is_found_by_url() -> None:
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    pool = Pool.for_url(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", size=1)
    try:
        answer = await pool.request("GET", "/healthz", headers={"Cookie": "s=1"})
    finally:
        await pool.close()
        server.close()
    assert (answer.status, answer.body) == (200, b"ok")
    [head] = heads
    assert head.startswith(b"GET /healthz HTTP/1.1\r\n") and b"Cookie: s=1\r\n" in head
    assert b"content-length" not in head.lower()
