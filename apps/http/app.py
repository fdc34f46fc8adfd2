"""`create_app(services)`: the Litestar application over one process's services."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from apps.bootstrap import Services
from apps.http.admin import admin_router
from apps.http.errors import EXCEPTION_HANDLERS
from apps.http.health import OPERATIONS_HANDLERS
from apps.http.runtime import GatewayRuntime
from apps.http.ui import ui_router

_OPENAPI = OpenAPIConfig(
    title="Switchboard",
    version="1",
    description="Admin API of the Switchboard LLM gateway.",
    path="/schema",
    components=Components(
        security_schemes={
            "BearerAuth": SecurityScheme(type="http", scheme="bearer", description="Gateway key")
        }
    ),
)


def create_app(services: Services) -> Litestar:
    """The HTTP front-end over `services` (built once per process by apps.bootstrap)."""
    runtime = GatewayRuntime(services)
    return Litestar(
        route_handlers=[*OPERATIONS_HANDLERS, admin_router(), ui_router()],
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        middleware=[runtime.apply_writes_first],
        state=State({"services": services}),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=_OPENAPI,
        request_max_body_size=services.settings.max_body_bytes,
        logging_config=None,  # the process (serve, tests) owns logging, not the app
    )
