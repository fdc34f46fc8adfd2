"""The served ASGI application: the fast data plane in front of the Litestar admin app."""

from __future__ import annotations

from typing import cast

from apps.bootstrap import Services, build, configure_logging
from apps.http.access_log import AccessLog
from apps.http.app import create_app
from apps.http.invocation import DataPlane
from apps.http.invocation.asgi_io import ASGIApp


def create_gateway(services: Services) -> ASGIApp:
    """Invocation routes answered by the data plane, everything else by the admin app."""
    admin = AccessLog(cast(ASGIApp, create_app(services)), services.invocation.new_request_id)
    return DataPlane(services.invocation, admin, services.settings.max_body_bytes)


def gateway_from_env() -> ASGIApp:
    """App factory for the ASGI server: each worker builds its own services from the environment."""
    services = build()
    configure_logging(services.settings)
    services.require_unlocked()
    return create_gateway(services)
