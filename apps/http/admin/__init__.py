"""The admin API (PRODUCT §6) under /api/v1, admin keys only."""

from __future__ import annotations

from litestar import Router

from apps.http.admin.bindings import BindingsController, list_endpoint_bindings
from apps.http.admin.endpoints import EndpointsController
from apps.http.admin.keys import KeysController
from apps.http.admin.limits import LimitsController
from apps.http.admin.model_definitions import ModelDefinitionsController
from apps.http.admin.scorers import ScorersController
from apps.http.admin.secrets import SecretsController
from apps.http.admin.usage import list_usage
from apps.http.auth import require_admin
from apps.http.dependencies import ADMIN_DEPENDENCIES


def admin_router() -> Router:
    return Router(
        path="/api/v1",
        route_handlers=[
            SecretsController,
            ModelDefinitionsController,
            EndpointsController,
            list_endpoint_bindings,
            BindingsController,
            LimitsController,
            KeysController,
            ScorersController,
            list_usage,
        ],
        guards=[require_admin],
        dependencies=ADMIN_DEPENDENCIES,
        security=[{"BearerAuth": []}],
    )
