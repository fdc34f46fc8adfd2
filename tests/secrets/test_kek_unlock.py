"""Unlocking the KEK at start: made on first use, verified after, refused when missing or wrong."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.crypto import AesGcmCipher
from core.domain.errors import InvalidInput
from core.domain.page import PageRequest
from core.domain.secret import KEK_ACTIVE, KekLocked, KekVersion
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.secrets.conftest import PASSPHRASE, PLAINTEXT, TEST_ITERATIONS, Deployment


def test_the_first_unlock_of_an_empty_database_makes_kek_version_1(deployment: Deployment) -> None:
    services = deployment.process()

    report = services.keks.unlock(PASSPHRASE)

    assert (report.unlocked, report.created) == ((1,), True)
    [status] = services.keks.status()
    assert (status.version, status.state, status.kdf) == (1, KEK_ACTIVE, "pbkdf2-sha256")


def test_a_restarted_process_with_the_same_passphrase_reads_the_secrets(deployment: Deployment) -> None:
    secret = deployment.process().secrets.create("openai", PLAINTEXT)

    restarted = deployment.process()
    restarted.require_unlocked()

    assert restarted.secret_values.value(secret.secret_id) == PLAINTEXT


def test_a_wrong_passphrase_is_refused_at_start(deployment: Deployment) -> None:
    secret = deployment.process().secrets.create("openai", PLAINTEXT)
    intruder = deployment.process(passphrase="not the right passphrase")

    with pytest.raises(KekLocked, match="passphrase is wrong"):
        intruder.require_unlocked()
    with pytest.raises(KekLocked):
        intruder.secret_values.value(secret.secret_id)
    with pytest.raises(KekLocked):
        intruder.secrets.create("another", "sk-another-value-0000000")


def test_a_missing_passphrase_is_refused_and_there_is_no_default(deployment: Deployment) -> None:
    services = deployment.process(passphrase=None)

    with pytest.raises(KekLocked, match="SWITCHBOARD_KEK_PASSPHRASE"):
        services.require_unlocked()
    with pytest.raises(KekLocked):
        services.secrets.create("openai", PLAINTEXT)
    assert services.keks.status() == ()  # nothing was made from a built-in default


def test_a_short_passphrase_cannot_make_the_first_kek(deployment: Deployment) -> None:
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        deployment.process(passphrase="hunter2").require_unlocked()
    assert deployment.process().keks.status() == ()


def test_commands_that_need_no_secrets_work_without_the_passphrase(deployment: Deployment) -> None:
    deployment.process().secrets.create("openai", PLAINTEXT)

    locked = deployment.process(passphrase="not the right passphrase")

    assert [s.name for s in locked.secrets.list(PageRequest()).items] == ["openai"]
    assert locked.model_definitions.list(PageRequest()).items == []


class CountingCipher(AesGcmCipher):
    """Counts key derivations (each `unlock` of a stored version is one)."""

    def __init__(self) -> None:
        super().__init__(iterations=TEST_ITERATIONS)
        self.derivations = 0

    def unlock(self, kek: KekVersion, passphrase: str) -> bool:
        self.derivations += 1
        return super().unlock(kek, passphrase)


def test_the_kek_is_derived_once_per_process_not_per_request(deployment: Deployment) -> None:
    secret = deployment.process().secrets.create("openai", PLAINTEXT)
    cipher = CountingCipher()
    server = deployment.process(cipher=cipher)

    for _ in range(5):
        server.require_unlocked()
        server.secret_values.clear()
        assert server.secret_values.value(secret.secret_id) == PLAINTEXT
    server.secrets.create("another", "sk-another-value-0000000")

    assert cipher.derivations == 1


class FirstKekReadSeesNothing:
    """A store whose first read of KEK versions comes back empty, as if another process made
    version 1 just after we looked: our own attempt to make it then collides."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self.inner = inner
        self.hidden = False

    def __call__(self) -> UnitOfWork:
        return _HidingUnitOfWork(self, self.inner())


class _HidingUnitOfWork:
    def __init__(self, owner: FirstKekReadSeesNothing, inner: UnitOfWork) -> None:
        self._owner = owner
        self._inner = inner

    def __enter__(self) -> _HidingUnitOfWork:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    @property
    def keks(self) -> Any:
        owner, inner = self._owner, self._inner.keks

        class Keks:
            def list(self) -> list[KekVersion]:
                if not owner.hidden:
                    owner.hidden = True
                    return []
                return list(inner.list())

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        return Keks()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_two_processes_starting_on_an_empty_database_agree_on_one_kek(deployment: Deployment) -> None:
    first = deployment.process()
    secret = first.secrets.create("openai", PLAINTEXT)  # makes version 1
    second = deployment.process(uow=FirstKekReadSeesNothing(deployment.unit_of_work()))

    report = second.keks.unlock(PASSPHRASE)

    assert (report.unlocked, report.created) == ((1,), False)
    assert second.secret_values.value(secret.secret_id) == PLAINTEXT
    assert [s.version for s in second.keks.status()] == [1]


def test_a_process_that_lost_the_race_with_another_passphrase_is_refused(deployment: Deployment) -> None:
    deployment.process().require_unlocked()
    loser = deployment.process(
        passphrase="a different long passphrase", uow=FirstKekReadSeesNothing(deployment.unit_of_work())
    )

    with pytest.raises(KekLocked, match="wrong"):
        loser.require_unlocked()
