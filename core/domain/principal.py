"""Principals, their roles, and gateway keys (stored as hashes only)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.domain.audit import Audit
from core.domain.errors import InvalidInput
from core.domain.validation import require_name


class Role(enum.StrEnum):
    ADMIN = "admin"
    USER = "user"

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(value)
        except ValueError:
            raise InvalidInput("role", f"'{value}' is not one of: admin, user") from None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling. `endpoints` empty means every endpoint (for users too)."""

    name: str
    role: Role
    endpoints: frozenset[str] = frozenset()
    key_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_call(self, endpoint_name: str) -> bool:
        return self.is_admin or not self.endpoints or endpoint_name in self.endpoints


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    key_id: str
    name: str
    role: Role
    key_hash: str
    endpoints: tuple[str, ...] = ()
    revoked: bool = False
    audit: Audit

    def __post_init__(self) -> None:
        require_name("name", self.name)
        if self.role is Role.ADMIN and self.endpoints:
            raise InvalidInput("endpoints", "an admin key cannot be limited to endpoints")

    def principal(self) -> Principal:
        return Principal(self.name, self.role, frozenset(self.endpoints), self.key_id)

    def __repr__(self) -> str:
        return f"ApiKey(key_id={self.key_id!r}, name={self.name!r}, role={self.role.value})"
