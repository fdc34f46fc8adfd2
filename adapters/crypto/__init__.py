"""Envelope encryption on the `cryptography` package: AES-256-GCM, KEKs from PBKDF2-HMAC-SHA256."""

from adapters.crypto.cipher import AesGcmCipher
from adapters.crypto.kdf import PBKDF2_ITERATIONS

__all__ = ["PBKDF2_ITERATIONS", "AesGcmCipher"]
