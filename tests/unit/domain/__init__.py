"""Unit tests of core.domain: entities, validation rules and pure policies."""
