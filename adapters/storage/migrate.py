"""Alembic, configured in code (no alembic.ini), so migrations run from an installed wheel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from adapters.storage.engine import DEFAULT_DATABASE_URL, create_engine_for

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "switchboard db upgrade"


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where the database's schema stands against the migrations this code ships."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        if self.up_to_date:
            return f"database schema is up to date (revision {self.head})"
        found = "no schema" if self.current is None else f"schema revision {self.current}"
        return (
            f"database has {found} but this version of Switchboard needs revision {self.head}; "
            f"run `{UPGRADE_COMMAND}` first"
        )


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def upgrade_engine(engine: Engine) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def engine_schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current=current, head=head_revision())


def upgrade_database(url: str = DEFAULT_DATABASE_URL) -> SchemaStatus:
    """Create or migrate the schema at `url` to the newest revision (`switchboard db upgrade`)."""
    engine = create_engine_for(url)
    try:
        upgrade_engine(engine)
        return engine_schema_status(engine)
    finally:
        engine.dispose()


def schema_status(url: str = DEFAULT_DATABASE_URL) -> SchemaStatus:
    """The schema's current revision against the newest one; `serve` refuses to run when behind."""
    engine = create_engine_for(url)
    try:
        return engine_schema_status(engine)
    finally:
        engine.dispose()
