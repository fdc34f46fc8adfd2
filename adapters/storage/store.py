"""The SQL store: one engine per process, a fresh session for every unit of work."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from adapters.storage.engine import DEFAULT_DATABASE_URL, create_engine_for
from adapters.storage.migrate import SchemaStatus, engine_schema_status, upgrade_engine
from adapters.storage.unit_of_work import SqlUnitOfWork


class SqlStore:
    """SQLite or PostgreSQL behind the unit-of-work port; build one per process and share it."""

    def __init__(self, url: str = DEFAULT_DATABASE_URL) -> None:
        self._engine: Engine = create_engine_for(url)

    @property
    def engine(self) -> Engine:
        """The shared engine, for tooling and tests; application code uses units of work."""
        return self._engine

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine)

    def ping(self) -> bool:
        """Whether the database answers (for `/ready`); never raises."""
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def upgrade(self) -> SchemaStatus:
        """Migrate this store's database to the newest schema."""
        upgrade_engine(self._engine)
        return engine_schema_status(self._engine)

    def schema_status(self) -> SchemaStatus:
        return engine_schema_status(self._engine)

    def close(self) -> None:
        """Close pooled connections (tests and shutdown)."""
        self._engine.dispose()
