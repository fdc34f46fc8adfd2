"""The key-encryption key: unlock it once per process, and rotate it to a new passphrase.

KEK versions live in the store as parameters (salt, KDF, verifier) and a state:
`active` wraps every DEK, `pending` is the target of an unfinished rotation, `retired`
versions are no longer accepted. A process holds the key of every non-retired version
that one of its passphrases opens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.errors import AlreadyExists, Conflict, InvalidInput
from core.domain.page import PageRequest
from core.domain.secret import KEK_ACTIVE, KEK_PENDING, KEK_RETIRED, KekLocked, KekVersion
from ports.cipher import EnvelopeCipher
from ports.clock import Clock
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

MIN_PASSPHRASE_CHARS = 12
PASSPHRASE_ENV = "SWITCHBOARD_KEK_PASSPHRASE"  # noqa: S105 (a variable name, not a password)
_FINISH_ATTEMPTS = 5
_RETIRED_HINTS = 3


@dataclass(frozen=True, slots=True)
class UnlockReport:
    """What `unlock` found: the versions it opened, and whether it made the first one."""

    unlocked: tuple[int, ...]
    created: bool
    locked: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RotationReport:
    """What `rotate` did; `resumed` when it finished a rotation an earlier run started."""

    from_version: int
    to_version: int
    rewrapped: int
    already_done: int
    resumed: bool

    def summary(self) -> str:
        start = "resumed rotation" if self.resumed else "rotated"
        return (
            f"{start} KEK version {self.from_version} -> {self.to_version}: re-wrapped {self.rewrapped} "
            f"secret(s), {self.already_done} already done; version {self.from_version} is retired"
        )


@dataclass(frozen=True, slots=True)
class KekStatus:
    """One KEK version as an operator sees it: never the salt, verifier or key."""

    version: int
    state: str
    kdf: str
    iterations: int
    created_at: int
    secrets: int


class KekService:
    """Unlocking and rotating the KEK (PRODUCT §1, Secret).

    Args:
        uow: The store.
        clock: Time for new KEK versions.
        keyring: Holds derived keys and wraps DEKs; the same object the secret use cases use.
        passphrases: What this process was configured with (usually one; during a rotation a
            server may be given the new one too). Empty strings and None are ignored.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        keyring: EnvelopeCipher,
        passphrases: Sequence[str | None] = (),
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._keyring = keyring
        self._configured = _Passphrases(tuple(p for p in passphrases if p))
        self._unlocked = False
        self._given_up: set[int] = set()
        self._lock = threading.RLock()

    def ensure_unlocked(self) -> None:
        """Unlock with the configured passphrases, once per process.

        Raises:
            KekLocked: The passphrase is missing, or opens no KEK version in use.
        """
        if self._unlocked:
            return
        with self._lock:
            if not self._unlocked:
                self.unlock(*self._configured.values)

    def unlock(self, *passphrases: str) -> UnlockReport:
        """Verify passphrases against the stored KEK versions; on an empty store, make version 1.

        Raises:
            KekLocked: No passphrase given, or none opens a KEK version in use (a passphrase
                retired by a rotation is refused too).
            InvalidInput: Making version 1 from a passphrase shorter than 12 characters.
        """
        given = [p for p in passphrases if p]
        if not given:
            raise KekLocked(f"the KEK passphrase is missing: set {PASSPHRASE_ENV}")
        with self._lock:
            keks = self._keks()
            if not keks:
                first = self._create_first(given[0])
                if first is not None:
                    self._unlocked = True
                    return UnlockReport(unlocked=(first.version,), created=True)
                keks = self._keks()  # another process made version 1 first
            report = self._open(keks, given)
            self._unlocked = True
            return report

    def refresh(self) -> bool:
        """Open KEK versions made since this process started (a rotation elsewhere).

        Each version is tried once per process with the configured passphrases.

        Returns:
            True if a version was newly opened.
        """
        with self._lock:
            opened = False
            for kek in self._keks():
                if kek.state == KEK_RETIRED or self._keyring.holds(kek.version):
                    continue
                if kek.version in self._given_up:
                    continue
                if self._try(kek, self._configured.values):
                    opened = True
                else:
                    self._given_up.add(kek.version)
            return opened

    def rotate(self, old_passphrase: str, new_passphrase: str) -> RotationReport:
        """Re-wrap every DEK under a new KEK made from `new_passphrase`; values are untouched.

        Crash-safe and resumable: the new version is first stored as `pending`; each secret
        is then re-wrapped in its own transaction (its row names the version that wraps
        it); only when none is left is the new version made `active` and the old one
        `retired`. Run again after an interruption, with the same passphrases, to finish.

        Raises:
            KekLocked: `old_passphrase` does not open the active version, or a rotation is
                unfinished and `new_passphrase` is not the one it was started with.
            InvalidInput: The new passphrase is too short or equals the old one.
        """
        _require_new_passphrase(old_passphrase, new_passphrase)
        with self._lock:
            keks = self._keks()
            active = _active(keks)
            if not self._keyring.unlock(active, old_passphrase):
                raise KekLocked(
                    f"the current passphrase ({PASSPHRASE_ENV}) does not open active KEK version "
                    f"{active.version}"
                )
            target, resumed = self._target(keks, new_passphrase)
            with self._uow() as uow:
                total = self._count_secrets(uow)
            rewrapped = self._rewrap_all(target.version, (old_passphrase, new_passphrase))
            for kek in keks:
                if kek.version != target.version:
                    self._keyring.forget(kek.version)
            self._unlocked = True
        report = RotationReport(
            from_version=active.version,
            to_version=target.version,
            rewrapped=rewrapped,
            already_done=max(total - rewrapped, 0),
            resumed=resumed,
        )
        log.info("KEK rotation: %s", report.summary())
        return report

    def status(self) -> tuple[KekStatus, ...]:
        """Every KEK version with its state and how many secrets it wraps (no passphrase needed)."""
        with self._uow() as uow:
            keks = list(uow.keks.list())
            total = self._count_secrets(uow)
            return tuple(
                KekStatus(
                    version=k.version,
                    state=k.state,
                    kdf=k.kdf,
                    iterations=k.iterations,
                    created_at=k.created_at,
                    secrets=total - len(uow.secrets.ids_not_wrapped_by(k.version)),
                )
                for k in keks
            )

    # -- unlocking -----------------------------------------------------------------------

    def _create_first(self, passphrase: str) -> KekVersion | None:
        _require_strength(passphrase)
        kek = self._keyring.create(1, passphrase, KEK_ACTIVE, self._clock.now_ms())
        try:
            with self._uow() as uow:
                uow.keks.add(kek)
                uow.commit()
        except AlreadyExists:
            self._keyring.forget(1)
            return None
        log.info("created KEK version 1 from the configured passphrase")
        return kek

    def _open(self, keks: Sequence[KekVersion], given: Sequence[str]) -> UnlockReport:
        live = [k for k in keks if k.state != KEK_RETIRED]
        for kek in live:
            if not self._keyring.holds(kek.version):
                self._try(kek, given)
        opened = tuple(k.version for k in live if self._keyring.holds(k.version))
        if not opened:
            raise KekLocked(self._wrong_passphrase_message(keks, given))
        locked = tuple(k.version for k in live if k.version not in opened)
        for version in locked:
            log.warning(
                "KEK version %d is in use (a rotation is unfinished) but no configured passphrase "
                "opens it; secrets it wraps cannot be read here until `switchboard crypto rotate-kek` "
                "finishes or its passphrase is configured too",
                version,
            )
        return UnlockReport(unlocked=opened, created=False, locked=locked)

    def _try(self, kek: KekVersion, passphrases: Sequence[str]) -> bool:
        return any(self._keyring.unlock(kek, p) for p in passphrases)

    def _wrong_passphrase_message(self, keks: Sequence[KekVersion], given: Sequence[str]) -> str:
        retired = [k for k in keks if k.state == KEK_RETIRED][-_RETIRED_HINTS:]
        for kek in retired:
            if self._try(kek, given):
                self._keyring.forget(kek.version)
                return (
                    f"the KEK passphrase was retired by a key rotation (KEK version {kek.version}); "
                    f"set {PASSPHRASE_ENV} to the new passphrase"
                )
        return f"the KEK passphrase is wrong: it does not match the stored verifier ({PASSPHRASE_ENV})"

    # -- rotating ------------------------------------------------------------------------

    def _target(self, keks: Sequence[KekVersion], new_passphrase: str) -> tuple[KekVersion, bool]:
        pending = [k for k in keks if k.state == KEK_PENDING]
        if pending:
            target = pending[-1]
            if not self._keyring.unlock(target, new_passphrase):
                raise KekLocked(
                    f"a rotation to KEK version {target.version} is unfinished and the new passphrase "
                    "is not the one it was started with; run it again with that passphrase"
                )
            return target, True
        version = max(k.version for k in keks) + 1
        target = self._keyring.create(version, new_passphrase, KEK_PENDING, self._clock.now_ms())
        try:
            with self._uow() as uow:
                uow.keks.add(target)
                uow.commit()
        except AlreadyExists:
            self._keyring.forget(version)
            raise Conflict("another KEK rotation started at the same time; run the command again") from None
        log.info("KEK rotation: added pending KEK version %d", version)
        return target, False

    def _rewrap_all(self, target: int, passphrases: Sequence[str]) -> int:
        rewrapped = 0
        for _ in range(_FINISH_ATTEMPTS):
            with self._uow() as uow:
                todo = list(uow.secrets.ids_not_wrapped_by(target))
            for secret_id in todo:
                rewrapped += self._rewrap_one(secret_id, target, passphrases)
            if self._finish(target):
                return rewrapped
        raise Conflict("secrets kept being written under the old KEK during rotation; run it again")

    def _rewrap_one(self, secret_id: str, target: int, passphrases: Sequence[str]) -> int:
        with self._uow() as uow:
            stored = uow.secrets.get(secret_id)
            if stored is None or stored.encrypted.kek_version == target:
                return 0
            self._open_source(uow, secret_id, stored.encrypted.kek_version, passphrases)
            uow.secrets.rewrap(secret_id, self._keyring.rewrap(secret_id, stored.encrypted, target))
            uow.commit()
        log.debug("KEK rotation: re-wrapped secret %s under version %d", secret_id, target)
        return 1

    def _open_source(self, uow: UnitOfWork, secret_id: str, version: int, passphrases: Sequence[str]) -> None:
        if self._keyring.holds(version):
            return
        kek = next((k for k in uow.keks.list() if k.version == version), None)
        if kek is None or not self._try(kek, passphrases):
            raise KekLocked(
                f"secret '{secret_id}' is wrapped by KEK version {version}, which neither passphrase opens"
            )

    def _finish(self, target: int) -> bool:
        with self._uow() as uow:
            if uow.secrets.ids_not_wrapped_by(target):
                return False
            for kek in uow.keks.list():
                if kek.version != target and kek.state != KEK_RETIRED:
                    uow.keks.set_state(kek.version, KEK_RETIRED)
            uow.keks.set_state(target, KEK_ACTIVE)
            uow.commit()
        return True

    @staticmethod
    def _count_secrets(uow: UnitOfWork) -> int:
        count, page = 0, PageRequest(max_results=1000)
        while True:
            found = uow.secrets.list(page)
            count += len(found.items)
            if found.next_page_token is None:
                return count
            page = PageRequest.parse(1000, found.next_page_token)

    def _keks(self) -> list[KekVersion]:
        with self._uow() as uow:
            return list(uow.keks.list())


class _Passphrases:
    """Configured passphrases, kept out of reprs and tracebacks."""

    __slots__ = ("values",)

    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values

    def __repr__(self) -> str:
        return f"<{len(self.values)} passphrase(s)>"


def _active(keks: Sequence[KekVersion]) -> KekVersion:
    active = [k for k in keks if k.state == KEK_ACTIVE]
    if not active:
        raise KekLocked("there is no active KEK yet: run any secrets command with the passphrase set first")
    return active[-1]


def _require_new_passphrase(old: str, new: str) -> None:
    if not old:
        raise KekLocked(f"the current KEK passphrase is missing: set {PASSPHRASE_ENV}")
    _require_strength(new)
    if new == old:
        raise InvalidInput("new_passphrase", "must differ from the current passphrase")


def _require_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise InvalidInput("passphrase", f"must be at least {MIN_PASSPHRASE_CHARS} characters long")
