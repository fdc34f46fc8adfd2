"""Repositories over the in-memory state; reads re-hydrate embedded entities like the SQL store."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from adapters.memory.state import State
from core.domain.binding import Binding, BindingKey, ResourceType
from core.domain.endpoint import Endpoint, ModelMapping
from core.domain.errors import AlreadyExists, HasDependents, NotFound
from core.domain.limits import LimitRule
from core.domain.model_definition import ModelDefinition
from core.domain.page import Page, PageRequest, paginate
from core.domain.principal import ApiKey
from core.domain.scorer import ScorerVersion
from core.domain.secret import EncryptedValue, KekVersion, Secret, StoredSecret
from core.domain.usage import UsageRecord
from ports.repositories import EndpointFilter, UsageQuery

K = TypeVar("K")
V = TypeVar("V")


class _Repo:
    def __init__(self, state: State) -> None:
        self._s = state


class SecretRepo(_Repo):
    def add(self, stored: StoredSecret) -> None:
        if self.get_by_name(stored.secret.name) is not None:
            raise AlreadyExists("secret", stored.secret.name)
        self._s.secrets[stored.secret.secret_id] = stored

    def get(self, secret_id: str) -> StoredSecret | None:
        return self._s.secrets.get(secret_id)

    def get_by_name(self, name: str) -> StoredSecret | None:
        return next((s for s in self._s.secrets.values() if s.secret.name == name), None)

    def list(self, page: PageRequest) -> Page[Secret]:
        items = sorted((s.secret for s in self._s.secrets.values()), key=_by_creation("secret_id"))
        return paginate(items, page)

    def update(self, stored: StoredSecret) -> None:
        _require(self._s.secrets, stored.secret.secret_id, "secret")
        other = self.get_by_name(stored.secret.name)
        if other is not None and other.secret.secret_id != stored.secret.secret_id:
            raise AlreadyExists("secret", stored.secret.name)
        self._s.secrets[stored.secret.secret_id] = stored

    def delete(self, secret_id: str) -> None:
        self._s.secrets.pop(secret_id, None)
        # As the SQL schema's ON DELETE SET NULL: model definitions never point at a missing secret.
        for ident, model in list(self._s.model_definitions.items()):
            if model.secret_id == secret_id:
                self._s.model_definitions[ident] = dataclasses.replace(
                    model, secret_id=None, secret_name=None
                )

    def ids_not_wrapped_by(self, kek_version: int) -> Sequence[str]:
        return sorted(i for i, s in self._s.secrets.items() if s.encrypted.kek_version != kek_version)

    def rewrap(self, secret_id: str, encrypted: EncryptedValue) -> None:
        current = _require(self._s.secrets, secret_id, "secret")
        if encrypted.ciphertext != current.encrypted.ciphertext:
            raise ValueError("rewrap must not change the ciphertext")
        self._s.secrets[secret_id] = dataclasses.replace(current, encrypted=encrypted)


class KekRepo(_Repo):
    def list(self) -> Sequence[KekVersion]:
        return [self._s.keks[v] for v in sorted(self._s.keks)]

    def add(self, kek: KekVersion) -> None:
        if kek.version in self._s.keks:
            raise AlreadyExists("KEK version", str(kek.version))
        self._s.keks[kek.version] = kek

    def set_state(self, version: int, state: str) -> None:
        kek = _require(self._s.keks, version, "KEK version")
        self._s.keks[version] = dataclasses.replace(kek, state=state)


class ModelDefinitionRepo(_Repo):
    def add(self, model: ModelDefinition) -> None:
        if self.get_by_name(model.name) is not None:
            raise AlreadyExists("model definition", model.name)
        self._check_secret(model)
        self._s.model_definitions[model.model_definition_id] = model

    def get(self, model_definition_id: str) -> ModelDefinition | None:
        model = self._s.model_definitions.get(model_definition_id)
        return None if model is None else self._hydrate(model)

    def get_by_name(self, name: str) -> ModelDefinition | None:
        found = next((m for m in self._s.model_definitions.values() if m.name == name), None)
        return None if found is None else self._hydrate(found)

    def list(self, page: PageRequest, provider: str | None = None) -> Page[ModelDefinition]:
        items = [
            self._hydrate(m)
            for m in self._s.model_definitions.values()
            if provider is None or m.provider == provider
        ]
        return paginate(sorted(items, key=_by_creation("model_definition_id")), page)

    def update(self, model: ModelDefinition) -> None:
        _require(self._s.model_definitions, model.model_definition_id, "model definition")
        other = self.get_by_name(model.name)
        if other is not None and other.model_definition_id != model.model_definition_id:
            raise AlreadyExists("model definition", model.name)
        self._check_secret(model)
        self._s.model_definitions[model.model_definition_id] = model

    def delete(self, model_definition_id: str) -> None:
        users = sorted(
            e.name
            for e in self._s.endpoints.values()
            if any(m.model_definition.model_definition_id == model_definition_id for m in e.model_mappings)
        )
        if users:
            raise HasDependents("model definition", model_definition_id, [f"endpoint '{n}'" for n in users])
        self._s.model_definitions.pop(model_definition_id, None)

    def list_by_secret(self, secret_id: str) -> Sequence[ModelDefinition]:
        found = [m for m in self._s.model_definitions.values() if m.secret_id == secret_id]
        return [self._hydrate(m) for m in sorted(found, key=_by_creation("model_definition_id"))]

    def _check_secret(self, model: ModelDefinition) -> None:
        if model.secret_id is not None:
            _require(self._s.secrets, model.secret_id, "secret")

    def _hydrate(self, model: ModelDefinition) -> ModelDefinition:
        secret = self._s.secrets.get(model.secret_id) if model.secret_id else None
        name = secret.secret.name if secret else None
        return model if model.secret_name == name else dataclasses.replace(model, secret_name=name)


class EndpointRepo(_Repo):
    def add(self, endpoint: Endpoint) -> None:
        if self.get_by_name(endpoint.name) is not None:
            raise AlreadyExists("endpoint", endpoint.name)
        self._check_models(endpoint)
        self._s.endpoints[endpoint.endpoint_id] = endpoint

    def get(self, endpoint_id: str) -> Endpoint | None:
        endpoint = self._s.endpoints.get(endpoint_id)
        return None if endpoint is None else self._hydrate(endpoint)

    def get_by_name(self, name: str) -> Endpoint | None:
        found = next((e for e in self._s.endpoints.values() if e.name == name), None)
        return None if found is None else self._hydrate(found)

    def list(self, page: PageRequest, where: EndpointFilter = EndpointFilter()) -> Page[Endpoint]:
        items = [e for e in self.all() if _matches(e, where)]
        return paginate(items, page)

    def all(self) -> Sequence[Endpoint]:
        items = sorted(self._s.endpoints.values(), key=_by_creation("endpoint_id"))
        return [self._hydrate(e) for e in items]

    def update(self, endpoint: Endpoint) -> None:
        _require(self._s.endpoints, endpoint.endpoint_id, "endpoint")
        other = self.get_by_name(endpoint.name)
        if other is not None and other.endpoint_id != endpoint.endpoint_id:
            raise AlreadyExists("endpoint", endpoint.name)
        self._check_models(endpoint)
        self._s.endpoints[endpoint.endpoint_id] = endpoint

    def delete(self, endpoint_id: str) -> None:
        self._s.endpoints.pop(endpoint_id, None)

    def list_by_model_definition(self, model_definition_id: str) -> Sequence[Endpoint]:
        return [
            e
            for e in self.all()
            if any(m.model_definition.model_definition_id == model_definition_id for m in e.model_mappings)
        ]

    def _check_models(self, endpoint: Endpoint) -> None:
        for mapping in endpoint.model_mappings:
            _require(
                self._s.model_definitions, mapping.model_definition.model_definition_id, "model definition"
            )

    def _hydrate(self, endpoint: Endpoint) -> Endpoint:
        models = ModelDefinitionRepo(self._s)
        mappings = tuple(
            _rehydrated(m, models.get(m.model_definition.model_definition_id))
            for m in endpoint.model_mappings
        )
        return dataclasses.replace(endpoint, model_mappings=mappings)


class BindingRepo(_Repo):
    def add(self, binding: Binding) -> None:
        if binding.key in self._s.bindings:
            raise AlreadyExists("binding", binding.describe())
        _require(self._s.endpoints, binding.endpoint_id, "endpoint")
        self._s.bindings[binding.key] = binding

    def get(self, key: BindingKey) -> Binding | None:
        return self._s.bindings.get(key)

    def delete(self, key: BindingKey) -> None:
        self._s.bindings.pop(key, None)

    def list_by_endpoint(self, endpoint_id: str) -> Sequence[Binding]:
        return _sorted_bindings(b for b in self._s.bindings.values() if b.endpoint_id == endpoint_id)

    def list_by_resource(self, resource_type: ResourceType, resource_id: str) -> Sequence[Binding]:
        return _sorted_bindings(
            b
            for b in self._s.bindings.values()
            if b.resource_type is resource_type and b.resource_id == resource_id
        )

    def delete_by_endpoint(self, endpoint_id: str) -> None:
        for key in [k for k in self._s.bindings if k.endpoint_id == endpoint_id]:
            del self._s.bindings[key]


class LimitRepo(_Repo):
    def get(self, endpoint_id: str) -> tuple[LimitRule, ...]:
        return self._s.limits.get(endpoint_id, ())

    def put(self, endpoint_id: str, rules: Sequence[LimitRule]) -> None:
        if rules:
            self._s.limits[endpoint_id] = tuple(rules)
        else:
            self._s.limits.pop(endpoint_id, None)

    def all(self) -> dict[str, tuple[LimitRule, ...]]:
        return dict(self._s.limits)


class KeyRepo(_Repo):
    def add(self, key: ApiKey) -> None:
        if key.key_id in self._s.keys or self.get_by_hash(key.key_hash) is not None:
            raise AlreadyExists("key", key.key_id)
        self._s.keys[key.key_id] = key

    def get(self, key_id: str) -> ApiKey | None:
        return self._s.keys.get(key_id)

    def get_by_hash(self, key_hash: str) -> ApiKey | None:
        return next((k for k in self._s.keys.values() if k.key_hash == key_hash), None)

    def list(self, page: PageRequest) -> Page[ApiKey]:
        return paginate(sorted(self._s.keys.values(), key=_by_creation("key_id")), page)

    def update(self, key: ApiKey) -> None:
        _require(self._s.keys, key.key_id, "key")
        self._s.keys[key.key_id] = key


class ScorerRepo(_Repo):
    def add(self, version: ScorerVersion) -> None:
        ident = (version.scorer_id, version.version)
        same_name = self.versions_by_name(version.namespace, version.name)
        if ident in self._s.scorers or any(v.version == version.version for v in same_name):
            raise AlreadyExists("scorer version", f"{version.namespace}/{version.name} v{version.version}")
        self._s.scorers[ident] = version

    def versions(self, scorer_id: str) -> Sequence[ScorerVersion]:
        return sorted((v for v in self._s.scorers.values() if v.scorer_id == scorer_id), key=_version)

    def versions_by_name(self, namespace: str, name: str) -> Sequence[ScorerVersion]:
        found = (v for v in self._s.scorers.values() if v.namespace == namespace and v.name == name)
        return sorted(found, key=_version)

    def list_latest(self, page: PageRequest, namespace: str | None = None) -> Page[ScorerVersion]:
        latest: dict[str, ScorerVersion] = {}
        for v in self._s.scorers.values():
            if namespace is not None and v.namespace != namespace:
                continue
            if v.scorer_id not in latest or v.version > latest[v.scorer_id].version:
                latest[v.scorer_id] = v
        return paginate(sorted(latest.values(), key=_by_creation("scorer_id")), page)

    def delete_version(self, scorer_id: str, version: int) -> None:
        self._s.scorers.pop((scorer_id, version), None)

    def delete(self, scorer_id: str) -> None:
        for ident in [i for i in self._s.scorers if i[0] == scorer_id]:
            del self._s.scorers[ident]

    def detach_endpoint(self, endpoint_id: str) -> None:
        for ident, v in list(self._s.scorers.items()):
            if v.endpoint_id == endpoint_id:
                self._s.scorers[ident] = dataclasses.replace(v, endpoint_id=None)


class UsageRepo(_Repo):
    def add_many(self, records: Sequence[UsageRecord]) -> None:
        self._s.usage.extend(records)

    def list(self, page: PageRequest, where: UsageQuery = UsageQuery()) -> Page[UsageRecord]:
        items = [
            r
            for r in self._s.usage
            if (where.endpoint_id is None or r.endpoint_id == where.endpoint_id)
            and (where.since_ms is None or r.timestamp_ms >= where.since_ms)
            and (where.until_ms is None or r.timestamp_ms < where.until_ms)
        ]
        return paginate(sorted(items, key=lambda r: (r.timestamp_ms, r.request_id)), page)


class RevisionCounter(_Repo):
    def bump(self) -> None:
        self._s.revision += 1

    def current(self) -> int:
        return self._s.revision


def _require(items: dict[K, V], key: K, entity: str) -> V:
    if key not in items:
        raise NotFound(entity, str(key))
    return items[key]


def _by_creation(id_field: str) -> Callable[[Any], tuple[int, str]]:
    return lambda e: (e.audit.created_at, getattr(e, id_field))


def _version(v: ScorerVersion) -> int:
    return v.version


def _sorted_bindings(bindings: Iterable[Binding]) -> list[Binding]:
    return sorted(bindings, key=lambda b: (b.audit.created_at, b.resource_id))


def _matches(endpoint: Endpoint, where: EndpointFilter) -> bool:
    if where.name is not None and not endpoint.name.startswith(where.name):
        return False
    if where.provider is not None and where.provider not in endpoint.providers:
        return False
    if where.tag_key is not None:
        tags = {(t.key, t.value) for t in endpoint.tags}
        if where.tag_value is None:
            return any(k == where.tag_key for k, _ in tags)
        return (where.tag_key, where.tag_value) in tags
    return True


def _rehydrated(mapping: ModelMapping, model: ModelDefinition | None) -> ModelMapping:
    if model is None or model == mapping.model_definition:
        return mapping
    return dataclasses.replace(mapping, model_definition=model)
