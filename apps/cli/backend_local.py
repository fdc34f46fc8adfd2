"""The local AdminBackend: admin operations straight on the database, through the services."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, Unpack, cast

from apps.bootstrap import Services
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
from apps.views import (
    binding_view,
    endpoint_view,
    key_view,
    limit_view,
    model_definition_view,
    scorer_detail_view,
    scorer_result_view,
    scorer_view,
    secret_view,
    usage_view,
)
from core.domain import endpoint as ep
from core.domain import limits as lim
from core.domain.errors import InvalidInput
from core.domain.page import PageRequest
from core.domain.principal import Principal, Role
from core.services.endpoints import EndpointPatch, EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionPatch, ModelDefinitionSpec
from core.services.scorers import ScorerSpec
from ports.repositories import EndpointFilter, UsageQuery

E = TypeVar("E", bound=enum.Enum)
D = TypeVar("D")


class LocalBackend:
    """Answers like the admin API, with the same views, from services built on the database."""

    def __init__(self, services: Services, actor: str | None = None) -> None:
        self._services = services
        self._actor = actor

    # -- secrets --------------------------------------------------------------------------
    def create_secret(
        self, name: str, value: str, *, provider: str | None = None, auth_config: dict[str, Any] | None = None
    ) -> Secret:
        secret = self._services.secrets.create(name, value, provider, auth_config, actor=self._actor)
        return cast(Secret, secret_view(secret))

    def list_secrets(self, *, max_results: int | None = None, page_token: str | None = None) -> Page[Secret]:
        page = self._services.secrets.list(PageRequest.parse(max_results, page_token))
        return Page([cast(Secret, secret_view(s)) for s in page.items], page.next_page_token)

    def get_secret(self, secret_id: str) -> Secret:
        return cast(Secret, secret_view(self._services.secrets.get(secret_id)))

    def update_secret(self, secret_id: str, **changes: Unpack[SecretChanges]) -> Secret:
        secret = self._services.secrets.update(secret_id, actor=self._actor, **changes)
        return cast(Secret, secret_view(secret))

    def delete_secret(self, secret_id: str, *, force: bool = False) -> None:
        self._services.secrets.delete(secret_id, force=force, actor=self._actor)

    # -- model definitions -----------------------------------------------------------------
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
        spec = ModelDefinitionSpec(
            name=name,
            provider=provider,
            model_name=model_name,
            secret_id=secret_id,
            api_base=api_base,
            provider_settings=provider_settings or {},
        )
        model = self._services.model_definitions.create(spec, actor=self._actor)
        return cast(ModelDefinition, model_definition_view(model))

    def list_model_definitions(
        self, *, provider: str | None = None, max_results: int | None = None, page_token: str | None = None
    ) -> Page[ModelDefinition]:
        page = self._services.model_definitions.list(PageRequest.parse(max_results, page_token), provider)
        return Page(
            [cast(ModelDefinition, model_definition_view(m)) for m in page.items], page.next_page_token
        )

    def get_model_definition(self, model_definition_id: str) -> ModelDefinition:
        return cast(
            ModelDefinition, model_definition_view(self._services.model_definitions.get(model_definition_id))
        )

    def update_model_definition(
        self, model_definition_id: str, **changes: Unpack[ModelDefinitionChanges]
    ) -> ModelDefinition:
        patch = ModelDefinitionPatch(**changes)
        model = self._services.model_definitions.update(model_definition_id, patch, actor=self._actor)
        return cast(ModelDefinition, model_definition_view(model))

    def delete_model_definition(self, model_definition_id: str, *, force: bool = False) -> None:
        self._services.model_definitions.delete(model_definition_id, force=force, actor=self._actor)

    # -- endpoints ------------------------------------------------------------------------
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
        spec = EndpointSpec(
            name=name,
            model_mappings=[mapping_spec(m) for m in model_mappings],
            tags=[tag(t) for t in tags or ()],
            routing_strategy=_enum(ep.RoutingStrategy, "routing_strategy", routing_strategy)
            if routing_strategy
            else ep.RoutingStrategy.REQUEST_BASED_TRAFFIC_SPLIT,
            fallback_config=None if fallback_config is None else fallback(fallback_config),
            retry_policy=_dataclass(ep.RetryPolicy, "retry_policy", retry_policy or {}),
            timeouts=_dataclass(ep.Timeouts, "timeouts", timeouts or {}),
        )
        return self._endpoint_view(self._services.endpoints.create(spec, actor=self._actor))

    def list_endpoints(
        self,
        *,
        name: str | None = None,
        provider: str | None = None,
        tag: str | None = None,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> Page[Endpoint]:
        key, has_value, value = (tag or "").partition("=")
        where = EndpointFilter(
            name=name, provider=provider, tag_key=key or None, tag_value=value if has_value else None
        )
        page = self._services.endpoints.list(PageRequest.parse(max_results, page_token), where)
        return Page([self._endpoint_view(e) for e in page.items], page.next_page_token)

    def get_endpoint(self, endpoint_id: str) -> Endpoint:
        return self._endpoint_view(self._services.endpoints.get(endpoint_id))

    def update_endpoint(self, endpoint_id: str, **changes: Unpack[EndpointChanges]) -> Endpoint:
        patch = EndpointPatch(**_endpoint_patch(changes))
        return self._endpoint_view(self._services.endpoints.update(endpoint_id, patch, actor=self._actor))

    def delete_endpoint(self, endpoint_id: str, *, force: bool = False) -> None:
        self._services.endpoints.delete(endpoint_id, force=force)

    def _endpoint_view(self, endpoint: ep.Endpoint) -> Endpoint:
        bindings = self._services.bindings.list_by_endpoint(endpoint.endpoint_id)
        return cast(Endpoint, endpoint_view(endpoint, bindings))

    # -- bindings -------------------------------------------------------------------------
    def list_bindings(self, endpoint_id: str) -> list[Binding]:
        return [cast(Binding, binding_view(b)) for b in self._services.bindings.list_by_endpoint(endpoint_id)]

    def find_bindings(self, resource_type: str, resource_id: str) -> list[Binding]:
        found = self._services.bindings.list_by_resource(resource_type, resource_id)
        return [cast(Binding, binding_view(b)) for b in found]

    def create_binding(
        self, endpoint_id: str, resource_type: str, resource_id: str, display_name: str
    ) -> Binding:
        binding = self._services.bindings.create(
            endpoint_id, resource_type, resource_id, display_name, actor=self._actor
        )
        return cast(Binding, binding_view(binding))

    def delete_binding(self, endpoint_id: str, resource_type: str, resource_id: str) -> None:
        self._services.bindings.delete(endpoint_id, resource_type, resource_id)

    # -- limits ---------------------------------------------------------------------------
    def get_limits(self, endpoint_id: str) -> list[LimitRule]:
        return [cast(LimitRule, limit_view(r)) for r in self._services.limits.get(endpoint_id)]

    def set_limits(self, endpoint_id: str, limits: Sequence[LimitRule]) -> list[LimitRule]:
        stored = self._services.limits.put(endpoint_id, [limit_rule(r) for r in limits])
        return [cast(LimitRule, limit_view(r)) for r in stored]

    # -- keys -----------------------------------------------------------------------------
    def create_key(self, name: str, role: str, *, endpoints: Sequence[str] = ()) -> CreatedKey:
        key, plaintext = self._services.keys.create(name, role, endpoints, actor=self._actor)
        return cast(CreatedKey, {**key_view(key), "key": plaintext})

    def list_keys(self, *, max_results: int | None = None, page_token: str | None = None) -> Page[ApiKey]:
        page = self._services.keys.list(PageRequest.parse(max_results, page_token))
        return Page([cast(ApiKey, key_view(k)) for k in page.items], page.next_page_token)

    def revoke_key(self, key_id: str) -> None:
        self._services.keys.revoke(key_id, actor=self._actor)

    # -- scorers --------------------------------------------------------------------------
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
        spec = ScorerSpec(
            namespace=namespace,
            name=name,
            instructions=instructions,
            result_type=result_type,
            endpoint_id=endpoint_id,
            min_value=min,
            max_value=max,
        )
        return cast(Scorer, scorer_view(self._services.scorers.register(spec, actor=self._actor)))

    def list_scorers(
        self, *, namespace: str | None = None, max_results: int | None = None, page_token: str | None = None
    ) -> Page[Scorer]:
        page = self._services.scorers.list(PageRequest.parse(max_results, page_token), namespace)
        return Page([cast(Scorer, scorer_view(s)) for s in page.items], page.next_page_token)

    def get_scorer(self, scorer_id: str) -> Scorer:
        return cast(Scorer, scorer_detail_view(self._services.scorers.get(scorer_id)))

    def delete_scorer(self, scorer_id: str, *, version: int | None = None) -> None:
        self._services.scorers.delete(scorer_id, version, actor=self._actor)

    def run_scorer(
        self, scorer_id: str, inputs: Any, outputs: Any, *, expectations: Any = None
    ) -> ScorerResult:
        """Runs in this process through the invocation path; its usage record is written before returning."""
        principal = Principal(self._actor or "cli", Role.ADMIN)
        services = self._services

        async def judge() -> ScorerResult:
            try:
                result = await services.scorers.run(scorer_id, principal, inputs, outputs, expectations)
                return cast(ScorerResult, scorer_result_view(result))
            finally:  # pools and limiter connections belong to this event loop, which ends here
                await services.providers.aclose()
                await services.ports.rate_limiter.aclose()
                await services.ports.breaker.aclose()

        try:
            return asyncio.run(judge())
        finally:
            services.usage_sink.flush()

    # -- usage ----------------------------------------------------------------------------
    def list_usage(
        self,
        *,
        endpoint_id: str | None = None,
        since: int | None = None,
        until: int | None = None,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> Page[UsageRecord]:
        where = UsageQuery(endpoint_id, since, until)
        page = self._services.usage.list(PageRequest.parse(max_results, page_token), where)
        return Page([cast(UsageRecord, usage_view(r)) for r in page.items], page.next_page_token)


def mapping_spec(raw: Mapping[str, Any]) -> MappingSpec:
    linkage = _enum(ep.LinkageType, "model_mappings.linkage_type", raw.get("linkage_type") or "PRIMARY")
    weight = raw.get("weight", 1.0)
    return MappingSpec(
        model_definition_id=raw["model_definition_id"],
        weight=float(weight) if isinstance(weight, int) and not isinstance(weight, bool) else weight,
        linkage_type=linkage,
        fallback_order=raw.get("fallback_order"),
    )


def tag(raw: Mapping[str, Any]) -> ep.Tag:
    return ep.Tag(raw["key"], raw.get("value", ""))


def fallback(raw: Mapping[str, Any]) -> ep.FallbackConfig:
    strategy = _enum(ep.FallbackStrategy, "fallback_config.strategy", raw.get("strategy") or "SEQUENTIAL")
    return ep.FallbackConfig(strategy=strategy, max_attempts=raw.get("max_attempts", 1))


def limit_rule(raw: Mapping[str, Any]) -> lim.LimitRule:
    unknown = set(raw) - {"renewal_period", "calls", "tokens", "key"}
    if unknown:
        raise InvalidInput("limits", f"unknown field(s): {', '.join(sorted(unknown))}")
    if "calls" not in raw:
        raise InvalidInput("limits.calls", "is required")
    return lim.LimitRule(
        renewal_period=_enum(lim.RenewalPeriod, "limits.renewal_period", raw.get("renewal_period")),
        calls=raw["calls"],
        tokens=raw.get("tokens"),
        key=_enum(lim.LimitKey, "limits.key", raw.get("key") or "endpoint"),
    )


def _endpoint_patch(changes: EndpointChanges) -> dict[str, Any]:
    converters: dict[str, Any] = {
        "name": lambda v: v,
        "model_mappings": lambda v: [mapping_spec(m) for m in v],
        "tags": lambda v: [tag(t) for t in v],
        "routing_strategy": lambda v: _enum(ep.RoutingStrategy, "routing_strategy", v),
        "fallback_config": lambda v: None if v is None else fallback(v),
        "retry_policy": lambda v: _dataclass(ep.RetryPolicy, "retry_policy", v),
        "timeouts": lambda v: _dataclass(ep.Timeouts, "timeouts", v),
    }
    return {name: converters[name](value) for name, value in changes.items()}


def _enum(cls: type[E], field: str, value: Any) -> E:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise InvalidInput(field, f"'{value}' is not one of: {allowed}") from None


def _dataclass(cls: type[D], field: str, values: Mapping[str, Any]) -> D:
    try:
        return cls(**values)
    except TypeError:
        known = ", ".join(getattr(cls, "__dataclass_fields__", {}))
        raise InvalidInput(field, f"unknown field; expected some of: {known}") from None
