"""An in-memory store: every repository over plain dicts, with all-or-nothing commits.

A unit of work holds the store's lock for its whole duration and works on a copy of the
state, so units of work are serialisable and uncommitted changes vanish.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from adapters.memory import repositories as repos
from adapters.memory.state import State


class InMemoryStore:
    def __init__(self) -> None:
        self._state = State()
        self._lock = threading.RLock()

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)

    def _begin(self) -> State:
        self._lock.acquire()
        return self._state.clone()

    def _commit(self, state: State) -> None:
        self._state = state

    def _end(self) -> None:
        self._lock.release()


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def __enter__(self) -> Self:
        self._bind(self._store._begin())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._store._end()

    def commit(self) -> None:
        self._store._commit(self._state)
        self._bind(self._state.clone())

    def rollback(self) -> None:
        self._bind(self._store._state.clone())

    def _bind(self, state: State) -> None:
        self._state = state
        self.secrets = repos.SecretRepo(state)
        self.keks = repos.KekRepo(state)
        self.model_definitions = repos.ModelDefinitionRepo(state)
        self.endpoints = repos.EndpointRepo(state)
        self.bindings = repos.BindingRepo(state)
        self.limits = repos.LimitRepo(state)
        self.keys = repos.KeyRepo(state)
        self.scorers = repos.ScorerRepo(state)
        self.usage = repos.UsageRepo(state)
        self.revision = repos.RevisionCounter(state)
