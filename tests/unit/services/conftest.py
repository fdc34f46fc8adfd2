"""The management use cases wired over one in-memory store, a fake clock and counting ids."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from adapters.memory import InMemoryStore
from core.domain.audit import Audit
from core.domain.secret import EncryptedValue, Secret, StoredSecret
from core.services.bindings import BindingService
from core.services.endpoints import EndpointService
from core.services.limits import LimitService
from core.services.model_definitions import ModelDefinitionService
from tests.unit.fakes import FakeClock, SequentialIds


@dataclass
class Admin:
    store: InMemoryStore
    clock: FakeClock
    models: ModelDefinitionService
    endpoints: EndpointService
    bindings: BindingService
    limits: LimitService

    def add_secret(self, secret_id: str, name: str) -> None:
        """Store a secret directly; the secret use cases belong to another issue."""
        stored = StoredSecret(
            secret=Secret(secret_id=secret_id, name=name, masked_value="********", audit=Audit.new(0, None)),
            encrypted=EncryptedValue(ciphertext=b"c", wrapped_dek=b"d", kek_version=1),
        )
        with self.store.unit_of_work() as uow:
            uow.secrets.add(stored)
            uow.commit()

    def revision(self) -> int:
        with self.store.unit_of_work() as uow:
            return uow.revision.current()


@pytest.fixture
def admin() -> Admin:
    store = InMemoryStore()
    clock = FakeClock()
    ids = SequentialIds()
    return Admin(
        store=store,
        clock=clock,
        models=ModelDefinitionService(store.unit_of_work, clock, ids),
        endpoints=EndpointService(store.unit_of_work, clock, ids),
        bindings=BindingService(store.unit_of_work, clock),
        limits=LimitService(store.unit_of_work),
    )
