"""Serves the console's committed static files at /ui, with headers that keep it self-contained."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router
from litestar.static_files import create_static_files_router

STATIC = Path(__file__).parent / "static"

# Everything the console loads comes from this server; the admin key never leaves it in a referrer.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def _secure(response: Response[object]) -> Response[object]:
    response.headers.update(SECURITY_HEADERS)
    return response


def ui_router() -> Router:
    """`/ui` and its assets; `/ui` itself answers index.html (the console's single page)."""
    return create_static_files_router(
        path="/ui", directories=[STATIC], html_mode=True, name="ui", after_request=_secure
    )
