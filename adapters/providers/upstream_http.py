"""A small pooled HTTP layer for the gemini, cohere and bedrock adapters: timeouts, errors, SSE.

One httpx.AsyncClient per adapter instance pools connections per upstream host; nothing is
created per request. Transport failures become classified UpstreamErrors.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from core.domain.endpoint import Timeouts
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError

Classifier = Callable[[int, Mapping[str, str], Any], ProviderFailure]


class UpstreamHttp:
    """POSTs JSON to one provider's API and streams answers, with the endpoint's timeouts."""

    def __init__(self, provider: str, classify: Classifier, client: httpx.AsyncClient | None = None) -> None:
        self._provider = provider
        self._classify = classify
        self._client = client
        self._owns_client = client is None

    def _pool(self) -> httpx.AsyncClient:
        if self._client is None:
            limits = httpx.Limits(max_connections=512, max_keepalive_connections=128, keepalive_expiry=60)
            self._client = httpx.AsyncClient(
                limits=limits, timeout=httpx.Timeout(60.0), follow_redirects=False
            )
        return self._client

    async def post_json(
        self, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts
    ) -> tuple[Any, httpx.Headers]:
        """The parsed JSON answer and its headers; a non-2xx answer raises its classified failure."""
        try:
            async with asyncio.timeout(timeouts.total_s):
                response = await self._pool().post(
                    url,
                    content=body,
                    headers=dict(headers),
                    timeout=_timeout(timeouts, timeouts.first_byte_s),
                )
        except TimeoutError:
            raise self._failure(ErrorClass.TIMEOUT, "no complete answer within the total timeout") from None
        except httpx.HTTPError as exc:
            raise self._transport(exc) from None
        if response.status_code >= 400:
            raise UpstreamError(
                self._classify(response.status_code, response.headers, _json_or_none(response.content))
            )
        try:
            return json.loads(response.content), response.headers
        except ValueError:
            raise self._failure(ErrorClass.SERVER_ERROR, "answer is not JSON", response.status_code) from None

    @asynccontextmanager
    async def stream(
        self, url: str, headers: Mapping[str, str], body: bytes, timeouts: Timeouts
    ) -> AsyncIterator[ByteStream]:
        """An open streaming answer (status checked: a non-2xx raises its classified failure)."""
        request = self._pool().build_request(
            "POST", url, content=body, headers=dict(headers), timeout=_timeout(timeouts, None)
        )
        try:
            async with asyncio.timeout(timeouts.first_byte_s):
                response = await self._pool().send(request, stream=True)
        except TimeoutError:
            raise self._failure(ErrorClass.TIMEOUT, "no answer within the first-byte timeout") from None
        except httpx.HTTPError as exc:
            raise self._transport(exc) from None
        try:
            if response.status_code >= 400:
                content = await _read_error_body(response, timeouts)
                raise UpstreamError(
                    self._classify(response.status_code, response.headers, _json_or_none(content))
                )
            yield ByteStream(self._provider, response, timeouts)
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
        self._client = None

    def _transport(self, exc: httpx.HTTPError) -> UpstreamError:
        if isinstance(exc, httpx.TimeoutException):
            return self._failure(ErrorClass.TIMEOUT, f"timed out ({type(exc).__name__})")
        return self._failure(ErrorClass.CONNECTION, f"connection failed ({type(exc).__name__})")

    def _failure(self, error_class: ErrorClass, message: str, status: int | None = None) -> UpstreamError:
        return UpstreamError(ProviderFailure(error_class, status, f"{self._provider}: {message}"))


class ByteStream:
    """The body of a streaming answer; each read waits at most first_byte_s, then idle_s."""

    def __init__(self, provider: str, response: httpx.Response, timeouts: Timeouts) -> None:
        self._provider = provider
        self._response = response
        self._timeouts = timeouts
        self._got_bytes = False
        # Set by the adapter once it has yielded a chunk: failures after that are mid-stream.
        self.delivered = False

    @property
    def headers(self) -> httpx.Headers:
        return self._response.headers

    async def chunks(self) -> AsyncIterator[bytes]:
        iterator = aiter(self._response.aiter_bytes())
        while True:
            wait = self._timeouts.idle_s if self._got_bytes else self._timeouts.first_byte_s
            try:
                async with asyncio.timeout(wait):
                    data = await anext(iterator)
            except StopAsyncIteration:
                return
            except TimeoutError:
                what = (
                    "went silent past the idle timeout" if self._got_bytes else "sent no first byte in time"
                )
                raise self.broken(ErrorClass.TIMEOUT, f"stream {what}") from None
            except httpx.HTTPError as exc:
                raise self.broken(ErrorClass.CONNECTION, f"stream broke ({type(exc).__name__})") from None
            if data:
                self._got_bytes = True
                yield data

    def broken(self, error_class: ErrorClass, message: str) -> UpstreamError:
        return UpstreamError(
            ProviderFailure(
                error_class, None, f"{self._provider}: {message}", before_first_byte=not self.delivered
            )
        )


class SseParser:
    """Splits a text/event-stream byte stream into (event name, data) pairs."""

    def __init__(self) -> None:
        self._buffer = b""
        self._event = ""
        self._data: list[str] = []

    def feed(self, data: bytes) -> list[tuple[str, str]]:
        self._buffer += data
        events: list[tuple[str, str]] = []
        while True:
            index = self._buffer.find(b"\n")
            if index < 0:
                return events
            line = self._buffer[:index].rstrip(b"\r").decode("utf-8", "replace")
            self._buffer = self._buffer[index + 1 :]
            event = self._line(line)
            if event is not None:
                events.append(event)

    def _line(self, line: str) -> tuple[str, str] | None:
        if not line:
            if not self._data:
                self._event = ""
                return None
            event = (self._event, "\n".join(self._data))
            self._event, self._data = "", []
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None

    def flush(self) -> list[tuple[str, str]]:
        """The last event when the stream ends without its blank line."""
        events = self.feed(b"\n\n") if self._buffer or self._data else []
        return events


def _timeout(timeouts: Timeouts, read: float | None) -> httpx.Timeout:
    return httpx.Timeout(
        connect=timeouts.connect_s, read=read, write=timeouts.connect_s, pool=timeouts.connect_s
    )


async def _read_error_body(response: httpx.Response, timeouts: Timeouts) -> bytes:
    try:
        async with asyncio.timeout(timeouts.idle_s):
            return await response.aread()
    except (TimeoutError, httpx.HTTPError):
        return b""


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


async def sse_json(stream: ByteStream, logger: logging.Logger) -> AsyncIterator[tuple[str, Any]]:
    """(event name, parsed data) of each SSE event; `[DONE]` ends it, a malformed event is skipped."""
    parser = SseParser()
    async for data in stream.chunks():
        for name, text in parser.feed(data):
            if text.strip() == "[DONE]":
                return
            try:
                yield name, json.loads(text)
            except ValueError:
                logger.warning("skipped a malformed stream event (%d bytes)", len(text))
    for name, text in parser.flush():
        if text.strip() == "[DONE]":
            return
        try:
            yield name, json.loads(text)
        except ValueError:
            logger.warning("skipped a malformed stream event (%d bytes)", len(text))


def mid_stream(error: UpstreamError, stream: ByteStream) -> UpstreamError:
    """The same failure, marked as mid-stream when the caller already received chunks."""
    return UpstreamError(dataclasses.replace(error.failure, before_first_byte=not stream.delivered))
