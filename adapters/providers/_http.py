"""Shared HTTP transport of the provider adapters: pooled clients, timeouts, SSE and failures.

Stable API (used by every HTTP adapter, including gemini, cohere and bedrock):

    pools = HttpPools()                  # one per registry: keep-alive connections pooled per
                                         # upstream origin, opened lazily, reused; `await pools.aclose()`
    call = HttpCall(provider="openai", url=..., headers=..., body=encode_json(payload),
                    timeouts=upstream_call.timeouts, read_error=my_error_reader,
                    secret=upstream_call.api_key)
    answer = await post(pools, call)     # HttpAnswer(status, headers, content); non-2xx raises
    async with open_stream(pools, call) as stream:   # non-2xx raises before the body is read
        async for event in stream.sse():             # SseEvent(name, data: bytes), no decoding
            ...
        async for piece in stream.body():            # raw body pieces (e.g. AWS event-stream)
            ...
    async for chunk in finish_guard("openai", gen):  # marks mid-stream failures, detects cuts

Timeouts (`core.domain.endpoint.Timeouts`): `connect_s` to connect, `first_byte_s` from
sending until the response headers, `idle_s` between two body reads, `total_s` for the whole
call (checked before each read, so overshot by at most one idle_s). The transport is
adapters.http_client: a stale pooled connection reset before the answer is retried once on a
fresh one. Every failure is an `UpstreamError` whose
`ProviderFailure` is classified: connect error or reset before any byte → CONNECTION, any
timeout → TIMEOUT, an HTTP error → whatever the provider's `ErrorReader` says (build it with
`http_failure`, which applies `classify_status` and parses `Retry-After`). The api key given
as `secret` is scrubbed from every failure message; headers and bodies are never logged.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec

from adapters.http_client import FastHttpClient, HttpStream, RequestTimeouts
from adapters.http_client.connection import ConnectionClosed
from adapters.http_client.errors import UpstreamConnectError, UpstreamTimeout
from core.domain.endpoint import Timeouts
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError, classify_status
from ports.provider import StreamChunk

log = logging.getLogger("switchboard.providers")

ErrorReader = Callable[[int, Mapping[str, str], bytes], ProviderFailure]
"""(status, response headers, body bytes) → the classified failure of one HTTP error answer."""

MAX_ERROR_BODY = 64 * 1024
_MESSAGE_LIMIT = 500

_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


def decode_json(data: bytes) -> Any:
    """Parse JSON bytes once (msgspec); raises ValueError on malformed input."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise ValueError("malformed JSON") from exc


def encode_json(value: Any) -> bytes:
    return _encoder.encode(value)


@dataclass(frozen=True, slots=True)
class HttpCall:
    """One POST to an upstream; `headers`, `body` and `secret` stay out of reprs."""

    provider: str
    url: str
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    timeouts: Timeouts
    read_error: ErrorReader = field(repr=False)
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    headers: Mapping[str, str]  # names lower-case
    content: bytes


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One server-sent event: its `event:` name ("" when absent) and its `data:` bytes."""

    name: str
    data: bytes


class HttpPools:
    """Pooled keep-alive connections, one pool per upstream origin, opened on first use and reused.

    The transport is adapters.http_client (HTTP/1.1 on asyncio protocols and httptools), many
    times faster than httpx on this hot path.
    """

    def __init__(self, *, max_idle_per_origin: int = 256) -> None:
        self._client = FastHttpClient(max_idle_per_origin=max_idle_per_origin)
        self._origins: set[str] = set()
        self._urls: set[str] = set()

    def client(self, url: str) -> FastHttpClient:
        if url not in self._urls:  # parse each upstream URL once, not per request
            self._urls.add(url)
            self._origins.add(_origin(url))
        return self._client

    def origins(self) -> frozenset[str]:
        """The upstream origins with a pool."""
        return frozenset(self._origins)

    async def aclose(self) -> None:
        self._origins.clear()
        self._urls.clear()
        await self._client.aclose()


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


# --- failures --------------------------------------------------------------------------------


def failure(
    provider: str,
    error_class: ErrorClass,
    message: str,
    status: int | None = None,
    *,
    before_first_byte: bool = True,
) -> UpstreamError:
    return UpstreamError(
        ProviderFailure(error_class, status, f"{provider}: {message}", before_first_byte=before_first_byte)
    )


def http_failure(
    provider: str,
    status: int,
    headers: Mapping[str, str],
    message: str,
    code: str = "",
    error_class: ErrorClass | None = None,
) -> ProviderFailure:
    """A provider's HTTP error: classified by status and reason unless `error_class` is given."""
    if error_class is None:
        error_class = classify_status(status, f"{code} {message}")
    text = message or code or f"HTTP {status}"
    return ProviderFailure(
        error_class, status, f"{provider}: {text}"[:_MESSAGE_LIMIT], retry_after_s(headers)
    )


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """Seconds asked by `retry-after-ms`, or `Retry-After` (delta-seconds or HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def scrubbed(error: ProviderFailure, secret: str | None) -> ProviderFailure:
    """The failure with the api key (and a quoted prefix of it) removed from its message."""
    if not secret or len(secret) < 4:
        return error
    message = error.message.replace(secret, "***")
    if len(secret) >= 12:
        message = message.replace(secret[:8], "***")
    return error if message == error.message else replace(error, message=message)


def _transport_failure(provider: str, exc: Exception) -> UpstreamError:
    if isinstance(exc, UpstreamTimeout):
        return failure(provider, ErrorClass.TIMEOUT, f"no answer within the {exc.phase} timeout")
    return failure(provider, ErrorClass.CONNECTION, "connection failed or reset before the answer")


# --- requests --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Deadline:
    total_at: float

    @classmethod
    def start(cls, timeouts: Timeouts) -> _Deadline:
        return cls(time.monotonic() + timeouts.total_s)

    def expired(self) -> bool:
        return time.monotonic() >= self.total_at

    def within(self, seconds: float) -> float:
        return max(0.0, min(seconds, self.total_at - time.monotonic()))


async def _send(pools: HttpPools, call: HttpCall, deadline: _Deadline) -> HttpStream:
    timeouts = call.timeouts
    limits = RequestTimeouts(
        connect_s=deadline.within(timeouts.connect_s),
        first_byte_s=deadline.within(timeouts.first_byte_s),
        idle_s=timeouts.idle_s,
    )
    try:
        return await pools.client(call.url).open("POST", call.url, call.headers, call.body, limits)
    except (UpstreamTimeout, UpstreamConnectError, ConnectionClosed) as exc:
        raise _transport_failure(call.provider, exc) from None


class BodyReader:
    """The body's pieces as they arrive: each waits at most idle_s; past total_s the next read fails."""

    __slots__ = ("_deadline", "_iterator", "_provider", "_stream")

    def __init__(self, provider: str, stream: HttpStream, deadline: _Deadline) -> None:
        self._provider = provider
        self._stream = stream
        self._iterator = aiter(stream.pieces())
        self._deadline = deadline

    def buffered(self) -> bool:
        """Whether the next read returns at once (data or the end already received)."""
        return self._stream.buffered()

    def __aiter__(self) -> BodyReader:
        return self

    async def __anext__(self) -> bytes:
        if self._deadline.expired():
            raise failure(self._provider, ErrorClass.TIMEOUT, "no complete answer within the total timeout")
        try:
            return await anext(self._iterator)
        except UpstreamTimeout:
            raise failure(
                self._provider, ErrorClass.TIMEOUT, "the answer went silent past the idle timeout"
            ) from None
        except ConnectionClosed:
            raise failure(self._provider, ErrorClass.CONNECTION, "the answer broke off") from None


class SseReader:
    """The server-sent events of a body; a final event without its blank line still counts."""

    __slots__ = ("_body", "_ended", "_parser", "_ready")

    def __init__(self, body: BodyReader) -> None:
        self._body = body
        self._parser = SseParser()
        self._ready: deque[SseEvent] = deque()
        self._ended = False

    def __aiter__(self) -> SseReader:
        return self

    def buffered(self) -> bool:
        """Whether another event may be had without waiting on the network."""
        return bool(self._ready) or self._body.buffered()

    async def __anext__(self) -> SseEvent:
        while not self._ready:
            if self._ended:
                raise StopAsyncIteration
            try:
                piece = await anext(self._body)
            except StopAsyncIteration:
                self._ended = True
                self._ready.extend(self._parser.end())
                continue
            self._ready.extend(self._parser.feed(piece))
        return self._ready.popleft()


async def _read_all(provider: str, stream: HttpStream, deadline: _Deadline, limit: int | None) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for piece in BodyReader(provider, stream, deadline):
        parts.append(piece)
        size += len(piece)
        if limit is not None and size >= limit:
            break
    return b"".join(parts)


async def _raise_for_status(call: HttpCall, stream: HttpStream, deadline: _Deadline) -> None:
    if stream.status < 400:
        return
    try:
        content = await _read_all(call.provider, stream, deadline, MAX_ERROR_BODY)
    except UpstreamError:
        content = b""
    error = call.read_error(stream.status, stream.headers, content)
    raise UpstreamError(scrubbed(error, call.secret))


async def post(pools: HttpPools, call: HttpCall) -> HttpAnswer:
    """POST and read the whole answer; a non-2xx answer raises its classified UpstreamError."""
    deadline = _Deadline.start(call.timeouts)
    stream = await _send(pools, call, deadline)
    try:
        await _raise_for_status(call, stream, deadline)
        content = await _read_all(call.provider, stream, deadline, None)
    finally:
        stream.close()  # back to the pool when the answer was read whole, else closed
    return HttpAnswer(stream.status, stream.headers, content)


class UpstreamStream:
    """An open streaming answer whose status was 2xx."""

    def __init__(self, call: HttpCall, stream: HttpStream, deadline: _Deadline) -> None:
        self._call = call
        self._stream = stream
        self._deadline = deadline

    @property
    def headers(self) -> Mapping[str, str]:
        """The answer's headers, names lower-case."""
        return self._stream.headers

    def body(self) -> BodyReader:
        """The raw body pieces (e.g. for AWS event-stream framing)."""
        return BodyReader(self._call.provider, self._stream, self._deadline)

    def sse(self) -> SseReader:
        """The answer's server-sent events, data kept as bytes."""
        return SseReader(self.body())


@asynccontextmanager
async def open_stream(pools: HttpPools, call: HttpCall) -> AsyncIterator[UpstreamStream]:
    """Open a streaming POST; a non-2xx answer raises its classified UpstreamError."""
    deadline = _Deadline.start(call.timeouts)
    stream = await _send(pools, call, deadline)
    try:
        await _raise_for_status(call, stream, deadline)
        yield UpstreamStream(call, stream, deadline)
    finally:
        stream.close()


# --- server-sent events ----------------------------------------------------------------------


class SseParser:
    """Splits a text/event-stream body into events, on bytes (no decoding, data kept as sent)."""

    __slots__ = ("_buffer", "_data", "_name")

    def __init__(self) -> None:
        self._buffer = b""
        self._name = ""
        self._data: list[bytes] = []

    def feed(self, piece: bytes) -> list[SseEvent]:
        buffer = self._buffer + piece if self._buffer else piece
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        events: list[SseEvent] = []
        for line in lines:
            event = self._line(line[:-1] if line.endswith(b"\r") else line)
            if event is not None:
                events.append(event)
        return events

    def end(self) -> list[SseEvent]:
        """The last event when the body ends without its blank line."""
        events = self.feed(b"\n") if self._buffer else []
        tail = self._line(b"")
        return [*events, tail] if tail is not None else events

    def _line(self, line: bytes) -> SseEvent | None:
        if not line:
            if not self._data:
                self._name = ""
                return None
            data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
            event = SseEvent(self._name, data)
            self._name, self._data = "", []
            return event
        if line.startswith(b"data:"):
            value = line[5:]
            self._data.append(value[1:] if value.startswith(b" ") else value)
        elif line.startswith(b"event:"):
            self._name = line[6:].strip().decode("utf-8", "replace")
        return None  # comments (":"), id: and retry: are of no use here


# --- streams of chunks -----------------------------------------------------------------------


async def finish_guard(
    provider: str, chunks: AsyncIterator[StreamChunk], secret: str | None = None
) -> AsyncIterator[StreamChunk]:
    """Relay an adapter's chunks, making its stream honour the ProviderClient contract.

    A failure after the first chunk is marked mid-stream (`before_first_byte=False`); a stream
    that ends without any finish_reason was cut, and raises CONNECTION; one that ends after a
    finish_reason (with or without `[DONE]`) ends normally. Every failure's message is
    scrubbed of `secret` (an upstream's error event may quote the key it was sent).
    """
    delivered = False
    finished = False
    try:
        async for chunk in chunks:
            delivered = True
            if chunk.finish_reason is not None:
                finished = True
            yield chunk
    except UpstreamError as exc:
        failed = scrubbed(exc.failure, secret)
        if delivered and failed.before_first_byte:
            failed = replace(failed, before_first_byte=False)
        if failed is exc.failure:
            raise
        raise UpstreamError(failed) from None
    finally:
        # Close the adapter's generator now (its open response with it), not at garbage collection.
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
    if not finished:
        raise failure(
            provider,
            ErrorClass.CONNECTION,
            "stream cut before a finish_reason",
            before_first_byte=not delivered,
        )


def skip_malformed(provider: str, event: SseEvent | bytes) -> None:
    """Log (at debug, without its content) a stream event that could not be parsed and is skipped."""
    size = len(event.data if isinstance(event, SseEvent) else event)
    log.debug("%s: skipped a malformed stream event (%d bytes)", provider, size)
