"""Decrypted secret values for the invocation path: decrypted once, cached per process."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from core.domain.errors import DomainError, NotFound
from core.domain.secret import KekLocked
from core.services.kek import KekService
from ports.cipher import SecretCipher
from ports.secret_values import DecryptedSecret
from ports.unit_of_work import UnitOfWorkFactory


class SecretValues:
    """Implements `ports.secret_values.SecretValueSource`.

    A value is read and decrypted on first use and then served from memory. Entries go the
    moment a secret is updated or deleted through this process (`invalidate`); other
    processes learn of changes through the config revision and call `clear`.
    """

    def __init__(self, uow: UnitOfWorkFactory, cipher: SecretCipher, keks: KekService) -> None:
        self._uow = uow
        self._cipher = cipher
        self._keks = keks
        self._cache: dict[str, DecryptedSecret] = {}
        self._generation = 0  # moves on every invalidation, so a read racing one is not cached
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SecretValues(cached={len(self._cache)})"

    def get(self, secret_id: str) -> DecryptedSecret:
        """The plaintext and auth settings of a secret.

        Raises:
            NotFound: The secret does not exist (any more).
            KekLocked: This process cannot open the KEK version that wraps it.
            SecretUndecryptable: The stored value was damaged or moved between rows.
        """
        cached = self._cache.get(secret_id)
        if cached is not None:
            return cached
        generation = self._generation
        decrypted = self._decrypt(secret_id)
        with self._lock:
            if self._generation == generation:
                self._cache[secret_id] = decrypted
        return decrypted

    def _decrypt(self, secret_id: str) -> DecryptedSecret:
        self._keks.ensure_unlocked()
        with self._uow() as uow:
            stored = uow.secrets.get(secret_id)
        if stored is None:
            raise NotFound("secret", secret_id)
        try:
            value = self._cipher.decrypt(secret_id, stored.encrypted)
        except KekLocked:
            # A rotation elsewhere may have re-wrapped it under a version made after we started.
            if not self._keks.refresh():
                raise
            value = self._cipher.decrypt(secret_id, stored.encrypted)
        return DecryptedSecret(value, dict(stored.secret.auth_config))

    def value(self, secret_id: str) -> str:
        """Just the plaintext of `get`."""
        return self.get(secret_id).value

    def invalidate(self, secret_id: str) -> None:
        """Forget one secret's value (it was updated or deleted)."""
        with self._lock:
            self._generation += 1
            self._cache.pop(secret_id, None)

    def reload(self, secret_ids: Iterable[str]) -> None:
        """Replace every value with fresh decryptions of the ones the configuration uses.

        Called with each new config snapshot, from the thread that loaded it, so the request
        path finds its keys in memory and never reads the database on the event loop. The new
        values are decrypted aside and swapped in at once: requests meanwhile keep the old ones.
        """
        generation = self._generation
        fresh: dict[str, DecryptedSecret] = {}
        for secret_id in secret_ids:
            try:
                fresh[secret_id] = self._decrypt(secret_id)
            except DomainError:
                continue  # the request path meets it again and fails over as on a bad key
        with self._lock:
            # An invalidation during the reload may have made a fresh value stale: keep none.
            self._cache = fresh if self._generation == generation else {}
            self._generation += 1

    def clear(self) -> None:
        """Forget every value (the config revision moved: another process may have changed one)."""
        with self._lock:
            self._generation += 1
            self._cache.clear()
