"""Minimal ASGI plumbing for the hot path: read a bounded body, send JSON or a stream."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from typing import Any

import msgspec

from apps.http.invocation.errors import ApiError, BodyTooLarge, retry_after_value

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

log = logging.getLogger(__name__)
_encoder = msgspec.json.Encoder()
_INTERNAL_ERROR_EVENT = (
    b'data: {"error":{"message":"internal error","type":"server_error","code":"internal_error"}}\n\n'
)
JSON = (b"content-type", b"application/json")
SSE = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise BodyTooLarge
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        parts.append(chunk)
        if not message.get("more_body", False):
            return parts[0] if len(parts) == 1 else b"".join(parts)


async def send_json(
    send: Send, status: int, body: bytes | Any, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    payload = body if isinstance(body, bytes) else _encoder.encode(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [JSON, (b"content-length", str(len(payload)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def send_error(send: Send, error: ApiError, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    extra = list(headers)
    if error.retry_after_s is not None:
        extra.append((b"retry-after", retry_after_value(error.retry_after_s)))
    await send_json(send, error.status, error.body(), extra)


async def send_stream(
    send: Send, events: AsyncIterator[bytes], headers: Sequence[tuple[bytes, bytes]]
) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [*SSE, *headers]})
    try:
        async for event in events:
            await send({"type": "http.response.body", "body": event, "more_body": True})
    except OSError:
        return  # the caller went away (the finally below releases the upstream)
    except Exception:
        # Headers are gone already: end the stream with an error event, never a bare cut.
        log.exception("stream failed after its first byte")
        await send({"type": "http.response.body", "body": _INTERNAL_ERROR_EVENT, "more_body": True})
    finally:
        closer = getattr(events, "aclose", None)
        if closer is not None:
            await closer()
    await send({"type": "http.response.body", "body": b""})


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else None
    return None
