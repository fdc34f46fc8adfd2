"""Alembic migrations of Switchboard's schema (run through adapters.storage.migrate)."""
