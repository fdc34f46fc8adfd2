"""Interim ASGI factory (admin API only) used until `switchboard serve` is available."""

from __future__ import annotations

from litestar import Litestar

from apps.bootstrap import build
from apps.http.app import create_app


def create() -> Litestar:
    services = build()
    services.require_unlocked()
    return create_app(services)
