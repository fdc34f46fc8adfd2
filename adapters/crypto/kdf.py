"""KEKs from passphrases: PBKDF2-HMAC-SHA256, then HKDF to separate wrapping and verifying keys."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

KDF_NAME = "pbkdf2-sha256"
PBKDF2_ITERATIONS = 600_000  # OWASP's 2023 floor for PBKDF2-HMAC-SHA256
SALT_BYTES = 16
_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class DerivedKek:
    """The two keys one passphrase yields for one KEK version."""

    wrap_key: bytes = field(repr=False)
    verify_key: bytes = field(repr=False)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def derive(passphrase: str, salt: bytes, iterations: int) -> DerivedKek:
    """The slow step: run once per KEK version per process, never per request."""
    master = PBKDF2HMAC(hashes.SHA256(), _KEY_BYTES, salt, iterations).derive(passphrase.encode())
    return DerivedKek(
        wrap_key=_expand(master, b"switchboard/kek/wrap"),
        verify_key=_expand(master, b"switchboard/kek/verify"),
    )


def verifier(kek: DerivedKek, version: int) -> bytes:
    """What is stored to recognise the right passphrase; reveals nothing about the wrapping key."""
    return hmac.new(kek.verify_key, f"switchboard kek verifier v{version}".encode(), hashlib.sha256).digest()


def matches(kek: DerivedKek, version: int, stored: bytes) -> bool:
    return hmac.compare_digest(verifier(kek, version), stored)


def _expand(master: bytes, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), _KEY_BYTES, salt=None, info=info).derive(master)
