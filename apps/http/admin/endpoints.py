"""/api/v1/endpoints: what applications call, with their models, tags and policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from apps.http.admin.common import ERRORS, Body, MaxResults, PageToken, listing, page_of, patched
from apps.http.admin.schemas import EndpointList, EndpointOut, answers
from apps.views import endpoint_view
from core.domain.endpoint import (
    FallbackConfig,
    FallbackStrategy,
    LinkageType,
    RetryPolicy,
    RoutingStrategy,
    Tag,
    Timeouts,
)
from core.services.bindings import BindingService
from core.services.endpoints import EndpointPatch, EndpointService, EndpointSpec, MappingSpec
from core.services.unset import Unset
from ports.repositories import EndpointFilter

B = TypeVar("B")
S = TypeVar("S")


class MappingBody(Body):
    model_definition_id: str
    weight: float = 1.0
    linkage_type: LinkageType = LinkageType.PRIMARY
    fallback_order: int | None = None


class TagBody(Body):
    key: str
    value: str = ""


class FallbackConfigBody(Body):
    strategy: FallbackStrategy = FallbackStrategy.SEQUENTIAL
    max_attempts: int = 1


class RetryPolicyBody(Body):
    max_retries: int = 1
    max_retry_after_s: float = 5.0


class TimeoutsBody(Body):
    connect_s: float = 10.0
    first_byte_s: float = 60.0
    idle_s: float = 20.0
    total_s: float = 600.0


class EndpointCreate(Body):
    name: str
    model_mappings: list[MappingBody]
    tags: list[TagBody] = msgspec.field(default_factory=list)
    routing_strategy: RoutingStrategy = RoutingStrategy.REQUEST_BASED_TRAFFIC_SPLIT
    fallback_config: FallbackConfigBody | None = None
    retry_policy: RetryPolicyBody | None = None
    timeouts: TimeoutsBody | None = None


class EndpointUpdate(Body):
    name: str | msgspec.UnsetType = msgspec.UNSET
    model_mappings: list[MappingBody] | msgspec.UnsetType = msgspec.UNSET
    tags: list[TagBody] | msgspec.UnsetType = msgspec.UNSET
    routing_strategy: RoutingStrategy | msgspec.UnsetType = msgspec.UNSET
    fallback_config: FallbackConfigBody | msgspec.UnsetType | None = msgspec.UNSET
    retry_policy: RetryPolicyBody | msgspec.UnsetType = msgspec.UNSET
    timeouts: TimeoutsBody | msgspec.UnsetType = msgspec.UNSET


class EndpointsController(Controller):
    path = "/endpoints"
    tags = ["endpoints"]

    @post(sync_to_thread=True, responses=answers(201, EndpointOut))
    def create_endpoint(
        self,
        data: JSONBody[EndpointCreate],
        endpoint_service: NamedDependency[EndpointService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        spec = EndpointSpec(
            name=data.name,
            model_mappings=[_mapping(m) for m in data.model_mappings],
            tags=[Tag(t.key, t.value) for t in data.tags],
            routing_strategy=data.routing_strategy,
            fallback_config=_fallback(data.fallback_config),
            retry_policy=_retry(data.retry_policy or RetryPolicyBody()),
            timeouts=_timeouts(data.timeouts or TimeoutsBody()),
        )
        return endpoint_view(endpoint_service.create(spec, actor=actor))

    @get(sync_to_thread=True, responses=answers(200, EndpointList))
    def list_endpoints(
        self,
        endpoint_service: NamedDependency[EndpointService],
        binding_service: NamedDependency[BindingService],
        max_results: MaxResults = None,
        page_token: PageToken = None,
        name: FromQuery[str | None] = None,
        provider: FromQuery[str | None] = None,
        tag: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """Filters: `name` (prefix), `provider`, `tag` as `key` or `key=value`."""
        key, has_value, value = (tag or "").partition("=")
        where = EndpointFilter(
            name=name, provider=provider, tag_key=key or None, tag_value=value if has_value else None
        )
        page = endpoint_service.list(page_of(max_results, page_token), where)
        rows = (endpoint_view(e, binding_service.list_by_endpoint(e.endpoint_id)) for e in page.items)
        return listing("endpoints", rows, page.next_page_token)

    @get("/{endpoint_id:str}", sync_to_thread=True, responses=answers(200, EndpointOut))
    def get_endpoint(
        self,
        endpoint_id: FromPath[str],
        endpoint_service: NamedDependency[EndpointService],
        binding_service: NamedDependency[BindingService],
    ) -> dict[str, Any]:
        endpoint = endpoint_service.get(endpoint_id)
        return endpoint_view(endpoint, binding_service.list_by_endpoint(endpoint_id))

    @patch("/{endpoint_id:str}", sync_to_thread=True, responses=answers(200, EndpointOut))
    def update_endpoint(
        self,
        endpoint_id: FromPath[str],
        data: JSONBody[EndpointUpdate],
        endpoint_service: NamedDependency[EndpointService],
        binding_service: NamedDependency[BindingService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        changes = EndpointPatch(
            name=patched(data.name),
            model_mappings=_each(patched(data.model_mappings), _mapping),
            tags=_each(patched(data.tags), lambda t: Tag(t.key, t.value)),
            routing_strategy=patched(data.routing_strategy),
            fallback_config=_maybe(patched(data.fallback_config), _fallback),
            retry_policy=_maybe(patched(data.retry_policy), _retry),
            timeouts=_maybe(patched(data.timeouts), _timeouts),
        )
        updated = endpoint_service.update(endpoint_id, changes, actor=actor)
        return endpoint_view(updated, binding_service.list_by_endpoint(endpoint_id))

    @delete("/{endpoint_id:str}", sync_to_thread=True, responses=ERRORS)
    def delete_endpoint(
        self,
        endpoint_id: FromPath[str],
        endpoint_service: NamedDependency[EndpointService],
        force: FromQuery[bool] = False,
    ) -> None:
        """Refused (409, naming them) while resources are bound, unless `force=true`."""
        endpoint_service.delete(endpoint_id, force=force)


def _mapping(body: MappingBody) -> MappingSpec:
    return MappingSpec(
        model_definition_id=body.model_definition_id,
        weight=body.weight,
        linkage_type=body.linkage_type,
        fallback_order=body.fallback_order,
    )


def _fallback(body: FallbackConfigBody | None) -> FallbackConfig | None:
    return None if body is None else FallbackConfig(strategy=body.strategy, max_attempts=body.max_attempts)


def _retry(body: RetryPolicyBody) -> RetryPolicy:
    return RetryPolicy(max_retries=body.max_retries, max_retry_after_s=body.max_retry_after_s)


def _timeouts(body: TimeoutsBody) -> Timeouts:
    return Timeouts(**msgspec.structs.asdict(body))


def _each(items: list[B] | Unset, convert: Callable[[B], S]) -> list[S] | Unset:
    return items if isinstance(items, Unset) else [convert(i) for i in items]


def _maybe(value: B | Unset, convert: Callable[[B], S]) -> S | Unset:
    return value if isinstance(value, Unset) else convert(value)
