"""Random, URL-safe ids (128 bits)."""

from __future__ import annotations

import secrets


class RandomIds:
    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix

    def new_id(self) -> str:
        return self._prefix + secrets.token_urlsafe(16)
