"""Gateway keys: issued once in plaintext, stored only as a hash, verified in constant time."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from core.domain.audit import Audit
from core.domain.errors import InvalidInput, NotFound, Unauthenticated
from core.domain.page import Page, PageRequest
from core.domain.principal import ApiKey, Principal, Role
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

KEY_PREFIX = "sb-"
_KEY_BYTES = 32


def hash_key(presented: str) -> str:
    """SHA-256 of a gateway key: keys carry 256 bits of entropy, so a fast hash is enough."""
    return hashlib.sha256(presented.encode()).hexdigest()


class KeyService:
    """Create, list, revoke and verify gateway keys (PRODUCT §1, Principals and keys)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    def create(
        self,
        name: str,
        role: str | Role,
        endpoints: Sequence[str] = (),
        actor: str | None = None,
    ) -> tuple[ApiKey, str]:
        """Issue a key for principal `name`.

        Args:
            name: The principal's name (recorded as `created_by` on what it changes).
            role: `admin` or `user`.
            endpoints: Endpoint names a user key is limited to; empty means every endpoint.
            actor: Who issues the key.

        Returns:
            The stored key (hash only) and the plaintext, which is never available again.

        Raises:
            InvalidInput: Unknown role, bad name, an admin key limited to endpoints, or an
                endpoint name that does not exist.
        """
        plaintext = KEY_PREFIX + secrets.token_urlsafe(_KEY_BYTES)
        key = ApiKey(
            key_id=self._ids.new_id(),
            name=name,
            role=role if isinstance(role, Role) else Role.parse(role),
            key_hash=hash_key(plaintext),
            endpoints=tuple(dict.fromkeys(endpoints)),
            audit=Audit.new(self._clock.now_ms(), actor),
        )
        with self._uow() as uow:
            _require_endpoints(uow, key.endpoints)
            uow.keys.add(key)
            uow.revision.bump()
            uow.commit()
        return key, plaintext

    def get(self, key_id: str) -> ApiKey:
        with self._uow() as uow:
            return _require(uow, key_id)

    def list(self, page: PageRequest) -> Page[ApiKey]:
        """Keys with their hashes; front-ends show neither the hash nor (ever) the plaintext."""
        with self._uow() as uow:
            return uow.keys.list(page)

    def revoke(self, key_id: str, actor: str | None = None) -> ApiKey:
        """Make the key unusable from now on; revoking twice is harmless."""
        with self._uow() as uow:
            current = _require(uow, key_id)
            if current.revoked:
                return current
            revoked = dataclasses.replace(
                current, revoked=True, audit=current.audit.touched(self._clock.now_ms(), actor)
            )
            uow.keys.update(revoked)
            uow.revision.bump()
            uow.commit()
            return revoked

    def authenticate(self, presented: str | None) -> Principal:
        """The principal a presented key belongs to.

        Raises:
            Unauthenticated: No key, an unknown key, or a revoked key (one message for all,
                so a caller learns nothing about which keys exist).
        """
        if not presented:
            raise Unauthenticated("a gateway key is required: send 'Authorization: Bearer <key>'")
        digest = hash_key(presented)
        with self._uow() as uow:
            key = uow.keys.get_by_hash(digest)
        if key is None or not hmac.compare_digest(key.key_hash, digest) or key.revoked:
            raise Unauthenticated("the gateway key is not valid")
        return key.principal()


def _require(uow: UnitOfWork, key_id: str) -> ApiKey:
    key = uow.keys.get(key_id)
    if key is None:
        raise NotFound("key", key_id)
    return key


def _require_endpoints(uow: UnitOfWork, names: Sequence[str]) -> None:
    for name in names:
        if uow.endpoints.get_by_name(name) is None:
            raise InvalidInput("endpoints", f"endpoint '{name}' does not exist")
