"""Switchboard's domain: entities, value objects, errors and pure policies (stdlib only)."""
