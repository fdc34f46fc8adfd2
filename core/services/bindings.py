"""Generic bindings: which resources use which endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.audit import Audit
from core.domain.binding import Binding, BindingKey, ResourceType
from core.domain.errors import AlreadyExists, NotFound
from core.services.endpoints import require_endpoint
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory


class BindingService:
    """Create, delete and list bindings; scorers manage their own through ScorerService."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(
        self,
        endpoint_id: str,
        resource_type: str,
        resource_id: str,
        display_name: str,
        actor: str | None = None,
    ) -> Binding:
        binding = Binding(
            endpoint_id=endpoint_id,
            resource_type=ResourceType.parse(resource_type),
            resource_id=resource_id,
            display_name=display_name,
            audit=Audit.new(self._clock.now_ms(), actor),
        )
        with self._uow() as uow:
            require_endpoint(uow, endpoint_id)
            if uow.bindings.get(binding.key) is not None:
                raise AlreadyExists("binding", binding.describe())
            uow.bindings.add(binding)
            uow.commit()
        return binding

    def delete(self, endpoint_id: str, resource_type: str, resource_id: str) -> None:
        key = BindingKey(endpoint_id, ResourceType.parse(resource_type), resource_id)
        with self._uow() as uow:
            if uow.bindings.get(key) is None:
                raise NotFound("binding", f"{resource_type}/{resource_id} on {endpoint_id}")
            uow.bindings.delete(key)
            uow.commit()

    def list_by_endpoint(self, endpoint_id: str) -> Sequence[Binding]:
        with self._uow() as uow:
            require_endpoint(uow, endpoint_id)
            return uow.bindings.list_by_endpoint(endpoint_id)

    def list_by_resource(self, resource_type: str, resource_id: str) -> Sequence[Binding]:
        with self._uow() as uow:
            return uow.bindings.list_by_resource(ResourceType.parse(resource_type), resource_id)
