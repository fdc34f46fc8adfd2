"""A store that 'crashes' part-way through a KEK rotation, for the resumability tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from core.domain.secret import EncryptedValue
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class Crash(Exception):
    """Stands for the process dying: nothing after it runs, the open transaction is lost."""


class CrashingStore:
    """Wraps a unit-of-work factory; re-wrap number `after_rewraps + 1` crashes before it writes.

    With `at_finish`, every re-wrap succeeds and the crash comes when the rotation tries to
    mark the new KEK version active.
    """

    def __init__(
        self,
        inner: UnitOfWorkFactory,
        after_rewraps: int | None = None,
        at_finish: bool = False,
        between_transactions: Callable[[int], None] | None = None,
    ) -> None:
        self.inner = inner
        self.after_rewraps = after_rewraps
        self.at_finish = at_finish
        # Runs (with the re-wraps so far) before each unit of work opens, when none is open:
        # lets a test write as another process would between the rotation's transactions.
        self.between_transactions = between_transactions
        self.rewraps = 0

    def __call__(self) -> UnitOfWork:
        if self.between_transactions is not None:
            self.between_transactions(self.rewraps)
        return _CrashingUnitOfWork(self, self.inner())

    def before_rewrap(self) -> None:
        if self.after_rewraps is not None and self.rewraps >= self.after_rewraps:
            raise Crash(f"crash after {self.rewraps} re-wraps")
        self.rewraps += 1

    def before_set_state(self) -> None:
        if self.at_finish:
            raise Crash("crash while finishing the rotation")


class _CrashingUnitOfWork:
    def __init__(self, owner: CrashingStore, inner: UnitOfWork) -> None:
        self._owner = owner
        self._inner = inner

    def __enter__(self) -> _CrashingUnitOfWork:
        self._inner.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    @property
    def secrets(self) -> _Secrets:
        return _Secrets(self._owner, self._inner.secrets)

    @property
    def keks(self) -> _Keks:
        return _Keks(self._owner, self._inner.keks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Secrets:
    def __init__(self, owner: CrashingStore, inner: Any) -> None:
        self._owner = owner
        self._inner = inner

    def rewrap(self, secret_id: str, encrypted: EncryptedValue) -> None:
        self._owner.before_rewrap()
        self._inner.rewrap(secret_id, encrypted)

    def ids_not_wrapped_by(self, kek_version: int) -> Sequence[str]:
        return list(self._inner.ids_not_wrapped_by(kek_version))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Keks:
    def __init__(self, owner: CrashingStore, inner: Any) -> None:
        self._owner = owner
        self._inner = inner

    def set_state(self, version: int, state: str) -> None:
        self._owner.before_set_state()
        self._inner.set_state(version, state)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
