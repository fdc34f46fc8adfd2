"""What CLI commands call: the admin operations, locally on the database or remotely over HTTP.

`AdminBackend` is the admin surface of `SwitchboardClient`, so the client itself is the
remote backend; `LocalBackend` (apps/cli/backend_local.py) answers the same calls from the
services, with the same views. Commands never know which one they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar, Unpack

from apps.client import (
    ApiKey,
    Binding,
    CreatedKey,
    Endpoint,
    EndpointChanges,
    FallbackConfigInput,
    LimitRule,
    MappingInput,
    ModelDefinition,
    ModelDefinitionChanges,
    Page,
    RetryPolicy,
    Scorer,
    ScorerResult,
    Secret,
    SecretChanges,
    Tag,
    Timeouts,
    UsageRecord,
)

T = TypeVar("T")


class AdminBackend(Protocol):
    """The admin operations of PRODUCT §6, answering with the admin API's JSON shapes."""

    def create_secret(
        self, name: str, value: str, *, provider: str | None = None, auth_config: dict[str, Any] | None = None
    ) -> Secret: ...
    def list_secrets(
        self, *, max_results: int | None = None, page_token: str | None = None
    ) -> Page[Secret]: ...
    def get_secret(self, secret_id: str) -> Secret: ...
    def update_secret(self, secret_id: str, **changes: Unpack[SecretChanges]) -> Secret: ...
    def delete_secret(self, secret_id: str, *, force: bool = False) -> None: ...

    def create_model_definition(
        self,
        name: str,
        provider: str,
        model_name: str,
        *,
        secret_id: str | None = None,
        api_base: str | None = None,
        provider_settings: dict[str, Any] | None = None,
    ) -> ModelDefinition: ...
    def list_model_definitions(
        self, *, provider: str | None = None, max_results: int | None = None, page_token: str | None = None
    ) -> Page[ModelDefinition]: ...
    def get_model_definition(self, model_definition_id: str) -> ModelDefinition: ...
    def update_model_definition(
        self, model_definition_id: str, **changes: Unpack[ModelDefinitionChanges]
    ) -> ModelDefinition: ...
    def delete_model_definition(self, model_definition_id: str, *, force: bool = False) -> None: ...

    def create_endpoint(
        self,
        name: str,
        model_mappings: Sequence[MappingInput],
        *,
        tags: Sequence[Tag] | None = None,
        routing_strategy: str | None = None,
        fallback_config: FallbackConfigInput | None = None,
        retry_policy: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
    ) -> Endpoint: ...
    def list_endpoints(
        self,
        *,
        name: str | None = None,
        provider: str | None = None,
        tag: str | None = None,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> Page[Endpoint]: ...
    def get_endpoint(self, endpoint_id: str) -> Endpoint: ...
    def update_endpoint(self, endpoint_id: str, **changes: Unpack[EndpointChanges]) -> Endpoint: ...
    def delete_endpoint(self, endpoint_id: str, *, force: bool = False) -> None: ...

    def list_bindings(self, endpoint_id: str) -> list[Binding]: ...
    def find_bindings(self, resource_type: str, resource_id: str) -> list[Binding]: ...
    def create_binding(
        self, endpoint_id: str, resource_type: str, resource_id: str, display_name: str
    ) -> Binding: ...
    def delete_binding(self, endpoint_id: str, resource_type: str, resource_id: str) -> None: ...

    def get_limits(self, endpoint_id: str) -> list[LimitRule]: ...
    def set_limits(self, endpoint_id: str, limits: Sequence[LimitRule]) -> list[LimitRule]: ...

    def create_key(self, name: str, role: str, *, endpoints: Sequence[str] = ()) -> CreatedKey: ...
    def list_keys(self, *, max_results: int | None = None, page_token: str | None = None) -> Page[ApiKey]: ...
    def revoke_key(self, key_id: str) -> None: ...

    def create_scorer(
        self,
        namespace: str,
        name: str,
        instructions: str,
        result_type: str,
        endpoint_id: str,
        *,
        min: float | None = None,
        max: float | None = None,
    ) -> Scorer: ...
    def list_scorers(
        self, *, namespace: str | None = None, max_results: int | None = None, page_token: str | None = None
    ) -> Page[Scorer]: ...
    def get_scorer(self, scorer_id: str) -> Scorer: ...
    def delete_scorer(self, scorer_id: str, *, version: int | None = None) -> None: ...
    def run_scorer(
        self, scorer_id: str, inputs: Any, outputs: Any, *, expectations: Any = None
    ) -> ScorerResult: ...

    def list_usage(
        self,
        *,
        endpoint_id: str | None = None,
        since: int | None = None,
        until: int | None = None,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> Page[UsageRecord]: ...


def every(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of a listing, page by page: ``every(lambda t: backend.list_secrets(page_token=t))``."""
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page.items
        token = page.next_page_token
        if not token:
            return
