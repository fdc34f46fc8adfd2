"""Each config snapshot decrypts the keys its endpoints use, so requests never wait on the store."""

from __future__ import annotations

from adapters.memory import InMemoryStore
from apps.bootstrap import build_in_memory
from core.services.endpoints import EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionSpec
from ports.unit_of_work import UnitOfWork


class CountingStore:
    def __init__(self) -> None:
        self.store = InMemoryStore()
        self.opened = 0

    def unit_of_work(self) -> UnitOfWork:
        self.opened += 1
        return self.store.unit_of_work()


def test_after_a_reload_the_request_path_reads_keys_from_memory() -> None:
    counting = CountingStore()
    services = build_in_memory(uow=counting.unit_of_work)
    secret = services.secrets.create("openai", "sk-live-0123456789abcdefghij")
    model = services.model_definitions.create(
        ModelDefinitionSpec(name="gpt", provider="openai", model_name="gpt-4o", secret_id=secret.secret_id)
    )
    services.endpoints.create(
        EndpointSpec(name="chat", model_mappings=[MappingSpec(model_definition_id=model.model_definition_id)])
    )
    services.config.reload()

    opened = counting.opened
    assert services.secret_values.get(secret.secret_id).value == "sk-live-0123456789abcdefghij"
    assert counting.opened == opened  # no unit of work: the value was already decrypted


def test_a_changed_value_is_decrypted_anew_on_the_next_snapshot() -> None:
    services = build_in_memory()
    secret = services.secrets.create("openai", "sk-old-0123456789abcdefghij")
    model = services.model_definitions.create(
        ModelDefinitionSpec(name="gpt", provider="openai", model_name="gpt-4o", secret_id=secret.secret_id)
    )
    services.endpoints.create(
        EndpointSpec(name="chat", model_mappings=[MappingSpec(model_definition_id=model.model_definition_id)])
    )
    services.config.reload()
    services.secrets.update(secret.secret_id, value="sk-new-0123456789abcdefghij")
    services.config.reload()
    assert services.secret_values.get(secret.secret_id).value == "sk-new-0123456789abcdefghij"


def test_during_a_reload_the_request_path_keeps_the_values_it_had() -> None:
    counting = CountingStore()
    services = build_in_memory(uow=counting.unit_of_work)
    secret = services.secrets.create("openai", "sk-live-0123456789abcdefghij")
    services.secret_values.reload([secret.secret_id])
    seen_during_reload: list[int] = []

    class Watching:
        """The store, reporting whether a request's lookup would have had to open it."""

        def unit_of_work(self) -> UnitOfWork:
            before = counting.opened
            services.secret_values.get(secret.secret_id)  # a request arriving mid-reload
            seen_during_reload.append(counting.opened - before)
            return counting.unit_of_work()

    services.secret_values._uow = Watching().unit_of_work  # the reload's own reads go through here
    services.secret_values.reload([secret.secret_id])
    assert seen_during_reload == [0]  # served from memory while the new value was being read
