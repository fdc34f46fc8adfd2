"""The `store` fixture: the same contract tests against in-memory, SQLite and PostgreSQL stores."""

from __future__ import annotations

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


def _empty_postgres(url: str) -> None:
    """Each test starts from the state right after migration."""
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
            connection.execute(text("INSERT INTO config_revision (id, revision) VALUES (1, 0)"))
    finally:
        engine.dispose()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
        upgrade_database(url)
    else:
        url = request.getfixturevalue("postgres_database")
        _empty_postgres(url)
    sql = SqlStore(url)
    try:
        yield sql
    finally:
        sql.close()
