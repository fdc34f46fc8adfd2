"""AES-256-GCM with a random 96-bit nonce carried in front of the ciphertext."""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


class AuthenticationFailed(Exception):
    """The ciphertext, its nonce or its associated data is not what was sealed."""


def associated_data(label: str, *fields: str) -> bytes:
    """Unambiguous associated data: a label, then each field length-prefixed."""
    out = bytearray(label.encode())
    for value in fields:
        encoded = value.encode()
        out += struct.pack(">I", len(encoded)) + encoded
    return bytes(out)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce || AES-GCM(key, nonce, plaintext, aad); a fresh random nonce every call."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """The plaintext of `seal`'s output, or AuthenticationFailed (no detail: none is safe to give)."""
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    if len(nonce) != NONCE_BYTES:
        raise AuthenticationFailed
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise AuthenticationFailed from None
