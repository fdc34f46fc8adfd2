"""The AES-GCM envelope: values bound to their row, tampering detected, KEKs from passphrases."""

from __future__ import annotations

import dataclasses

import pytest

from adapters.crypto import PBKDF2_ITERATIONS, AesGcmCipher
from core.domain.secret import KEK_ACTIVE, EncryptedValue, KekLocked, SecretUndecryptable
from tests.secrets.conftest import PASSPHRASE, PLAINTEXT, TEST_ITERATIONS, leaks


@pytest.fixture
def cipher() -> AesGcmCipher:
    cipher = AesGcmCipher(iterations=TEST_ITERATIONS)
    cipher.create(1, PASSPHRASE, KEK_ACTIVE, 0)
    return cipher


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_a_value_round_trips_and_is_not_stored_in_clear(cipher: AesGcmCipher) -> None:
    encrypted = cipher.encrypt("s1", PLAINTEXT)

    assert cipher.decrypt("s1", encrypted) == PLAINTEXT
    assert not leaks(encrypted.ciphertext) and not leaks(encrypted.wrapped_dek)
    assert encrypted.kek_version == 1


def test_each_encryption_uses_a_fresh_data_key_and_nonce(cipher: AesGcmCipher) -> None:
    first, second = cipher.encrypt("s1", PLAINTEXT), cipher.encrypt("s1", PLAINTEXT)

    assert first.ciphertext[:12] != second.ciphertext[:12]  # the 96-bit nonces differ
    assert first.ciphertext != second.ciphertext and first.wrapped_dek != second.wrapped_dek
    mixed = dataclasses.replace(second, wrapped_dek=first.wrapped_dek)
    with pytest.raises(SecretUndecryptable):
        cipher.decrypt("s1", mixed)  # the first DEK does not open the second value


def test_a_ciphertext_copied_onto_another_row_fails_to_decrypt(cipher: AesGcmCipher) -> None:
    victim, other = cipher.encrypt("victim", PLAINTEXT), cipher.encrypt("other", "sk-other-value-000000")

    with pytest.raises(SecretUndecryptable):
        cipher.decrypt("other", dataclasses.replace(other, ciphertext=victim.ciphertext))


def test_a_wrapped_data_key_copied_onto_another_row_fails_to_decrypt(cipher: AesGcmCipher) -> None:
    victim, other = cipher.encrypt("victim", PLAINTEXT), cipher.encrypt("other", "sk-other-value-000000")

    with pytest.raises(SecretUndecryptable):
        cipher.decrypt("other", dataclasses.replace(other, wrapped_dek=victim.wrapped_dek))
    with pytest.raises(SecretUndecryptable):
        cipher.decrypt("other", victim)  # the whole envelope moved to another row


def test_every_flipped_byte_fails_to_decrypt(cipher: AesGcmCipher) -> None:
    encrypted = cipher.encrypt("s1", PLAINTEXT)

    for index in range(len(encrypted.ciphertext)):
        with pytest.raises(SecretUndecryptable):
            cipher.decrypt("s1", dataclasses.replace(encrypted, ciphertext=flip(encrypted.ciphertext, index)))
    for index in range(len(encrypted.wrapped_dek)):
        with pytest.raises(SecretUndecryptable):
            cipher.decrypt(
                "s1", dataclasses.replace(encrypted, wrapped_dek=flip(encrypted.wrapped_dek, index))
            )


def test_truncated_or_empty_bytes_fail_to_decrypt(cipher: AesGcmCipher) -> None:
    encrypted = cipher.encrypt("s1", PLAINTEXT)

    for broken in (
        dataclasses.replace(encrypted, ciphertext=encrypted.ciphertext[:-1]),
        dataclasses.replace(encrypted, ciphertext=b""),
        dataclasses.replace(encrypted, wrapped_dek=encrypted.wrapped_dek[:5]),
    ):
        with pytest.raises(SecretUndecryptable):
            cipher.decrypt("s1", broken)


def test_a_wrapped_key_relabelled_with_another_kek_version_fails(cipher: AesGcmCipher) -> None:
    cipher.create(2, "another passphrase entirely", KEK_ACTIVE, 0)
    under_one = cipher.rewrap("s1", cipher.encrypt("s1", PLAINTEXT), 1)

    with pytest.raises(SecretUndecryptable):
        cipher.decrypt("s1", dataclasses.replace(under_one, kek_version=2))


def test_rewrap_keeps_the_ciphertext_and_moves_the_key_to_the_new_kek(cipher: AesGcmCipher) -> None:
    encrypted = cipher.encrypt("s1", PLAINTEXT)
    cipher.create(2, "another passphrase entirely", KEK_ACTIVE, 0)

    rewrapped = cipher.rewrap("s1", encrypted, 2)
    cipher.forget(1)

    assert rewrapped.ciphertext == encrypted.ciphertext
    assert rewrapped.kek_version == 2
    assert cipher.decrypt("s1", rewrapped) == PLAINTEXT
    with pytest.raises(KekLocked):
        cipher.decrypt("s1", encrypted)


def test_only_the_right_passphrase_unlocks_a_stored_kek_version() -> None:
    kek = AesGcmCipher(iterations=TEST_ITERATIONS).create(1, PASSPHRASE, KEK_ACTIVE, 0)

    fresh = AesGcmCipher()
    assert not fresh.unlock(kek, "not the passphrase at all")
    assert not fresh.holds(1)
    assert fresh.unlock(kek, PASSPHRASE)
    assert fresh.holds(1)


def test_values_from_a_process_that_created_the_kek_open_in_another_that_unlocked_it(
    cipher: AesGcmCipher,
) -> None:
    kek = AesGcmCipher(iterations=TEST_ITERATIONS).create(1, PASSPHRASE, KEK_ACTIVE, 0)
    writer = AesGcmCipher()
    reader = AesGcmCipher()
    assert writer.unlock(kek, PASSPHRASE) and reader.unlock(kek, PASSPHRASE)

    assert reader.decrypt("s1", writer.encrypt("s1", PLAINTEXT)) == PLAINTEXT


def test_new_kek_versions_use_pbkdf2_with_at_least_600000_iterations_and_a_random_salt() -> None:
    first = AesGcmCipher().create(1, PASSPHRASE, KEK_ACTIVE, 0)
    second = AesGcmCipher().create(1, PASSPHRASE, KEK_ACTIVE, 0)

    assert PBKDF2_ITERATIONS >= 600_000
    assert first.iterations >= 600_000 and first.kdf == "pbkdf2-sha256"
    assert len(first.salt) >= 16 and first.salt != second.salt
    assert first.verifier != second.verifier  # different salt, different key


def test_nothing_encrypts_or_decrypts_before_a_kek_is_unlocked() -> None:
    locked = AesGcmCipher()

    with pytest.raises(KekLocked):
        locked.encrypt("s1", PLAINTEXT)
    with pytest.raises(KekLocked):
        locked.decrypt("s1", EncryptedValue(ciphertext=b"x" * 40, wrapped_dek=b"y" * 60, kek_version=1))


def test_failures_and_reprs_reveal_neither_value_nor_key_material(cipher: AesGcmCipher) -> None:
    encrypted = cipher.encrypt("s1", PLAINTEXT)
    with pytest.raises(SecretUndecryptable) as failure:
        cipher.decrypt("s1", dataclasses.replace(encrypted, ciphertext=flip(encrypted.ciphertext, 20)))

    for shown in (str(failure.value), repr(failure.value), repr(encrypted), repr(cipher)):
        assert not leaks(shown)
        assert encrypted.ciphertext.hex() not in shown and repr(encrypted.wrapped_dek) not in shown
    assert failure.value.__cause__ is None and failure.value.__suppress_context__
