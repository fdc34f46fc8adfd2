"""A fake upstream on loopback: a real HTTP/1.1 server (stdlib asyncio) that plays scripted replies.

Reusable by every provider test. It records each request (path, query, headers, body) and
answers with the next scripted `Reply`: a JSON body, a streamed body in parts (chunked, with
pauses), a cut mid-body, a reset before any byte, or silence. Use the `upstream` fixture of
tests/providers/conftest.py:

    upstream.then(Reply.json(200, {...}), Reply.sse([b'data: {...}\\n\\n', Pause(0.1), Cut()]))
    ... call the adapter with api_base=upstream.url ...
    request = upstream.requests[0]; request.headers["authorization"]; request.json()["model"]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    529: "Overloaded",
}


@dataclass(frozen=True)
class Pause:
    """Wait this long before sending the next part (a slow or stalled upstream)."""

    seconds: float


@dataclass(frozen=True)
class Cut:
    """Drop the connection here, without finishing the body."""


Part = bytes | Pause | Cut


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    parts: Sequence[Part] = ()
    streamed: bool = False
    reset: bool = False
    silent: bool = False
    delay_s: float = 0.0

    def after(self, seconds: float) -> Reply:
        """This reply, sent only after `seconds` of silence (a slow first byte)."""
        return replace(self, delay_s=seconds)

    @classmethod
    def json(cls, status: int, body: Any, headers: Mapping[str, str] | None = None) -> Reply:
        data = json.dumps(body).encode()
        return cls(status, {"content-type": "application/json", **(headers or {})}, (data,))

    @classmethod
    def body(cls, status: int, data: bytes, headers: Mapping[str, str] | None = None) -> Reply:
        return cls(status, dict(headers or {}), (data,))

    @classmethod
    def sse(cls, parts: Sequence[Part], headers: Mapping[str, str] | None = None) -> Reply:
        """A chunked text/event-stream body sent part by part (each part flushed on its own)."""
        base = {"content-type": "text/event-stream", "cache-control": "no-cache"}
        return cls(200, {**base, **(headers or {})}, tuple(parts), streamed=True)

    @classmethod
    def stream(cls, parts: Sequence[Part], content_type: str) -> Reply:
        return cls(200, {"content-type": content_type}, tuple(parts), streamed=True)

    @classmethod
    def reset_connection(cls) -> Reply:
        """Close the connection as soon as the request arrived, sending nothing."""
        return cls(reset=True)

    @classmethod
    def no_answer(cls) -> Reply:
        """Never answer (until the server stops)."""
        return cls(silent=True)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def sse_data(payload: Any, event: str | None = None) -> bytes:
    """One SSE event carrying `payload` as JSON (or as given when it is bytes)."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    head = f"event: {event}\n".encode() if event else b""
    return head + b"data: " + data + b"\n\n"


class FakeUpstream:
    """Serves scripted replies in order on 127.0.0.1:<ephemeral port>; records every request."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.connections = 0
        self._replies: deque[Reply] = deque()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    def then(self, *replies: Reply) -> FakeUpstream:
        self._replies.extend(replies)
        return self

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection is to be closed."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        url = urlsplit(target)
        received = Received(method, url.path, dict(parse_qsl(url.query)), headers, body)
        self.requests.append(received)
        return await self._answer(self.next_reply(received), writer)

    def next_reply(self, received: Received) -> Reply:
        """The reply to `received`: the next scripted one (subclasses may pick by request)."""
        return self._replies.popleft() if self._replies else Reply.json(599, {"error": "no scripted reply"})

    async def _answer(self, reply: Reply, writer: asyncio.StreamWriter) -> bool:
        if reply.reset:
            writer.transport.abort()
            return False
        if reply.silent:
            await asyncio.Event().wait()
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        head = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        if reply.streamed:
            head.append("transfer-encoding: chunked")
        else:
            length = sum(len(p) for p in reply.parts if isinstance(p, bytes))
            head.append(f"content-length: {length}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        for part in reply.parts:
            if isinstance(part, Pause):
                await writer.drain()
                await asyncio.sleep(part.seconds)
            elif isinstance(part, Cut):
                await writer.drain()
                writer.transport.abort()
                return False
            elif reply.streamed:
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                await writer.drain()
            else:
                writer.write(part)
        if reply.streamed:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True
