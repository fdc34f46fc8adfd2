"""The pooled upstream client against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from adapters.http_client import FastHttpClient, RequestTimeouts
from adapters.http_client.connection import ConnectionClosed
from adapters.http_client.errors import UpstreamConnectError, UpstreamTimeout

pytestmark = pytest.mark.anyio

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
FAST = RequestTimeouts(connect_s=2, first_byte_s=2, idle_s=2)


class Server:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                self.requests.append(head + await reader.readexactly(length))
                await self.behaviour(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Behaviour], Awaitable[tuple[Server, str]]]]:
    servers: list[asyncio.Server] = []

    async def start(behaviour: Behaviour) -> tuple[Server, str]:
        state = Server(behaviour)
        server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return state, f"http://127.0.0.1:{port}/v1/chat"

    yield start
    for server in servers:
        server.close()


def respond(body: bytes, extra: bytes = b"") -> Behaviour:
    async def behaviour(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n" % (len(body), extra) + body)
        await writer.drain()

    return behaviour


async def test_answers_are_read_whole_and_connections_reused(serve) -> None:  # type: ignore[no-untyped-def]
    server, url = await serve(respond(b'{"ok":true}', b"x-a: 1\r\n"))
    client = FastHttpClient()
    for _ in range(5):
        answer = await client.request("POST", url, {"content-type": "application/json"}, b"{}", FAST)
        assert (answer.status, answer.body, answer.headers["x-a"]) == (200, b'{"ok":true}', "1")
    assert server.connections == 1
    assert server.requests[0].startswith(b"POST /v1/chat HTTP/1.1\r\nhost: 127.0.0.1:")
    await client.aclose()


async def test_chunked_streams_arrive_piece_by_piece(serve) -> None:  # type: ignore[no-untyped-def]
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        for part in (b"data: 1\n\n", b"data: 2\n\n"):
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            await writer.drain()
            await asyncio.sleep(0.01)
        writer.write(b"0\r\n\r\n")

    _, url = await serve(chunked)
    client = FastHttpClient()
    stream = await client.open("POST", url, {}, b"{}", FAST)
    assert b"".join([p async for p in stream.pieces()]) == b"data: 1\n\ndata: 2\n\n"
    await client.aclose()


async def test_a_stale_pooled_connection_is_replaced_transparently(serve) -> None:  # type: ignore[no-untyped-def]
    async def once_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await respond(b"hi")(reader, writer)
        writer.close()

    server, url = await serve(once_then_close)
    client = FastHttpClient()
    assert (await client.request("POST", url, {}, b"", FAST)).body == b"hi"
    await asyncio.sleep(0.05)
    assert (await client.request("POST", url, {}, b"", FAST)).body == b"hi"
    assert server.connections == 2
    await client.aclose()


async def test_no_answer_is_a_first_byte_timeout(serve) -> None:  # type: ignore[no-untyped-def]
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    _, url = await serve(silent)
    client = FastHttpClient()
    with pytest.raises(UpstreamTimeout) as caught:
        await client.request("POST", url, {}, b"", RequestTimeouts(1, 0.2, 1))
    assert caught.value.phase == "first-byte"
    await client.aclose()


async def test_a_stalled_stream_is_an_idle_timeout(serve) -> None:  # type: ignore[no-untyped-def]
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await writer.drain()
        await asyncio.sleep(5)

    _, url = await serve(stall)
    client = FastHttpClient()
    stream = await client.open("POST", url, {}, b"", RequestTimeouts(1, 1, 0.2))
    pieces = stream.pieces()
    assert await anext(pieces) == b"hello"
    with pytest.raises(UpstreamTimeout) as caught:
        await anext(pieces)
    assert caught.value.phase == "idle"
    await client.aclose()


async def test_a_body_cut_midway_raises(serve) -> None:  # type: ignore[no-untyped-def]
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part")
        await writer.drain()
        writer.transport.abort()

    _, url = await serve(cut)
    client = FastHttpClient()
    stream = await client.open("POST", url, {}, b"", FAST)
    with pytest.raises(ConnectionClosed):
        await stream.read()
    await client.aclose()


async def test_a_refused_connection_is_a_connect_error() -> None:
    client = FastHttpClient()
    with pytest.raises(UpstreamConnectError):
        await client.request("POST", "http://127.0.0.1:9/x", {}, b"", FAST)
