"""Unit tests of core.services, over the in-memory store and fake clock and ids."""
