"""Concrete services for handlers, taken from the app state (a Protocol annotation would 500)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from apps.bootstrap import Services
from apps.http.auth import current_principal
from core.services.bindings import BindingService
from core.services.endpoints import EndpointService
from core.services.keys import KeyService
from core.services.limits import LimitService
from core.services.model_definitions import ModelDefinitionService
from core.services.secrets import SecretService


def services_in(state: State) -> Services:
    services: Services = state.services
    return services


def provide_model_definitions(state: State) -> ModelDefinitionService:
    return services_in(state).model_definitions


def provide_endpoints(state: State) -> EndpointService:
    return services_in(state).endpoints


def provide_bindings(state: State) -> BindingService:
    return services_in(state).bindings


def provide_limits(state: State) -> LimitService:
    return services_in(state).limits


def provide_keys(state: State) -> KeyService:
    return services_in(state).keys


def provide_secrets(state: State) -> SecretService:
    return services_in(state).secrets


def provide_actor(request: Request[Any, Any, Any]) -> str:
    """The authenticated principal's name, recorded as created_by / last_updated_by."""
    return current_principal(request).name


ADMIN_DEPENDENCIES = {
    "actor": Provide(provide_actor, sync_to_thread=False),
    "model_definition_service": Provide(provide_model_definitions, sync_to_thread=False),
    "endpoint_service": Provide(provide_endpoints, sync_to_thread=False),
    "binding_service": Provide(provide_bindings, sync_to_thread=False),
    "limit_service": Provide(provide_limits, sync_to_thread=False),
    "key_service": Provide(provide_keys, sync_to_thread=False),
    "secret_service": Provide(provide_secrets, sync_to_thread=False),
}
