"""Decrypted provider keys for the invocation path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class DecryptedSecret:
    value: str = field(repr=False)
    auth_config: Mapping[str, Any] = field(default_factory=dict)


class SecretValueSource(Protocol):
    def get(self, secret_id: str) -> DecryptedSecret:
        """The plaintext and settings of a secret, cached per process; NotFound if it is gone."""
        ...
