"""Background work of a serving process: live configuration, usage writing, clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from typing import Any

import anyio

from apps.bootstrap import Services
from apps.http.invocation.asgi_io import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def tune_worker() -> None:
    """Process settings measured to help the hot path (docs/performance.md).

    Everything loaded so far lives for the whole process: freezing it keeps the collector from
    scanning it again, and a larger first generation runs the collector less often. A short
    GIL switch interval keeps the usage writer thread from delaying requests.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    sys.setswitchinterval(0.001)


class GatewayRuntime:
    """Started and stopped with the ASGI lifespan of each worker."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        services = self._services
        await anyio.to_thread.run_sync(services.config.reload)
        self._poller = asyncio.create_task(self._poll_config(), name="config-poller")
        tune_worker()

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        services = self._services
        await services.providers.aclose()
        await services.ports.rate_limiter.aclose()
        await services.ports.breaker.aclose()
        await anyio.to_thread.run_sync(services.usage_sink.close)

    def apply_writes_first(self, app: Any) -> Any:  # Litestar's ASGI types are narrower than ours
        """Middleware: after an admin write, reload this process's snapshot before answering.

        So a caller that gets the answer of a write can use the change at once on this process.
        """

        inner: ASGIApp = app

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["method"] in _READS:
                await inner(scope, receive, send)
                return

            async def send_after_refresh(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await anyio.to_thread.run_sync(self._services.config.refresh_if_changed)
                await send(message)

            await inner(scope, receive, send_after_refresh)

        return middleware

    async def _poll_config(self) -> None:
        """Other processes' edits arrive within one poll interval (the revision read is tiny)."""
        interval = self._services.settings.config_poll_s
        while True:
            await asyncio.sleep(interval)
            try:
                await anyio.to_thread.run_sync(self._services.config.refresh_if_changed)
            except Exception:
                log.exception("reloading configuration failed; keeping the previous snapshot")
