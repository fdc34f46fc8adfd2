"""Random, URL-safe ids (128 bits)."""

from __future__ import annotations

import secrets


class RandomIds:
    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix

    def new_id(self) -> str:
        while True:
            ident = secrets.token_urlsafe(16)
            if not ident.startswith("-"):  # an id like "-x..." would read as an option on a command line
                return self._prefix + ident
