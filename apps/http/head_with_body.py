"""uvicorn's HTTP/1.1 protocol with a response's head and first body bytes sent in one write.

uvicorn writes a response's status line and headers as soon as the app sends
`http.response.start`, then the body in a second write: two system calls and two TCP segments
(so two wake-ups of the client) for every small JSON answer. Here the head waits for the body
that follows it in the same loop step and both leave together, which changes nothing a
client can see but the number of packets (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeadWithBody:
    """A transport that holds a response's head until its first body write, then sends both.

    A head with no body write in the same loop step goes out on its own at the end of it, so
    a stream's headers are never held back waiting for its first event.
    """

    __slots__ = ("_head", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head + data)
        elif _is_response_head(data):
            self._head = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def writelines(self, lines: list[bytes]) -> None:
        self.write(b"".join(lines))

    def flush(self) -> None:
        head = self._head
        if head is not None:
            self._head = None
            if not self._transport.is_closing():
                self._transport.write(head)

    def close(self) -> None:
        self.flush()  # what the app sent before closing still goes out, as with the plain transport
        self._transport.close()

    def abort(self) -> None:
        self._head = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:  # everything else is the real transport's
        return getattr(self._transport, name)


def _is_response_head(data: bytes | bytearray | memoryview) -> bool:
    # "HTTP/1.1 100 Continue" must go at once: the client waits for it before sending a body.
    return bytes(data[:9]) == b"HTTP/1.1 " and bytes(data[9:12]) != b"100" and bytes(data[-4:]) == b"\r\n\r\n"


class HeadWithBodyProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, over a transport that sends a head with its body."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        wrapped = HeadWithBody(transport, asyncio.get_running_loop())
        super().connection_made(wrapped)  # type: ignore[arg-type]  # a transport in all but name
