"""Managing model definitions: shared, reusable model configurations."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.domain.audit import Audit
from core.domain.endpoint import Endpoint, FallbackConfig, LinkageType
from core.domain.errors import AlreadyExists, HasDependents, InvalidInput, NotFound
from core.domain.model_definition import ModelDefinition
from core.domain.page import Page, PageRequest
from core.services.unset import UNSET, Unset, given
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelDefinitionSpec:
    name: str
    provider: str
    model_name: str
    secret_id: str | None = None
    api_base: str | None = None
    provider_settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelDefinitionPatch:
    name: str | Unset = UNSET
    provider: str | Unset = UNSET
    model_name: str | Unset = UNSET
    secret_id: str | Unset | None = UNSET
    api_base: str | Unset | None = UNSET
    provider_settings: Mapping[str, Any] | Unset = UNSET


class ModelDefinitionService:
    """Create, read, list, update and delete model definitions (PRODUCT §1)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    def create(self, spec: ModelDefinitionSpec, actor: str | None = None) -> ModelDefinition:
        with self._uow() as uow:
            if uow.model_definitions.get_by_name(spec.name) is not None:
                raise AlreadyExists("model definition", spec.name)
            secret_name = _secret_name(uow, spec.secret_id)
            model = ModelDefinition(
                model_definition_id=self._ids.new_id(),
                name=spec.name,
                provider=spec.provider,
                model_name=spec.model_name,
                secret_id=spec.secret_id,
                secret_name=secret_name,
                api_base=spec.api_base,
                provider_settings=dict(spec.provider_settings),
                audit=Audit.new(self._clock.now_ms(), actor),
            )
            uow.model_definitions.add(model)
            uow.revision.bump()
            uow.commit()
            return model

    def get(self, model_definition_id: str) -> ModelDefinition:
        with self._uow() as uow:
            return _require(uow, model_definition_id)

    def list(self, page: PageRequest, provider: str | None = None) -> Page[ModelDefinition]:
        with self._uow() as uow:
            return uow.model_definitions.list(page, provider)

    def update(
        self, model_definition_id: str, patch: ModelDefinitionPatch, actor: str | None = None
    ) -> ModelDefinition:
        with self._uow() as uow:
            current = _require(uow, model_definition_id)
            name = given(patch.name, current.name)
            if name != current.name and uow.model_definitions.get_by_name(name) is not None:
                raise AlreadyExists("model definition", name)
            secret_id = given(patch.secret_id, current.secret_id)
            updated = ModelDefinition(
                model_definition_id=current.model_definition_id,
                name=name,
                provider=given(patch.provider, current.provider),
                model_name=given(patch.model_name, current.model_name),
                secret_id=secret_id,
                secret_name=_secret_name(uow, secret_id),
                api_base=given(patch.api_base, current.api_base),
                provider_settings=dict(given(patch.provider_settings, current.provider_settings)),
                orphaned=current.orphaned and secret_id is None,
                audit=current.audit.touched(self._clock.now_ms(), actor),
            )
            uow.model_definitions.update(updated)
            uow.revision.bump()
            uow.commit()
            return updated

    def delete(self, model_definition_id: str, force: bool = False, actor: str | None = None) -> None:
        """Refused while endpoints use it, unless forced; forced, its mappings are removed.

        Even forced, it is refused when it is the only PRIMARY of an endpoint, since that
        endpoint could no longer serve anything.
        """
        with self._uow() as uow:
            _require(uow, model_definition_id)
            users = uow.endpoints.list_by_model_definition(model_definition_id)
            if users and not force:
                raise HasDependents(
                    "model definition", model_definition_id, [f"endpoint '{e.name}'" for e in users]
                )
            stranded = [e for e in users if _only_primary(e, model_definition_id)]
            if stranded:
                raise HasDependents(
                    "model definition",
                    model_definition_id,
                    [f"endpoint '{e.name}' (its only PRIMARY model)" for e in stranded],
                )
            now = self._clock.now_ms()
            for endpoint in users:
                uow.endpoints.update(_without_model(endpoint, model_definition_id, now, actor))
            uow.model_definitions.delete(model_definition_id)
            uow.revision.bump()
            uow.commit()


def _require(uow: UnitOfWork, model_definition_id: str) -> ModelDefinition:
    model = uow.model_definitions.get(model_definition_id)
    if model is None:
        raise NotFound("model definition", model_definition_id)
    return model


def _secret_name(uow: UnitOfWork, secret_id: str | None) -> str | None:
    if secret_id is None:
        return None
    stored = uow.secrets.get(secret_id)
    if stored is None:
        raise InvalidInput("secret_id", f"secret '{secret_id}' does not exist")
    return stored.secret.name


def _only_primary(endpoint: Endpoint, model_definition_id: str) -> bool:
    return all(m.model_definition.model_definition_id == model_definition_id for m in endpoint.primaries)


def _without_model(endpoint: Endpoint, model_definition_id: str, now_ms: int, actor: str | None) -> Endpoint:
    kept = tuple(
        m for m in endpoint.model_mappings if m.model_definition.model_definition_id != model_definition_id
    )
    fallbacks = sum(1 for m in kept if m.linkage_type is LinkageType.FALLBACK)
    config = endpoint.fallback_config
    if config is not None:
        config = (
            FallbackConfig(strategy=config.strategy, max_attempts=min(config.max_attempts, 1 + fallbacks))
            if fallbacks
            else None
        )
    return dataclasses.replace(
        endpoint,
        model_mappings=kept,
        fallback_config=config,
        audit=endpoint.audit.touched(now_ms, actor),
    )
