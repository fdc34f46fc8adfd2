"""Engines for SQLite (WAL, foreign keys on) and PostgreSQL (psycopg 3), from a database URL."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

DEFAULT_DATABASE_URL = "sqlite:///switchboard.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> URL:
    """Accept `postgres://` and `postgresql://` and pick the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine_for(url: str = DEFAULT_DATABASE_URL) -> Engine:
    """A new engine for `url`; build one per process and share it (it owns the pool)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    else:
        engine = create_engine(parsed, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)
    event.listen(engine, "connect", _remember_process)
    event.listen(engine, "checkout", _refuse_inherited_connection)
    return engine


def _remember_process(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["pid"] = os.getpid()


def _refuse_inherited_connection(_dbapi_connection: Any, record: Any, proxy: Any) -> None:
    # A connection opened before a fork must never be shared with the child: the pool drops it
    # and opens a fresh one (SQLAlchemy's documented recipe for multi-process servers).
    if record.info.get("pid") != os.getpid():
        record.dbapi_connection = proxy.dbapi_connection = None
        raise DisconnectionError("connection belongs to another process; reconnecting")


def _sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        # One shared connection, or every checkout would see a different empty database.
        options["poolclass"] = StaticPool
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from the sqlite3 module (it would defer BEGIN and break
    # SAVEPOINTs); `_begin_immediate` issues BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # Taking the write lock up front means a transaction that reads, then writes, waits on
    # the busy timeout instead of failing with SQLITE_BUSY halfway through.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
