"""Failures of the upstream client."""

from __future__ import annotations

import asyncio


class UpstreamTimeout(Exception):
    """A connect, first-byte, idle or total timeout expired; `phase` says which."""

    def __init__(self, phase: str) -> None:
        super().__init__(f"{phase} timeout")
        self.phase = phase


class UpstreamConnectError(Exception):
    """The connection could not be made, or broke before any byte of the answer."""


def expire(future: asyncio.Future[None], phase: str) -> None:
    """Timer callback: fail a wait that took too long (cheaper than asyncio.timeout per wait)."""
    if not future.done():
        future.set_exception(UpstreamTimeout(phase))
