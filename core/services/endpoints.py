"""Managing endpoints: mappings, tags, routing, fallback, retry and timeout policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.audit import Audit
from core.domain.endpoint import (
    Endpoint,
    FallbackConfig,
    LinkageType,
    ModelMapping,
    RetryPolicy,
    RoutingStrategy,
    Tag,
    Timeouts,
)
from core.domain.errors import AlreadyExists, HasDependents, InvalidInput, NotFound
from core.domain.page import Page, PageRequest
from core.services.unset import UNSET, Unset, given
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.repositories import EndpointFilter
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class MappingSpec:
    model_definition_id: str
    weight: float = 1.0
    linkage_type: LinkageType = LinkageType.PRIMARY
    fallback_order: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointSpec:
    name: str
    model_mappings: Sequence[MappingSpec]
    tags: Sequence[Tag] = ()
    routing_strategy: RoutingStrategy = RoutingStrategy.REQUEST_BASED_TRAFFIC_SPLIT
    fallback_config: FallbackConfig | None = None
    retry_policy: RetryPolicy = RetryPolicy()
    timeouts: Timeouts = Timeouts()


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointPatch:
    name: str | Unset = UNSET
    model_mappings: Sequence[MappingSpec] | Unset = UNSET
    tags: Sequence[Tag] | Unset = UNSET
    routing_strategy: RoutingStrategy | Unset = UNSET
    fallback_config: FallbackConfig | Unset | None = UNSET
    retry_policy: RetryPolicy | Unset = UNSET
    timeouts: Timeouts | Unset = UNSET


class EndpointService:
    """Create, read, list, update and delete endpoints (PRODUCT §1)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    def create(self, spec: EndpointSpec, actor: str | None = None) -> Endpoint:
        with self._uow() as uow:
            if uow.endpoints.get_by_name(spec.name) is not None:
                raise AlreadyExists("endpoint", spec.name)
            endpoint = Endpoint(
                endpoint_id=self._ids.new_id(),
                name=spec.name,
                model_mappings=self._mappings(uow, spec.model_mappings),
                tags=tuple(spec.tags),
                routing_strategy=spec.routing_strategy,
                fallback_config=spec.fallback_config,
                retry_policy=spec.retry_policy,
                timeouts=spec.timeouts,
                audit=Audit.new(self._clock.now_ms(), actor),
            )
            uow.endpoints.add(endpoint)
            uow.revision.bump()
            uow.commit()
            return endpoint

    def get(self, endpoint_id: str) -> Endpoint:
        with self._uow() as uow:
            return require_endpoint(uow, endpoint_id)

    def get_by_name(self, name: str) -> Endpoint:
        with self._uow() as uow:
            endpoint = uow.endpoints.get_by_name(name)
            if endpoint is None:
                raise NotFound("endpoint", name)
            return endpoint

    def list(self, page: PageRequest, where: EndpointFilter = EndpointFilter()) -> Page[Endpoint]:
        with self._uow() as uow:
            return uow.endpoints.list(page, where)

    def update(self, endpoint_id: str, patch: EndpointPatch, actor: str | None = None) -> Endpoint:
        with self._uow() as uow:
            current = require_endpoint(uow, endpoint_id)
            name = given(patch.name, current.name)
            if name != current.name and uow.endpoints.get_by_name(name) is not None:
                raise AlreadyExists("endpoint", name)
            mappings = (
                current.model_mappings
                if isinstance(patch.model_mappings, Unset)
                else self._mappings(uow, patch.model_mappings)
            )
            updated = Endpoint(
                endpoint_id=current.endpoint_id,
                name=name,
                model_mappings=mappings,
                tags=tuple(given(patch.tags, current.tags)),
                routing_strategy=given(patch.routing_strategy, current.routing_strategy),
                fallback_config=given(patch.fallback_config, current.fallback_config),
                retry_policy=given(patch.retry_policy, current.retry_policy),
                timeouts=given(patch.timeouts, current.timeouts),
                audit=current.audit.touched(self._clock.now_ms(), actor),
            )
            uow.endpoints.update(updated)
            uow.revision.bump()
            uow.commit()
            return updated

    def delete(self, endpoint_id: str, force: bool = False) -> None:
        """Refused while bindings point here, unless forced; forced, the bindings go too."""
        with self._uow() as uow:
            require_endpoint(uow, endpoint_id)
            bindings = uow.bindings.list_by_endpoint(endpoint_id)
            if bindings and not force:
                raise HasDependents("endpoint", endpoint_id, [b.describe() for b in bindings])
            uow.bindings.delete_by_endpoint(endpoint_id)
            uow.scorers.detach_endpoint(endpoint_id)
            uow.limits.put(endpoint_id, ())
            uow.endpoints.delete(endpoint_id)
            uow.revision.bump()
            uow.commit()

    def _mappings(self, uow: UnitOfWork, specs: Sequence[MappingSpec]) -> tuple[ModelMapping, ...]:
        if not specs:
            raise InvalidInput("model_mappings", "an endpoint needs at least one PRIMARY mapping")
        mappings = []
        for spec in specs:
            model = uow.model_definitions.get(spec.model_definition_id)
            if model is None:
                raise InvalidInput(
                    "model_mappings.model_definition_id",
                    f"model definition '{spec.model_definition_id}' does not exist",
                )
            mappings.append(
                ModelMapping(
                    mapping_id=self._ids.new_id(),
                    model_definition=model,
                    weight=spec.weight,
                    linkage_type=spec.linkage_type,
                    fallback_order=spec.fallback_order,
                )
            )
        return tuple(mappings)


def require_endpoint(uow: UnitOfWork, endpoint_id: str) -> Endpoint:
    endpoint = uow.endpoints.get(endpoint_id)
    if endpoint is None:
        raise NotFound("endpoint", endpoint_id)
    return endpoint
