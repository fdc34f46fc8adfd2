"""Admin API methods (PRODUCT §6): one method per operation, typed answers, paginated listings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, Unpack, cast

from apps.client._transport import Transport
from apps.client._types import (
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
API = "/api/v1"


class AdminMethods:
    """Control-plane operations; needs an admin key."""

    _http: Transport

    # -- secrets -------------------------------------------------------------------------
    def create_secret(
        self,
        name: str,
        value: str,
        *,
        provider: str | None = None,
        auth_config: dict[str, Any] | None = None,
    ) -> Secret:
        """Store an encrypted provider credential; the answer never carries the value."""
        body = {"name": name, "value": value, "provider": provider, "auth_config": auth_config}
        return cast(Secret, self._http.request("POST", f"{API}/secrets", json=_compact(body)))

    def list_secrets(self, *, max_results: int | None = None, page_token: str | None = None) -> Page[Secret]:
        return self._page("secrets", f"{API}/secrets", {"max_results": max_results, "page_token": page_token})

    def iter_secrets(self, *, page_size: int | None = None) -> Iterator[Secret]:
        return _iterate(lambda token: self.list_secrets(max_results=page_size, page_token=token))

    def get_secret(self, secret_id: str) -> Secret:
        return cast(Secret, self._http.request("GET", f"{API}/secrets/{secret_id}"))

    def update_secret(self, secret_id: str, **changes: Unpack[SecretChanges]) -> Secret:
        """Change metadata, or the value (re-encrypted under a new data key)."""
        return cast(Secret, self._http.request("PATCH", f"{API}/secrets/{secret_id}", json=dict(changes)))

    def delete_secret(self, secret_id: str, *, force: bool = False) -> None:
        """Refused (409) while model definitions use it, unless forced (they become orphaned)."""
        self._http.request("DELETE", f"{API}/secrets/{secret_id}", params={"force": force or None})

    # -- model definitions ---------------------------------------------------------------
    def create_model_definition(
        self,
        name: str,
        provider: str,
        model_name: str,
        *,
        secret_id: str | None = None,
        api_base: str | None = None,
        provider_settings: dict[str, Any] | None = None,
    ) -> ModelDefinition:
        body = {
            "name": name,
            "provider": provider,
            "model_name": model_name,
            "secret_id": secret_id,
            "api_base": api_base,
            "provider_settings": provider_settings,
        }
        return cast(
            ModelDefinition, self._http.request("POST", f"{API}/model-definitions", json=_compact(body))
        )

    def list_model_definitions(
        self, *, provider: str | None = None, max_results: int | None = None, page_token: str | None = None
    ) -> Page[ModelDefinition]:
        params = {"provider": provider, "max_results": max_results, "page_token": page_token}
        return self._page("model_definitions", f"{API}/model-definitions", params)

    def iter_model_definitions(
        self, *, provider: str | None = None, page_size: int | None = None
    ) -> Iterator[ModelDefinition]:
        return _iterate(
            lambda token: self.list_model_definitions(
                provider=provider, max_results=page_size, page_token=token
            )
        )

    def get_model_definition(self, model_definition_id: str) -> ModelDefinition:
        return cast(
            ModelDefinition, self._http.request("GET", f"{API}/model-definitions/{model_definition_id}")
        )

    def update_model_definition(
        self, model_definition_id: str, **changes: Unpack[ModelDefinitionChanges]
    ) -> ModelDefinition:
        """Change a model definition; every endpoint using it follows at once."""
        path = f"{API}/model-definitions/{model_definition_id}"
        return cast(ModelDefinition, self._http.request("PATCH", path, json=dict(changes)))

    def delete_model_definition(self, model_definition_id: str, *, force: bool = False) -> None:
        """Refused (409) while endpoints use it, unless forced (its mappings are removed)."""
        path = f"{API}/model-definitions/{model_definition_id}"
        self._http.request("DELETE", path, params={"force": force or None})

    # -- endpoints -----------------------------------------------------------------------
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
    ) -> Endpoint:
        body = {
            "name": name,
            "model_mappings": list(model_mappings),
            "tags": None if tags is None else list(tags),
            "routing_strategy": routing_strategy,
            "fallback_config": fallback_config,
            "retry_policy": retry_policy,
            "timeouts": timeouts,
        }
        return cast(Endpoint, self._http.request("POST", f"{API}/endpoints", json=_compact(body)))

    def list_endpoints(
        self,
        *,
        name: str | None = None,
        provider: str | None = None,
        tag: str | None = None,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> Page[Endpoint]:
        """Endpoints, filtered by name, provider of a model, or tag (``KEY`` or ``KEY=VALUE``)."""
        params = {
            "name": name,
            "provider": provider,
            "tag": tag,
            "max_results": max_results,
            "page_token": page_token,
        }
        return self._page("endpoints", f"{API}/endpoints", params)

    def iter_endpoints(
        self,
        *,
        name: str | None = None,
        provider: str | None = None,
        tag: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Endpoint]:
        return _iterate(
            lambda token: self.list_endpoints(
                name=name, provider=provider, tag=tag, max_results=page_size, page_token=token
            )
        )

    def get_endpoint(self, endpoint_id: str) -> Endpoint:
        """One endpoint with its model definitions and its bindings embedded."""
        return cast(Endpoint, self._http.request("GET", f"{API}/endpoints/{endpoint_id}"))

    def update_endpoint(self, endpoint_id: str, **changes: Unpack[EndpointChanges]) -> Endpoint:
        return cast(
            Endpoint, self._http.request("PATCH", f"{API}/endpoints/{endpoint_id}", json=dict(changes))
        )

    def delete_endpoint(self, endpoint_id: str, *, force: bool = False) -> None:
        """Refused (409) while resources are bound to it, unless forced (the bindings go too)."""
        self._http.request("DELETE", f"{API}/endpoints/{endpoint_id}", params={"force": force or None})

    # -- bindings ------------------------------------------------------------------------
    def list_bindings(self, endpoint_id: str) -> list[Binding]:
        """Who uses an endpoint."""
        answer = self._http.request("GET", f"{API}/endpoints/{endpoint_id}/bindings")
        return cast(list[Binding], answer["bindings"])

    def find_bindings(self, resource_type: str, resource_id: str) -> list[Binding]:
        """The bindings of one resource (e.g. a scorer's one binding)."""
        params = {"resource_type": resource_type, "resource_id": resource_id}
        answer = self._http.request("GET", f"{API}/bindings", params=params)
        return cast(list[Binding], answer["bindings"])

    def create_binding(
        self, endpoint_id: str, resource_type: str, resource_id: str, display_name: str
    ) -> Binding:
        body = {
            "endpoint_id": endpoint_id,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "display_name": display_name,
        }
        return cast(Binding, self._http.request("POST", f"{API}/bindings", json=body))

    def delete_binding(self, endpoint_id: str, resource_type: str, resource_id: str) -> None:
        params = {"endpoint_id": endpoint_id, "resource_type": resource_type, "resource_id": resource_id}
        self._http.request("DELETE", f"{API}/bindings", params=params)

    # -- limits --------------------------------------------------------------------------
    def get_limits(self, endpoint_id: str) -> list[LimitRule]:
        answer = self._http.request("GET", f"{API}/endpoints/{endpoint_id}/limits")
        return cast(list[LimitRule], answer["limits"])

    def set_limits(self, endpoint_id: str, limits: Sequence[LimitRule]) -> list[LimitRule]:
        """Replace every limit rule of an endpoint (an empty list removes them)."""
        body = {"limits": list(limits)}
        answer = self._http.request("PUT", f"{API}/endpoints/{endpoint_id}/limits", json=body)
        return cast(list[LimitRule], answer["limits"])

    # -- keys ----------------------------------------------------------------------------
    def create_key(self, name: str, role: str, *, endpoints: Sequence[str] = ()) -> CreatedKey:
        """Issue a gateway key; ``key`` in the answer is the plaintext, shown this once."""
        body = {"name": name, "role": role, "endpoints": list(endpoints)}
        return cast(CreatedKey, self._http.request("POST", f"{API}/keys", json=body))

    def list_keys(self, *, max_results: int | None = None, page_token: str | None = None) -> Page[ApiKey]:
        return self._page("keys", f"{API}/keys", {"max_results": max_results, "page_token": page_token})

    def iter_keys(self, *, page_size: int | None = None) -> Iterator[ApiKey]:
        return _iterate(lambda token: self.list_keys(max_results=page_size, page_token=token))

    def revoke_key(self, key_id: str) -> None:
        self._http.request("DELETE", f"{API}/keys/{key_id}")

    # -- scorers -------------------------------------------------------------------------
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
    ) -> Scorer:
        """Register a scorer; the same namespace and name again registers a new version."""
        body = {
            "namespace": namespace,
            "name": name,
            "instructions": instructions,
            "result_type": result_type,
            "endpoint_id": endpoint_id,
            "min": min,
            "max": max,
        }
        return cast(Scorer, self._http.request("POST", f"{API}/scorers", json=_compact(body)))

    def register_scorer(
        self,
        namespace: str,
        name: str,
        instructions: str,
        result_type: str,
        endpoint_id: str,
        *,
        min: float | None = None,
        max: float | None = None,
    ) -> Scorer:
        """The same as `create_scorer`, under the word the CLI uses."""
        return self.create_scorer(namespace, name, instructions, result_type, endpoint_id, min=min, max=max)

    def list_scorers(
        self, *, namespace: str | None = None, max_results: int | None = None, page_token: str | None = None
    ) -> Page[Scorer]:
        params = {"namespace": namespace, "max_results": max_results, "page_token": page_token}
        return self._page("scorers", f"{API}/scorers", params)

    def iter_scorers(self, *, namespace: str | None = None, page_size: int | None = None) -> Iterator[Scorer]:
        return _iterate(
            lambda token: self.list_scorers(namespace=namespace, max_results=page_size, page_token=token)
        )

    def get_scorer(self, scorer_id: str) -> Scorer:
        return cast(Scorer, self._http.request("GET", f"{API}/scorers/{scorer_id}"))

    def delete_scorer(self, scorer_id: str, *, version: int | None = None) -> None:
        """Delete a scorer, or only one version of it."""
        self._http.request("DELETE", f"{API}/scorers/{scorer_id}", params={"version": version})

    def run_scorer(
        self, scorer_id: str, inputs: Any, outputs: Any, *, expectations: Any = None
    ) -> ScorerResult:
        body = {"inputs": inputs, "outputs": outputs, "expectations": expectations}
        return cast(
            ScorerResult, self._http.request("POST", f"{API}/scorers/{scorer_id}/run", json=_compact(body))
        )

    # -- usage ---------------------------------------------------------------------------
    def list_usage(
        self,
        *,
        endpoint_id: str | None = None,
        since: int | None = None,
        until: int | None = None,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> Page[UsageRecord]:
        """Usage records; ``since``/``until`` are milliseconds since the epoch."""
        params = {
            "endpoint_id": endpoint_id,
            "since": since,
            "until": until,
            "max_results": max_results,
            "page_token": page_token,
        }
        return self._page("usage", f"{API}/usage", params)

    def iter_usage(
        self,
        *,
        endpoint_id: str | None = None,
        since: int | None = None,
        until: int | None = None,
        page_size: int | None = None,
    ) -> Iterator[UsageRecord]:
        return _iterate(
            lambda token: self.list_usage(
                endpoint_id=endpoint_id, since=since, until=until, max_results=page_size, page_token=token
            )
        )

    def _page(self, key: str, path: str, params: dict[str, Any]) -> Page[Any]:
        answer = self._http.request("GET", path, params=params)
        return Page(list(answer[key]), answer.get("next_page_token"))


def _iterate(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of a listing, following ``next_page_token`` page by page."""
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page.items
        token = page.next_page_token
        if not token:
            return


def _compact(body: dict[str, Any]) -> dict[str, Any]:
    """Leave out fields the caller did not give, so the server applies its defaults."""
    return {k: v for k, v in body.items() if v is not None}
