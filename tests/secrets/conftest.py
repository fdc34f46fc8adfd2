"""A deployment (one database) from which tests start 'processes': services with their own KEK state.

Each process gets its own cipher, so it must unlock the KEK again, exactly as a restarted
server would. The same tests run on the in-memory store, SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from adapters.crypto import AesGcmCipher
from adapters.memory import InMemoryStore
from adapters.storage import SqlStore, create_engine_for, upgrade_database
from adapters.storage._tables import metadata
from apps.bootstrap import Services, build
from apps.settings import Settings
from ports.unit_of_work import UnitOfWorkFactory

PASSPHRASE = "correct horse battery staple"
NEW_PASSPHRASE = "tr0ubador & a fresh new passphrase"
# A value distinctive enough that finding any 16-character piece of it anywhere is a leak.
PLAINTEXT = "sk-live-CANARY-7f3c9b2e41d84a6f95c0-PLAINTEXT-q8Zr"
LEAK_MARKERS = ("CANARY-7f3c9b2e41d84a6f95c0", "PLAINTEXT-q8Zr", PLAINTEXT)
# Production derives KEKs with 600,000 PBKDF2 iterations (test_cipher checks the default);
# these tests derive dozens of KEKs, so they make theirs cheaper. Unlocking uses whatever
# count the stored KEK version records, exactly as in production.
TEST_ITERATIONS = 1_000


@dataclass
class Deployment:
    """One database; `process()` starts a fresh set of services on it."""

    kind: str
    url: str
    memory: InMemoryStore | None = None
    _stores: list[SqlStore] = field(default_factory=list)

    def unit_of_work(self) -> UnitOfWorkFactory:
        if self.memory is not None:
            return self.memory.unit_of_work
        store = SqlStore(self.url)
        self._stores.append(store)
        return store.unit_of_work

    def process(
        self,
        passphrase: str | None = PASSPHRASE,
        next_passphrase: str | None = None,
        uow: UnitOfWorkFactory | None = None,
        cipher: AesGcmCipher | None = None,
    ) -> Services:
        settings = Settings(
            database_url=self.url, kek_passphrase=passphrase, kek_passphrase_next=next_passphrase
        )
        return build(
            settings,
            uow=uow or self.unit_of_work(),
            cipher=cipher or AesGcmCipher(iterations=TEST_ITERATIONS),
        )

    def close(self) -> None:
        for store in self._stores:
            store.close()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    if request.param == "memory":
        yield Deployment("memory", "memory://", memory=InMemoryStore())
    elif request.param == "sqlite":
        yield from _sqlite_deployment(tmp_path)
    else:
        yield from _postgres_deployment(request)


@pytest.fixture
def sqlite_deployment(tmp_path: Path) -> Iterator[Deployment]:
    yield from _sqlite_deployment(tmp_path)


@pytest.fixture
def postgres_deployment(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    yield from _postgres_deployment(request)


def _sqlite_deployment(tmp_path: Path) -> Iterator[Deployment]:
    url = f"sqlite:///{tmp_path / 'switchboard.db'}"
    upgrade_database(url)
    deployment = Deployment("sqlite", url)
    try:
        yield deployment
    finally:
        deployment.close()


@pytest.fixture(scope="session")
def secrets_postgres_database(postgres_url: str) -> Iterator[str]:
    """One migrated database for this test run (each test empties it), dropped afterwards."""
    name = f"switchboard_secrets_{uuid.uuid4().hex[:12]}"
    server = create_engine_for(postgres_url)
    _admin(server, f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def _postgres_deployment(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    url = request.getfixturevalue("secrets_postgres_database")
    _empty_postgres(url)
    deployment = Deployment("postgres", url)
    try:
        yield deployment
    finally:
        deployment.close()


def _empty_postgres(url: str) -> None:
    """Back to the state right after migration."""
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
            connection.execute(text("INSERT INTO config_revision (id, revision) VALUES (1, 0)"))
    finally:
        engine.dispose()


def _admin(engine: Engine, statement: str) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))


def leaks(text_or_bytes: str | bytes, markers: tuple[str, ...] = LEAK_MARKERS) -> list[str]:
    """The pieces of the test plaintext found in `text_or_bytes`, as text or hex (empty when none).

    Hex matters: a database dump shows binary columns as hex, so a value stored unencrypted
    in one would appear only that way.
    """
    haystack = text_or_bytes if isinstance(text_or_bytes, bytes) else text_or_bytes.encode()
    lowered = haystack.lower()
    return [m for m in markers if m.encode() in haystack or m.encode().hex().encode() in lowered]
