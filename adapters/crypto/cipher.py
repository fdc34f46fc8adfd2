"""`AesGcmCipher`: a per-secret DEK under AES-256-GCM, wrapped by KEKs derived from passphrases."""

from __future__ import annotations

import os
import threading

from adapters.crypto import kdf
from adapters.crypto.aead import KEY_BYTES, AuthenticationFailed, associated_data, open_sealed, seal
from core.domain.secret import EncryptedValue, KekLocked, KekVersion, SecretUndecryptable

_VALUE_LABEL = "switchboard/secret-value/v1"
_DEK_LABEL = "switchboard/wrapped-dek/v1"


class AesGcmCipher:
    """Implements `ports.cipher.EnvelopeCipher`.

    The value is bound to its secret id, and the wrapped DEK to the secret id and KEK
    version, through AES-GCM associated data: bytes copied onto another row, or onto
    another version, fail authentication instead of decrypting.
    """

    def __init__(self, iterations: int = kdf.PBKDF2_ITERATIONS) -> None:
        """`iterations` applies to KEK versions this process creates; stored ones keep their own."""
        self._iterations = iterations
        self._keks: dict[int, kdf.DerivedKek] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AesGcmCipher(unlocked_versions={sorted(self._keks)})"

    # -- keyring -------------------------------------------------------------------------

    def create(self, version: int, passphrase: str, state: str, created_at: int) -> KekVersion:
        salt = kdf.new_salt()
        derived = kdf.derive(passphrase, salt, self._iterations)
        self._keep(version, derived)
        return KekVersion(
            version=version,
            kdf=kdf.KDF_NAME,
            salt=salt,
            iterations=self._iterations,
            verifier=kdf.verifier(derived, version),
            state=state,
            created_at=created_at,
        )

    def unlock(self, kek: KekVersion, passphrase: str) -> bool:
        if kek.kdf != kdf.KDF_NAME:
            raise KekLocked(f"KEK version {kek.version} uses an unknown key derivation '{kek.kdf}'")
        derived = kdf.derive(passphrase, kek.salt, kek.iterations)
        if not kdf.matches(derived, kek.version, kek.verifier):
            return False
        self._keep(kek.version, derived)
        return True

    def holds(self, version: int) -> bool:
        return version in self._keks

    def forget(self, version: int) -> None:
        with self._lock:
            self._keks.pop(version, None)

    # -- cipher --------------------------------------------------------------------------

    def encrypt(self, secret_id: str, plaintext: str) -> EncryptedValue:
        version, kek = self._newest()
        dek = os.urandom(KEY_BYTES)
        return EncryptedValue(
            ciphertext=seal(dek, plaintext.encode(), associated_data(_VALUE_LABEL, secret_id)),
            wrapped_dek=seal(kek.wrap_key, dek, _dek_aad(secret_id, version)),
            kek_version=version,
        )

    def decrypt(self, secret_id: str, encrypted: EncryptedValue) -> str:
        dek = self._unwrap(secret_id, encrypted)
        try:
            plaintext = open_sealed(dek, encrypted.ciphertext, associated_data(_VALUE_LABEL, secret_id))
            return plaintext.decode()
        except (AuthenticationFailed, UnicodeDecodeError):
            raise SecretUndecryptable(secret_id) from None

    def rewrap(self, secret_id: str, encrypted: EncryptedValue, kek_version: int) -> EncryptedValue:
        dek = self._unwrap(secret_id, encrypted)
        target = self._kek(secret_id, kek_version)
        return EncryptedValue(
            ciphertext=encrypted.ciphertext,
            wrapped_dek=seal(target.wrap_key, dek, _dek_aad(secret_id, kek_version)),
            kek_version=kek_version,
        )

    # -- internals -----------------------------------------------------------------------

    def _keep(self, version: int, derived: kdf.DerivedKek) -> None:
        with self._lock:
            self._keks[version] = derived

    def _newest(self) -> tuple[int, kdf.DerivedKek]:
        with self._lock:
            if not self._keks:
                raise KekLocked("no key-encryption key is unlocked: the passphrase is missing or wrong")
            version = max(self._keks)
            return version, self._keks[version]

    def _kek(self, secret_id: str, version: int) -> kdf.DerivedKek:
        kek = self._keks.get(version)
        if kek is None:
            raise KekLocked(
                f"secret '{secret_id}' is wrapped by KEK version {version}, "
                "which no configured passphrase unlocks in this process"
            )
        return kek

    def _unwrap(self, secret_id: str, encrypted: EncryptedValue) -> bytes:
        kek = self._kek(secret_id, encrypted.kek_version)
        try:
            dek = open_sealed(kek.wrap_key, encrypted.wrapped_dek, _dek_aad(secret_id, encrypted.kek_version))
        except AuthenticationFailed:
            raise SecretUndecryptable(secret_id) from None
        if len(dek) != KEY_BYTES:
            raise SecretUndecryptable(secret_id)
        return dek


def _dek_aad(secret_id: str, kek_version: int) -> bytes:
    return associated_data(_DEK_LABEL, secret_id, str(kek_version))
