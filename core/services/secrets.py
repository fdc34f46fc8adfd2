"""Managing secrets: provider credentials stored envelope-encrypted, shown only masked."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from core.domain.audit import Audit
from core.domain.errors import AlreadyExists, HasDependents, InvalidInput, NotFound
from core.domain.masking import mask_secret
from core.domain.model_definition import ModelDefinition
from core.domain.page import Page, PageRequest
from core.domain.secret import EncryptedValue, Secret, StoredSecret
from core.domain.validation import require_name
from core.services.kek import KekService
from core.services.secret_values import SecretValues
from core.services.unset import UNSET, Unset, given
from ports.cipher import SecretCipher
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_VALUE_CHARS = 64 * 1024


class SecretService:
    """Create, list, read (masked), update and delete secrets (PRODUCT §1, Secret).

    The value goes in through `create` and `update` and never comes out of this service;
    the invocation path reads it through `SecretValues`.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        cipher: SecretCipher,
        keks: KekService,
        values: SecretValues,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._cipher = cipher
        self._keks = keks
        self._values = values

    def create(
        self,
        name: str,
        value: str,
        provider: str | None = None,
        auth_config: Mapping[str, Any] | None = None,
        actor: str | None = None,
    ) -> Secret:
        """Store a new secret, its value encrypted under a fresh DEK.

        Raises:
            InvalidInput: A bad name, provider, auth_config or value (never echoed back).
            AlreadyExists: The name is taken.
            KekLocked: The KEK passphrase is missing or wrong.
        """
        _require_value(value)
        secret = Secret(
            secret_id=self._ids.new_id(),
            name=name,
            masked_value=mask_secret(value),
            provider=_provider(provider),
            auth_config=_auth_config(auth_config),
            audit=Audit.new(self._clock.now_ms(), actor),
        )
        encrypted = self._encrypt(secret.secret_id, value)
        with self._uow() as uow:
            if uow.secrets.get_by_name(secret.name) is not None:
                raise AlreadyExists("secret", secret.name)
            uow.secrets.add(StoredSecret(secret=secret, encrypted=encrypted))
            uow.revision.bump()
            uow.commit()
        log.debug("created secret %s (KEK version %d)", secret.secret_id, encrypted.kek_version)
        return secret

    def get(self, secret_id: str) -> Secret:
        """The secret's metadata and masked value; never the value."""
        with self._uow() as uow:
            return _require(uow, secret_id).secret

    def list(self, page: PageRequest) -> Page[Secret]:
        with self._uow() as uow:
            return uow.secrets.list(page)

    def update(
        self,
        secret_id: str,
        value: str | Unset = UNSET,
        name: str | Unset = UNSET,
        provider: str | Unset | None = UNSET,
        auth_config: Mapping[str, Any] | Unset | None = UNSET,
        actor: str | None = None,
    ) -> Secret:
        """Change what is given; a new value is encrypted under a new DEK.

        Raises:
            NotFound: No such secret.
            AlreadyExists: The new name is taken.
            InvalidInput: A bad field.
            KekLocked: A new value while the KEK passphrase is missing or wrong.
        """
        if value is not UNSET:
            _require_value(value)
            # Before the transaction: unlocking reads (or on first use writes) KEK versions in
            # a unit of work of its own, which must not nest inside this one.
            self._keks.ensure_unlocked()
        with self._uow() as uow:
            current = _require(uow, secret_id)
            secret = current.secret
            new_name = given(name, secret.name)
            if new_name != secret.name and uow.secrets.get_by_name(new_name) is not None:
                raise AlreadyExists("secret", new_name)
            updated = Secret(
                secret_id=secret_id,
                name=new_name,
                masked_value=secret.masked_value if value is UNSET else mask_secret(value),
                provider=secret.provider if provider is UNSET else _provider(provider),
                auth_config=secret.auth_config if auth_config is UNSET else _auth_config(auth_config),
                audit=secret.audit.touched(self._clock.now_ms(), actor),
            )
            encrypted = current.encrypted if value is UNSET else self._cipher.encrypt(secret_id, value)
            uow.secrets.update(StoredSecret(secret=updated, encrypted=encrypted))
            uow.revision.bump()
            uow.commit()
        self._values.invalidate(secret_id)
        log.debug("updated secret %s (new value: %s)", secret_id, value is not UNSET)
        return updated

    def delete(
        self, secret_id: str, force: bool = False, actor: str | None = None
    ) -> tuple[ModelDefinition, ...]:
        """Delete a secret; refused while model definitions use it, unless forced.

        Forced, the model definitions that used it are orphaned (no secret, `orphaned=True`)
        in the same transaction.

        Returns:
            The model definitions it orphaned.

        Raises:
            NotFound: No such secret.
            HasDependents: Model definitions use it and `force` is false; names them.
        """
        with self._uow() as uow:
            _require(uow, secret_id)
            users = tuple(uow.model_definitions.list_by_secret(secret_id))
            if users and not force:
                raise HasDependents("secret", secret_id, [f"model definition '{m.name}'" for m in users])
            now = self._clock.now_ms()
            orphaned = tuple(_orphan(m, now, actor) for m in users)
            for model in orphaned:
                uow.model_definitions.update(model)
            uow.secrets.delete(secret_id)
            uow.revision.bump()
            uow.commit()
        self._values.invalidate(secret_id)
        log.debug("deleted secret %s, orphaning %d model definition(s)", secret_id, len(orphaned))
        return orphaned

    def _encrypt(self, secret_id: str, value: str) -> EncryptedValue:
        self._keks.ensure_unlocked()
        return self._cipher.encrypt(secret_id, value)


def _require(uow: UnitOfWork, secret_id: str) -> StoredSecret:
    stored = uow.secrets.get(secret_id)
    if stored is None:
        raise NotFound("secret", secret_id)
    return stored


def _orphan(model: ModelDefinition, now_ms: int, actor: str | None) -> ModelDefinition:
    return dataclasses.replace(
        model, secret_id=None, secret_name=None, orphaned=True, audit=model.audit.touched(now_ms, actor)
    )


def _require_value(value: object) -> None:
    # Messages here name the rule, never the value.
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("value", "must be a non-empty string")
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidInput("value", f"must be at most {MAX_VALUE_CHARS} characters")


def _provider(provider: str | None) -> str | None:
    return None if provider is None else require_name("provider", provider, 64)


def _auth_config(auth_config: Mapping[str, Any] | None) -> dict[str, Any]:
    if auth_config is None:
        return {}
    if not isinstance(auth_config, Mapping) or not all(isinstance(k, str) for k in auth_config):
        raise InvalidInput("auth_config", "must be an object with string keys")
    return dict(auth_config)
