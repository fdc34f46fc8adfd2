"""The in-memory view of configuration the hot path reads, reloaded only when it changed.

Every configuration change bumps a revision counter in the store; a process compares it
(one tiny read) on a timer and after its own admin writes, and reloads everything when it
moved. The hot path itself never touches the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from core.domain.endpoint import Endpoint
from core.domain.limits import LimitRule
from core.domain.page import PageRequest
from core.domain.principal import Principal
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

_PAGE = PageRequest(max_results=1000)


@dataclass(frozen=True, slots=True)
class ConfigSnapshot:
    revision: int
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    limits: dict[str, tuple[LimitRule, ...]] = field(default_factory=dict)
    principals_by_key_hash: dict[str, Principal] = field(default_factory=dict)


def secret_ids_in_use(snapshot: ConfigSnapshot) -> set[str]:
    """The secrets the endpoints of a snapshot would call their models with."""
    return {
        m.model_definition.secret_id
        for endpoint in snapshot.endpoints.values()
        for m in endpoint.model_mappings
        if m.model_definition.secret_id is not None
    }


class ConfigCache:
    """Holds the current snapshot; `listeners` run after each reload (e.g. to drop caches)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
        self._snapshot: ConfigSnapshot | None = None
        self._lock = threading.Lock()
        self.listeners: list[Callable[[ConfigSnapshot], None]] = []

    @property
    def current(self) -> ConfigSnapshot:
        snapshot = self._snapshot
        if snapshot is None:
            return self.reload()
        return snapshot

    def reload(self) -> ConfigSnapshot:
        with self._lock, self._uow() as uow:
            snapshot = _load(uow)
            self._snapshot = snapshot
        for listener in self.listeners:
            listener(snapshot)
        return snapshot

    def refresh_if_changed(self) -> bool:
        """Reload when the store's revision moved; True if it did."""
        with self._uow() as uow:
            revision = uow.revision.current()
        if self._snapshot is not None and self._snapshot.revision == revision:
            return False
        self.reload()
        return True


def _load(uow: UnitOfWork) -> ConfigSnapshot:
    revision = uow.revision.current()
    endpoints = {e.name: e for e in uow.endpoints.all()}
    principals: dict[str, Principal] = {}
    page = _PAGE
    while True:
        keys = uow.keys.list(page)
        principals.update({k.key_hash: k.principal() for k in keys.items if not k.revoked})
        if keys.next_page_token is None:
            break
        page = PageRequest.parse(_PAGE.max_results, keys.next_page_token)
    return ConfigSnapshot(revision, endpoints, uow.limits.all(), principals)
