"""The `store` fixture: the same contract tests against in-memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from adapters.memory import InMemoryStore
from adapters.storage import SqlStore, create_engine_for, upgrade_database
from adapters.storage._tables import metadata
from ports.unit_of_work import UnitOfWork


class Store(Protocol):
    def unit_of_work(self) -> UnitOfWork: ...


@pytest.fixture(scope="session")
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A fresh, migrated database for this test run, dropped afterwards."""
    name = f"switchboard_contract_{uuid.uuid4().hex[:12]}"
    server = create_engine_for(postgres_url)
    _admin(server, f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def _admin(engine: Engine, statement: str) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))


def _empty(store: SqlStore) -> None:
    """Each test starts from the state right after migration (DELETE is faster than TRUNCATE here)."""
    with store.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        connection.execute(text("INSERT INTO config_revision (id, revision) VALUES (1, 0)"))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_store(postgres_database: str) -> Iterator[SqlStore]:
    store = SqlStore(postgres_database)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield InMemoryStore()
    elif request.param == "sqlite":
        path = tmp_path / "contract.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        sqlite = SqlStore(f"sqlite:///{path}")
        try:
            yield sqlite
        finally:
            sqlite.close()
    else:
        postgres: SqlStore = request.getfixturevalue("postgres_store")
        _empty(postgres)
        yield postgres
