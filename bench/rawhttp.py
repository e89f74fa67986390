"""A minimal keep-alive HTTP/1.1 client for open-loop load: JSON POSTs over a bounded pool
of plain asyncio connections.

Why not httpx: its connection pool matches every queued request against every connection
on each request (httpcore ``_assign_requests_to_connections``), so a few thousand requests
in flight make the load generator itself spin at 100 % CPU and stop sending (seen in the
first run of ``bench.alert_latency`` at 200/s). Here a request waits for a free
connection in a FIFO queue, O(1), and that wait is part of its measured latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class ProtocolError(Exception):
    """An answer this client does not understand (it only needs what the gateway sends)."""


# What a request can fail with besides TimeoutError: a refused or dropped connection, or
# an answer cut short or not HTTP.
FAILED = (ProtocolError, OSError, asyncio.IncompleteReadError)


@dataclass
class Answer:
    status: int
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class Pool:
    """At most ``size`` connections to ``host:port``; each carries one request at a time."""

    def __init__(self, host: str, port: int, size: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        # Most recently used first: the rest may go idle long enough for the server to
        # close them (uvicorn: 5 s), and fewer are then reused after a close.
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(size)
        self._all: set[_Connection] = set()

    @classmethod
    def for_url(cls, base_url: str, size: int, timeout: float = 30.0) -> Pool:
        parts = urlsplit(base_url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80, size, timeout)

    async def post_json(self, path: str, body: Any, headers: dict[str, str]) -> Answer:
        return await self.request("POST", path, headers=headers, body=body)

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> Answer:
        """One request (``body`` sent as JSON when given); its answer, or ``FAILED``'s
        errors and ``TimeoutError`` (the wait for a connection counts in the timeout)."""
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if body is not None:
            head.append("Content-Type: application/json")
        if body is not None or method != "GET":
            head.append(f"Content-Length: {len(payload)}")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        async with self._slots, asyncio.timeout(self.timeout):
            while True:
                reused, connection = await self._connection()
                try:
                    answer, keep = await self._exchange(connection, request)
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    self._drop(connection)
                    # A kept-alive connection the server closed meanwhile: nothing of the
                    # answer came, so the request was not handled; sent again, fresh.
                    if reused and (isinstance(exc, ConnectionError) or _nothing_read(exc)):
                        continue
                    raise
                except BaseException:
                    self._drop(connection)
                    raise
                if keep:
                    self._idle.append(connection)
                else:
                    self._drop(connection)
                return answer

    async def _connection(self) -> tuple[bool, _Connection]:
        if self._idle:
            return True, self._idle.pop()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        connection = _Connection(reader, writer)
        self._all.add(connection)
        return False, connection

    def _drop(self, connection: _Connection) -> None:
        connection.close()
        self._all.discard(connection)

    @staticmethod
    async def _exchange(connection: _Connection, request: bytes) -> tuple[Answer, bool]:
        connection.writer.write(request)
        await connection.writer.drain()
        head = await connection.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0]!r}")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                fields[name.strip().lower()] = value.strip()
        if "chunked" in fields.get("transfer-encoding", ""):
            body = await _chunked(connection.reader)
        else:
            body = await connection.reader.readexactly(int(fields.get("content-length", "0")))
        keep = fields.get("connection", "").lower() != "close"
        return Answer(int(parts[1]), body), keep

    async def close(self) -> None:
        for connection in list(self._all):
            self._drop(connection)


def _nothing_read(exc: BaseException) -> bool:
    return isinstance(exc, asyncio.IncompleteReadError) and not exc.partial


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers expected: the final CRLF
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
