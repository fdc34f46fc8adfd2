"""A scriptable HTTP/1.1 server on loopback for provider adapter tests (raw asyncio, so faults are real).

Each test gives a handler that sees the recorded request and returns a Reply: a body, or chunks
sent with chunked transfer encoding, optionally cut before the end or stalled between chunks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: list[bytes] | None = None
    cut: bool = False  # close the connection mid-body instead of finishing it
    stall_s: float = 0.0  # sleep before the last chunk (or before the headers when there are none)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(
            status, {"content-type": "application/json", **(headers or {})}, json.dumps(payload).encode()
        )


Handler = Callable[[Recorded], Reply]


class LoopbackServer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Recorded] = []
        self.connections = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> LoopbackServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 1)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                if not await _write_reply(writer, self.handler(request)):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> Recorded | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    parts = urlsplit(target)
    return Recorded(method, parts.path, parse_qs(parts.query), headers, body)


async def _write_reply(writer: asyncio.StreamWriter, reply: Reply) -> bool:
    """Send the reply; False when the connection was cut on purpose."""
    if reply.stall_s and not reply.chunks:
        await asyncio.sleep(reply.stall_s)
    head = [f"HTTP/1.1 {reply.status} X"]
    head += [f"{k}: {v}" for k, v in reply.headers.items()]
    if reply.chunks is None:
        head.append(f"content-length: {len(reply.body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + reply.body)
        await writer.drain()
        return True
    head.append("transfer-encoding: chunked")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    for index, chunk in enumerate(reply.chunks):
        if reply.stall_s and index == len(reply.chunks) - 1:
            await asyncio.sleep(reply.stall_s)
        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        await writer.drain()
    if reply.cut:
        return False
    writer.write(b"0\r\n\r\n")
    await writer.drain()
    return True


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer(handler) as server:
        yield server


def sse(*events: Any, event_names: list[str] | None = None) -> list[bytes]:
    """Each event as one SSE frame (`event:` line when named), one chunk per frame."""
    frames = []
    for index, event in enumerate(events):
        data = event if isinstance(event, str) else json.dumps(event)
        name = f"event: {event_names[index]}\n" if event_names else ""
        frames.append(f"{name}data: {data}\n\n".encode())
    return frames
