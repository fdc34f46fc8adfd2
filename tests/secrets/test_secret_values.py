"""The invocation path's view of secret values: decrypted once, forgotten the moment they change."""

from __future__ import annotations

import dataclasses

import pytest

from adapters.memory import InMemoryStore
from apps.bootstrap import Services
from core.domain.errors import NotFound
from core.domain.secret import StoredSecret
from tests.secrets.conftest import PLAINTEXT, Deployment


@pytest.fixture
def deployment() -> Deployment:
    return Deployment("memory", "memory://", memory=InMemoryStore())


def corrupt_row(services: Services, secret_id: str) -> None:
    """Damage the stored ciphertext behind the service's back: only a cache can still answer."""
    with services.ports.uow() as uow:
        current = uow.secrets.get(secret_id)
        assert current is not None
        broken = dataclasses.replace(
            current.encrypted, ciphertext=b"\x00" * len(current.encrypted.ciphertext)
        )
        uow.secrets.update(StoredSecret(secret=current.secret, encrypted=broken))
        uow.commit()


def test_a_value_is_decrypted_once_then_served_from_memory(deployment: Deployment) -> None:
    services = deployment.process()
    secret = services.secrets.create("openai", PLAINTEXT, auth_config={"org": "acme"})
    assert services.secret_values.value(secret.secret_id) == PLAINTEXT

    corrupt_row(services, secret.secret_id)

    served = services.secret_values.get(secret.secret_id)
    assert (served.value, dict(served.auth_config)) == (PLAINTEXT, {"org": "acme"})
    assert PLAINTEXT not in repr(served)


def test_an_update_through_this_process_drops_the_cached_value_at_once(deployment: Deployment) -> None:
    services = deployment.process()
    secret = services.secrets.create("openai", PLAINTEXT)
    services.secret_values.value(secret.secret_id)

    services.secrets.update(secret.secret_id, value="sk-next-value-000000000000")
    assert services.secret_values.value(secret.secret_id) == "sk-next-value-000000000000"

    services.secrets.update(secret.secret_id, auth_config={"region": "eu"})
    assert dict(services.secret_values.get(secret.secret_id).auth_config) == {"region": "eu"}


def test_a_delete_through_this_process_drops_the_cached_value_at_once(deployment: Deployment) -> None:
    services = deployment.process()
    secret = services.secrets.create("openai", PLAINTEXT)
    services.secret_values.value(secret.secret_id)

    services.secrets.delete(secret.secret_id)

    with pytest.raises(NotFound):
        services.secret_values.get(secret.secret_id)


def test_another_process_keeps_its_value_until_told_the_config_changed(deployment: Deployment) -> None:
    admin, server = deployment.process(), deployment.process()
    secret = admin.secrets.create("openai", PLAINTEXT)
    assert server.secret_values.value(secret.secret_id) == PLAINTEXT

    admin.secrets.update(secret.secret_id, value="sk-next-value-000000000000")
    stale = server.secret_values.value(secret.secret_id)
    server.secret_values.clear()  # what the config snapshot does when the revision moves

    assert stale == PLAINTEXT
    assert server.secret_values.value(secret.secret_id) == "sk-next-value-000000000000"


def test_invalidate_forgets_just_one_secret(deployment: Deployment) -> None:
    services = deployment.process()
    first = services.secrets.create("first", PLAINTEXT)
    second = services.secrets.create("second", "sk-second-value-0000000000")
    services.secret_values.value(first.secret_id)
    services.secret_values.value(second.secret_id)
    corrupt_row(services, first.secret_id)
    corrupt_row(services, second.secret_id)

    services.secret_values.invalidate(first.secret_id)

    assert services.secret_values.value(second.secret_id) == "sk-second-value-0000000000"
    with pytest.raises(Exception, match="cannot be decrypted"):
        services.secret_values.value(first.secret_id)
