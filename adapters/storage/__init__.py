"""SQLModel storage on SQLite (default, a file in WAL mode) or PostgreSQL, with Alembic migrations."""

from adapters.storage.engine import DEFAULT_DATABASE_URL, create_engine_for
from adapters.storage.migrate import SchemaStatus, schema_status, upgrade_database
from adapters.storage.store import SqlStore

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SchemaStatus",
    "SqlStore",
    "create_engine_for",
    "schema_status",
    "upgrade_database",
]
