"""In-memory store for notebooks, demos and unit tests."""

from adapters.memory.store import InMemoryStore

__all__ = ["InMemoryStore"]
