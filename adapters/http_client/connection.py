"""One keep-alive HTTP/1.1 connection: writes a request, parses the answer with httptools.

Body pieces are handed to the reader as they arrive, so the same connection serves whole
answers and streams. Flow control: reading pauses while too much unread body is queued.
"""

from __future__ import annotations

import asyncio
from collections import deque

import httptools

from adapters.http_client.errors import expire

_HIGH_WATER = 1 << 20


class ConnectionClosed(Exception):
    """The peer closed or reset the connection; `before_response` if no byte of the answer came."""

    def __init__(self, before_response: bool) -> None:
        super().__init__("connection closed by the upstream")
        self.before_response = before_response


class Http1Connection(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        # One parser per connection: httptools parses message after message on it.
        self._parser = httptools.HttpResponseParser(self)
        self._reset_exchange()

    # -- the exchange ---------------------------------------------------------------------

    def _reset_exchange(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self._headers_done: asyncio.Future[None] = self._loop.create_future()
        self._pieces: deque[bytes] = deque()
        self._queued = 0
        self._wakeup: asyncio.Future[None] | None = None
        self.complete = False
        self._keep_alive = False
        self._got_any = False
        self._paused = False

    def send(self, request: bytes) -> asyncio.Future[None]:
        """Write a whole request; the returned future resolves when the headers are in."""
        assert self.transport is not None
        self.transport.write(request)
        return self._headers_done

    async def next_piece(self, idle_s: float) -> bytes | None:
        """The next body piece, or None at the end; UpstreamTimeout after `idle_s` of silence."""
        while not self._pieces:
            if self.complete:
                return None
            if self.closed:
                raise ConnectionClosed(before_response=not self._got_any)
            self._wakeup = wakeup = self._loop.create_future()
            timer = self._loop.call_later(idle_s, expire, wakeup, "idle")
            try:
                await wakeup
            finally:
                timer.cancel()
        piece = self._pieces.popleft()
        self._queued -= len(piece)
        if self._paused and self._queued < _HIGH_WATER // 2 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return piece

    def buffered(self) -> bool:
        return bool(self._pieces) or self.complete

    def reusable(self) -> bool:
        return self.complete and not self.closed and self._keep_alive

    def recycle(self) -> None:
        self.reused = True
        self._reset_exchange()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    # -- asyncio.Protocol -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._got_any = True
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserUpgrade, httptools.HttpParserError):
            self._fail()

    def eof_received(self) -> bool | None:
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        # LLM APIs delimit bodies by length or chunking: an end before completion is a cut.
        self._fail()

    # -- httptools callbacks --------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        if not self._headers_done.done():
            self._headers_done.set_result(None)

    def on_body(self, body: bytes) -> None:
        self._pieces.append(body)
        self._queued += len(body)
        if self._queued > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        # httptools forgets keep-alive once feed_data returns, so read it here.
        self._keep_alive = self._parser.should_keep_alive()
        self.complete = True
        self._wake()

    # -- helpers --------------------------------------------------------------------------

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def _fail(self) -> None:
        self.closed = True
        if not self._headers_done.done():
            self._headers_done.set_exception(ConnectionClosed(before_response=not self._got_any))
            self._headers_done.exception()  # mark retrieved: the caller may have gone
        self._wake()
        if self.transport is not None:
            self.transport.close()
