"""A provider credential: metadata that may be shown, and the encrypted value that may not."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.domain.audit import Audit
from core.domain.errors import DomainError
from core.domain.validation import require_name

KEK_ACTIVE = "active"
KEK_PENDING = "pending"  # a rotation to this version has started but not finished
KEK_RETIRED = "retired"


@dataclass(frozen=True, slots=True, kw_only=True)
class EncryptedValue:
    """Envelope-encrypted value: AES-GCM ciphertext under a per-secret DEK, the DEK wrapped by a KEK.

    Nonces travel inside the byte strings (nonce || ciphertext).
    """

    ciphertext: bytes
    wrapped_dek: bytes
    kek_version: int

    def __repr__(self) -> str:  # never leak bytes into logs or tracebacks
        return f"EncryptedValue(kek_version={self.kek_version})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Secret:
    """Secret metadata; the plaintext value is never part of it."""

    secret_id: str
    name: str
    masked_value: str
    provider: str | None = None
    auth_config: Mapping[str, Any] = field(default_factory=dict)
    audit: Audit

    def __post_init__(self) -> None:
        require_name("name", self.name)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSecret:
    """What the store keeps for a secret: metadata plus the encrypted value."""

    secret: Secret
    encrypted: EncryptedValue


@dataclass(frozen=True, slots=True, kw_only=True)
class KekVersion:
    """Parameters of one key-encryption key, derived from a passphrase; never the key itself."""

    version: int
    kdf: str
    salt: bytes
    iterations: int
    verifier: bytes
    state: str  # "active", "pending" (rotation in progress) or "retired"
    created_at: int


class KekLocked(DomainError):
    """The passphrase is missing or wrong, or a needed KEK version has not been unlocked."""

    code = "KEK_LOCKED"


class SecretUndecryptable(DomainError):
    """A stored value or wrapped key failed authentication: damaged, or moved from another row."""

    code = "SECRET_UNDECRYPTABLE"

    def __init__(self, secret_id: str) -> None:
        super().__init__(
            f"secret '{secret_id}' cannot be decrypted: its stored value or data key is damaged "
            "or belongs to another row"
        )
        self.secret_id = secret_id
