"""A unit of work over one SQL session: one transaction, committed or rolled back as a whole."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from adapters.storage._errors import translate
from adapters.storage.repositories import (
    SqlBindingRepository,
    SqlConfigRevision,
    SqlEndpointRepository,
    SqlKekRepository,
    SqlKeyRepository,
    SqlLimitRepository,
    SqlModelDefinitionRepository,
    SqlScorerRepository,
    SqlSecretRepository,
    SqlUsageRepository,
)


class SqlUnitOfWork:
    """Implements `ports.unit_of_work.UnitOfWork`; leaving the block without `commit()` rolls back."""

    secrets: SqlSecretRepository
    keks: SqlKekRepository
    model_definitions: SqlModelDefinitionRepository
    endpoints: SqlEndpointRepository
    bindings: SqlBindingRepository
    limits: SqlLimitRepository
    keys: SqlKeyRepository
    scorers: SqlScorerRepository
    usage: SqlUsageRepository
    revision: SqlConfigRevision

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: Session | None = None

    def __enter__(self) -> Self:
        # Rows are mapped to immutable entities at once, so nothing needs refreshing after commit.
        session = Session(self._engine, expire_on_commit=False)
        self._session = session
        self.secrets = SqlSecretRepository(session)
        self.keks = SqlKekRepository(session)
        self.model_definitions = SqlModelDefinitionRepository(session)
        self.endpoints = SqlEndpointRepository(session)
        self.bindings = SqlBindingRepository(session)
        self.limits = SqlLimitRepository(session)
        self.keys = SqlKeyRepository(session)
        self.scorers = SqlScorerRepository(session)
        self.usage = SqlUsageRepository(session)
        self.revision = SqlConfigRevision(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._active(), None
        try:
            session.rollback()
        finally:
            session.close()

    def commit(self) -> None:
        session = self._active()
        try:
            session.commit()
        except IntegrityError as error:
            session.rollback()
            raise translate(error) from None

    def rollback(self) -> None:
        self._active().rollback()

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work as a context manager ('with store.unit_of_work()')")
        return self._session
