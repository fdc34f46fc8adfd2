"""The SQL store's schema and connections: migrations match the tables, SQLite is set up safely."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.storage import SqlStore, create_engine_for, schema_status, upgrade_database
from adapters.storage._tables import metadata
from adapters.storage.engine import normalize_url
from core.domain.errors import InvalidInput
from tests.contract.builders import secret

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_postgres(postgres_url: str) -> Iterator[str]:
    """A database with no schema at all, dropped afterwards."""
    name = f"switchboard_schema_{uuid.uuid4().hex[:12]}"
    server = create_engine_for(postgres_url)
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    url: str = request.getfixturevalue("empty_postgres")
    return url


def test_migrations_create_exactly_the_tables_the_code_uses(empty_database: str) -> None:
    upgrade_database(empty_database)
    engine = create_engine_for(empty_database)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_serve_can_tell_an_out_of_date_schema_and_name_the_fix(empty_database: str) -> None:
    before = schema_status(empty_database)
    assert not before.up_to_date
    assert before.current is None
    assert "switchboard db upgrade" in before.describe()

    after = upgrade_database(empty_database)
    assert after.up_to_date
    assert after == schema_status(empty_database)
    assert upgrade_database(empty_database) == after  # upgrading again changes nothing


def test_a_fresh_schema_starts_at_revision_zero(empty_database: str) -> None:
    upgrade_database(empty_database)
    store = SqlStore(empty_database)
    try:
        with store.unit_of_work() as uow:
            assert uow.revision.current() == 0
        assert store.ping()
    finally:
        store.close()


def test_every_sqlite_connection_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'pragmas.db'}")
    # Raw pool connections: two at once, and no transaction (which would take the write lock).
    first, second = engine.raw_connection(), engine.raw_connection()
    try:
        for connection in (first, second):
            cursor = connection.cursor()
            assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert cursor.execute("PRAGMA foreign_keys").fetchone() == (1,)
            assert cursor.execute("PRAGMA busy_timeout").fetchone() == (30_000,)
            cursor.close()
    finally:
        first.close()
        second.close()
        engine.dispose()


@pytest.mark.parametrize("url", ["postgresql://u:p@db:5432/sb", "postgres://u:p@db/sb"])
def test_postgres_urls_use_the_psycopg_3_driver(url: str) -> None:
    assert normalize_url(url).drivername == "postgresql+psycopg"
    engine = create_engine_for(url)  # no connection is made until used
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_an_unreachable_database_is_reported_not_raised() -> None:
    store = SqlStore("postgresql://nobody:wrong@127.0.0.1:1/none?connect_timeout=2")
    try:
        assert store.ping() is False
    finally:
        store.close()


def test_the_default_database_is_switchboard_db_in_the_working_directory(tmp_path: Path) -> None:
    script = "from adapters.storage import upgrade_database; print(upgrade_database().up_to_date)"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True"
    assert (tmp_path / "switchboard.db").is_file()


@pytest.mark.postgres
def test_postgres_refusing_an_oversized_value_surfaces_as_invalid_input(postgres_database: str) -> None:
    stored = secret("oversized")
    oversized = dataclasses.replace(stored, secret=dataclasses.replace(stored.secret, masked_value="x" * 65))
    store = SqlStore(postgres_database)
    try:
        with store.unit_of_work() as uow:
            with pytest.raises(InvalidInput) as caught:
                uow.secrets.add(oversized)
            assert caught.value.__cause__ is None
            assert uow.secrets.get("oversized") is None  # and the unit of work goes on
    finally:
        store.close()
