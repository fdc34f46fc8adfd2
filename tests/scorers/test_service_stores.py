"""ScorerService on every store (in-memory, SQLite, PostgreSQL): the binding rules, and rule 6 —
a scorer change and its binding change commit together or not at all."""

from __future__ import annotations

import random
from types import TracebackType
from typing import Any

import pytest

from adapters.system import RandomIds
from core.domain.binding import Binding, BindingKey, ResourceType
from core.domain.page import PageRequest
from core.services.endpoints import EndpointService, EndpointSpec, MappingSpec
from core.services.invocation.service import InvocationService
from core.services.invocation.snapshot import ConfigCache
from core.services.model_definitions import ModelDefinitionService, ModelDefinitionSpec
from core.services.scorers import ScorerService, ScorerSpec
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.contract.conftest import Store
from tests.fakes.clock import FakeClock
from tests.fakes.providers import FakeRegistry
from tests.fakes.secrets import DictSecretValues, ListUsageSink
from tests.scorers.conftest import JUDGE


class BrokenBindings:
    """The store's binding repository, except that writes fail (e.g. the connection drops)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def add(self, binding: Binding) -> None:
        raise ConnectionError("lost the database mid-transaction")

    def delete(self, key: BindingKey) -> None:
        raise ConnectionError("lost the database mid-transaction")


class BindingWritesFail:
    """A unit of work of the real store whose binding writes fail after the scorer writes succeeded."""

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def bindings(self) -> BrokenBindings:
        return BrokenBindings(self._inner.bindings)

    def __enter__(self) -> BindingWritesFail:
        self._inner.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)


def scorer_service(uow: UnitOfWorkFactory, clock: FakeClock) -> ScorerService:
    ids = RandomIds()
    invocation = InvocationService(
        config=ConfigCache(uow),
        providers=FakeRegistry(),
        secrets=DictSecretValues(),
        usage=ListUsageSink(),
        clock=clock,
        random=random.Random(1).random,
    )
    return ScorerService(uow, clock, ids, invocation)


def endpoint(store: Store, clock: FakeClock, name: str) -> str:
    ids = RandomIds()
    model = ModelDefinitionService(store.unit_of_work, clock, ids).create(
        ModelDefinitionSpec(name=f"{name}-m", provider="mock", model_name="m")
    )
    spec = EndpointSpec(
        name=name, model_mappings=[MappingSpec(model_definition_id=model.model_definition_id)]
    )
    return EndpointService(store.unit_of_work, clock, ids).create(spec).endpoint_id


def spec(endpoint_id: str, name: str = "correct", namespace: str = "exp") -> ScorerSpec:
    return ScorerSpec(
        namespace=namespace, name=name, instructions=JUDGE, result_type="yes_no", endpoint_id=endpoint_id
    )


def bound_endpoints(store: Store, scorer_id: str) -> list[str]:
    with store.unit_of_work() as uow:
        return [b.endpoint_id for b in uow.bindings.list_by_resource(ResourceType.SCORER, scorer_id)]


def test_the_binding_follows_the_newest_version(store: Store) -> None:
    clock = FakeClock()
    scorers = scorer_service(store.unit_of_work, clock)
    first, second = endpoint(store, clock, "judge-a"), endpoint(store, clock, "judge-b")

    scorer_id = scorers.register(spec(first)).scorer_id
    assert bound_endpoints(store, scorer_id) == [first]
    clock.advance(1)
    assert scorers.register(spec(second)).version == 2
    assert bound_endpoints(store, scorer_id) == [second]
    other = scorers.register(spec(first, namespace="exp-2")).scorer_id
    assert other != scorer_id and bound_endpoints(store, other) == [first]

    scorers.delete(scorer_id, version=2)
    assert bound_endpoints(store, scorer_id) == [first]
    scorers.delete(scorer_id)
    assert bound_endpoints(store, scorer_id) == []
    assert [s.scorer_id for s in scorers.list(PageRequest()).items] == [other]


def test_a_failed_binding_write_stores_no_new_version(store: Store) -> None:
    clock = FakeClock()
    first, second = endpoint(store, clock, "judge-a"), endpoint(store, clock, "judge-b")
    scorer_id = scorer_service(store.unit_of_work, clock).register(spec(first)).scorer_id
    failing = scorer_service(lambda: BindingWritesFail(store.unit_of_work()), clock)

    with pytest.raises(ConnectionError):
        failing.register(spec(second))
    with pytest.raises(ConnectionError):
        failing.register(spec(first, name="brand-new"))

    scorers = scorer_service(store.unit_of_work, clock)
    assert [v.version for v in scorers.get(scorer_id).versions] == [1]
    assert [s.name for s in scorers.list(PageRequest()).items] == ["correct"]
    assert bound_endpoints(store, scorer_id) == [first]


def test_a_failed_binding_write_deletes_nothing(store: Store) -> None:
    clock = FakeClock()
    first, second = endpoint(store, clock, "judge-a"), endpoint(store, clock, "judge-b")
    scorers = scorer_service(store.unit_of_work, clock)
    scorer_id = scorers.register(spec(first)).scorer_id
    scorers.register(spec(second))
    failing = scorer_service(lambda: BindingWritesFail(store.unit_of_work()), clock)

    with pytest.raises(ConnectionError):
        failing.delete(scorer_id, version=2)
    with pytest.raises(ConnectionError):
        failing.delete(scorer_id)

    assert [v.version for v in scorers.get(scorer_id).versions] == [1, 2]
    assert bound_endpoints(store, scorer_id) == [second]
