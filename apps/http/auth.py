"""Gateway-key authentication, shared by the admin API and the data plane."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from apps.bootstrap import Services
from core.domain.errors import PermissionDenied, Unauthenticated
from core.domain.principal import Principal

_SCHEME = "bearer"


def bearer_token(authorization: str | None) -> str:
    """The key in an `Authorization: Bearer <key>` header; Unauthenticated if absent or malformed."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != _SCHEME or not token.strip():
        raise Unauthenticated("a gateway key is required: send 'Authorization: Bearer <key>'")
    return token.strip()


def authenticate(services: Services, authorization: str | None) -> Principal:
    """The principal behind an Authorization header. Blocking (reads the store): call off the loop."""
    return services.keys.authenticate(bearer_token(authorization))


def services_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    services: Services = connection.app.state.services
    return services


async def require_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard of the admin API: 401 without a valid key, 403 for a non-admin key."""
    header = connection.headers.get("authorization")
    principal = await anyio.to_thread.run_sync(authenticate, services_of(connection), header)
    if not principal.is_admin:
        raise PermissionDenied("the admin API needs an admin key")
    connection.state.principal = principal


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The principal a guard authenticated for this request."""
    principal: Principal = connection.state.principal
    return principal
