"""/health: liveness, unauthenticated."""

from __future__ import annotations

from litestar import get


@get("/health", sync_to_thread=False, tags=["operations"])
def health() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}
