"""Alembic environment: runs on the connection handed over by adapters.storage.migrate."""

from __future__ import annotations

from alembic import context

from adapters.storage._tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with adapters.storage.upgrade_database(url), not the alembic CLI")

context.configure(connection=connection, target_metadata=metadata, compare_type=True, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
