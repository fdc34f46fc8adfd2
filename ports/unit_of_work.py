"""One transaction over every repository: commit all changes or none."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from ports.repositories import (
    BindingRepository,
    ConfigRevision,
    EndpointRepository,
    KekRepository,
    KeyRepository,
    LimitRepository,
    ModelDefinitionRepository,
    ScorerRepository,
    SecretRepository,
    UsageRepository,
)


class UnitOfWork(Protocol):
    """Use as a context manager; changes persist only after `commit()`.

    Leaving the block without committing (or by an exception) rolls back. Integrity
    violations the store detects surface as `core.domain.errors` (AlreadyExists, NotFound).
    """

    # Read-only members, so an adapter's concrete repository classes satisfy them.
    @property
    def secrets(self) -> SecretRepository: ...
    @property
    def keks(self) -> KekRepository: ...
    @property
    def model_definitions(self) -> ModelDefinitionRepository: ...
    @property
    def endpoints(self) -> EndpointRepository: ...
    @property
    def bindings(self) -> BindingRepository: ...
    @property
    def limits(self) -> LimitRepository: ...
    @property
    def keys(self) -> KeyRepository: ...
    @property
    def scorers(self) -> ScorerRepository: ...
    @property
    def usage(self) -> UsageRepository: ...
    @property
    def revision(self) -> ConfigRevision: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
