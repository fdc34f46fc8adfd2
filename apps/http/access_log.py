"""Admin API requests get an `x-request-id` and one structured log line: method, path, status, latency."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from apps.http.invocation.asgi_io import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "switchboard.access"
_QUIET_PATHS = frozenset({"/health", "/ready", "/metrics"})  # probes and scrapes log at DEBUG


class AccessLog:
    """Wraps the admin app. Never logs headers, query strings or bodies (they may carry keys)."""

    def __init__(self, app: ASGIApp, new_id: Callable[[], str], logger: logging.Logger | None = None) -> None:
        self._app = app
        self._new_id = new_id
        self._log = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = self._new_id()
        status = 500  # what the caller sees if the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            level = logging.DEBUG if path in _QUIET_PATHS and status < 400 else logging.INFO
            if self._log.isEnabledFor(level):
                fields = {
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": path,
                    "status": status,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                }
                self._log.log(level, "admin request", extra=fields)
