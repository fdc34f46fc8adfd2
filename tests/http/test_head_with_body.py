"""The served HTTP protocol sends a response's head and body in one write, and nothing else changes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import pytest
import uvicorn

from apps.cli.serve import HTTP_PROTOCOL
from apps.http.head_with_body import HeadWithBody, HeadWithBodyProtocol

pytestmark = pytest.mark.anyio

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else default


def wrap(transport: RecordingTransport) -> HeadWithBody:
    return HeadWithBody(transport, asyncio.get_running_loop())  # type: ignore[arg-type]


async def test_a_head_and_the_body_after_it_leave_in_one_write() -> None:
    transport = RecordingTransport()
    wrapped = wrap(transport)
    wrapped.write(HEAD)
    assert transport.writes == []
    wrapped.write(b"ok")
    assert transport.writes == [HEAD + b"ok"]
    await asyncio.sleep(0)
    assert transport.writes == [HEAD + b"ok"]  # the scheduled flush finds nothing left


async def test_a_head_without_a_body_in_the_same_step_still_goes_out() -> None:
    # A stream's headers must reach the caller before its first event, however late that is.
    transport = RecordingTransport()
    wrapped = wrap(transport)
    wrapped.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n")
    await asyncio.sleep(0)
    assert len(transport.writes) == 1
    wrapped.write(b"data: 1\n\n")
    assert transport.writes[1] == b"data: 1\n\n"


async def test_100_continue_and_other_bytes_are_written_at_once() -> None:
    transport = RecordingTransport()
    wrapped = wrap(transport)
    wrapped.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    wrapped.write(b"some body bytes")
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n", b"some body bytes"]


async def test_closing_sends_a_held_head_first() -> None:
    transport = RecordingTransport()
    wrapped = wrap(transport)
    wrapped.write(b"HTTP/1.1 204 No Content\r\n\r\n")
    wrapped.close()
    assert transport.writes == [b"HTTP/1.1 204 No Content\r\n\r\n"]
    assert transport.closed
    assert wrapped.get_extra_info("peername") == ("127.0.0.1", 1)


Scope = MutableMapping[str, Any]


async def echo_app(
    scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/stream":
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        for part in (b"one ", b"two"):
            await asyncio.sleep(0.01)
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    answer = b"echo:" + body
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


# What the served connections wrote to their sockets, write by write.
SOCKET_WRITES: list[bytes] = []


class SocketWrites:
    """The real transport, with its writes recorded."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        SOCKET_WRITES.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class RecordedProtocol(HeadWithBodyProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(SocketWrites(transport))  # type: ignore[arg-type]


def test_serve_uses_this_protocol() -> None:
    module, _, name = HTTP_PROTOCOL.partition(":")
    assert (module, name) == (HeadWithBodyProtocol.__module__, HeadWithBodyProtocol.__name__)


@pytest.fixture
async def server_port() -> AsyncIterator[int]:
    SOCKET_WRITES.clear()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        echo_app, http=RecordedProtocol, ws="none", lifespan="off", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield port
    server.should_exit = True
    await task


async def exchange(port: int, request: bytes, until: bytes) -> list[bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    received: list[bytes] = []
    while not b"".join(received).endswith(until):
        chunk = await asyncio.wait_for(reader.read(65536), 5)
        assert chunk, b"".join(received)
        received.append(chunk)
    writer.close()
    return received


async def test_a_served_answer_is_written_in_one_write(server_port: int) -> None:
    request = b"POST /x HTTP/1.1\r\nhost: t\r\ncontent-length: 5\r\n\r\nhello"
    received = await exchange(server_port, request, b"echo:hello")
    assert len(SOCKET_WRITES) == 1  # one system call, one segment: the client wakes once
    assert SOCKET_WRITES[0] == b"".join(received)
    head, _, body = SOCKET_WRITES[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201 ")
    assert b"content-length: 10" in head
    assert body == b"echo:hello"


async def test_a_served_stream_and_100_continue_behave_as_before(server_port: int) -> None:
    request = b"POST /stream HTTP/1.1\r\nhost: t\r\nexpect: 100-continue\r\ncontent-length: 2\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", server_port)
    writer.write(request)
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"hi")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 200 ") and b"transfer-encoding: chunked" in head
    rest = await asyncio.wait_for(reader.readuntil(b"0\r\n\r\n"), 5)
    assert rest == b"4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n"
    writer.close()
