"""Envelope encryption of secret values, and the key-encryption keys (KEKs) that make it work."""

from __future__ import annotations

from typing import Protocol

from core.domain.secret import EncryptedValue, KekVersion


class KekKeyring(Protocol):
    """The KEKs this process has derived from passphrases; never stored, never shown.

    Deriving a KEK is deliberately slow (a password KDF), so callers derive each version
    once per process and keep it here.
    """

    def create(self, version: int, passphrase: str, state: str, created_at: int) -> KekVersion:
        """Make a new KEK version: a fresh random salt, the derived key, and its verifier.

        The derived key is kept, so the caller can use the version at once.

        Returns:
            The parameters to store (salt, KDF, iterations, verifier), never the key.
        """
        ...

    def unlock(self, kek: KekVersion, passphrase: str) -> bool:
        """Derive the key of a stored version and keep it if it matches the verifier.

        Returns:
            True when the passphrase is the one this version was made from.
        """
        ...

    def holds(self, version: int) -> bool:
        """Whether the key of this version has been derived in this process."""
        ...

    def forget(self, version: int) -> None:
        """Drop a version's key (after it was retired)."""
        ...


class SecretCipher(Protocol):
    """Encrypts each value under its own data key (DEK), bound to the secret's id.

    Decryption failures raise `core.domain.secret.SecretUndecryptable`; a value wrapped by a
    KEK version this process has not unlocked raises `core.domain.secret.KekLocked`. Neither
    carries any part of the value or of a key.
    """

    def encrypt(self, secret_id: str, plaintext: str) -> EncryptedValue:
        """Encrypt under a fresh random DEK, wrapped by the newest KEK version held."""
        ...

    def decrypt(self, secret_id: str, encrypted: EncryptedValue) -> str:
        """The plaintext, if `encrypted` was made for this secret id and is intact."""
        ...

    def rewrap(self, secret_id: str, encrypted: EncryptedValue, kek_version: int) -> EncryptedValue:
        """The same ciphertext with its DEK unwrapped and wrapped again by `kek_version`."""
        ...


class EnvelopeCipher(SecretCipher, KekKeyring, Protocol):
    """One object that holds the KEKs and uses them (the usual adapter shape)."""
