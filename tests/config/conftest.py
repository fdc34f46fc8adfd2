"""Config tests apply files through the real CLI on an in-memory gateway."""

from __future__ import annotations

from tests.cli.conftest import invoke, services

__all__ = ["invoke", "services"]
