"""Where usage records go: buffered and written off the request path."""

from __future__ import annotations

from typing import Protocol

from core.domain.usage import UsageRecord


class UsageSink(Protocol):
    def record(self, record: UsageRecord) -> None:
        """Queue one record; must not block on I/O."""
        ...

    def flush(self) -> None:
        """Write everything queued (blocking); called by the background writer and at shutdown."""
        ...

    def close(self) -> None:
        """Stop background writing after a final flush (blocking)."""
        ...
