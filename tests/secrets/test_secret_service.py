"""Secret use cases on every store: masked reads, new DEK per value, dependents, cached values."""

from __future__ import annotations

from typing import Any

import pytest

from apps.bootstrap import Services
from core.domain.errors import AlreadyExists, HasDependents, InvalidInput, NotFound
from core.domain.page import PageRequest
from core.domain.secret import SecretUndecryptable, StoredSecret
from core.services.model_definitions import ModelDefinitionSpec
from tests.secrets.conftest import PLAINTEXT, Deployment, leaks


@pytest.fixture
def services(deployment: Deployment) -> Services:
    return deployment.process()


def stored(services: Services, secret_id: str) -> StoredSecret:
    with services.ports.uow() as uow:
        found = uow.secrets.get(secret_id)
    assert found is not None
    return found


def revision(services: Services) -> int:
    with services.ports.uow() as uow:
        return uow.revision.current()


def model_using(services: Services, name: str, secret_id: str) -> str:
    spec = ModelDefinitionSpec(name=name, provider="openai", model_name="gpt-4o", secret_id=secret_id)
    return services.model_definitions.create(spec).model_definition_id


def test_create_returns_metadata_with_the_masked_value_only(services: Services) -> None:
    secret = services.secrets.create("openai-prod", PLAINTEXT, provider="openai", auth_config={"org": "acme"})

    assert secret.masked_value == "sk-...q8Zr"
    assert (secret.name, secret.provider, dict(secret.auth_config)) == (
        "openai-prod",
        "openai",
        {"org": "acme"},
    )
    assert services.secrets.get(secret.secret_id) == secret
    assert services.secrets.list(PageRequest()).items == [secret]
    assert not leaks(repr(secret))
    assert services.secret_values.value(secret.secret_id) == PLAINTEXT


def test_names_are_unique(services: Services) -> None:
    services.secrets.create("openai", PLAINTEXT)
    other = services.secrets.create("anthropic", "sk-ant-0000000000000000")

    with pytest.raises(AlreadyExists):
        services.secrets.create("openai", "sk-another-000000000000")
    with pytest.raises(AlreadyExists):
        services.secrets.update(other.secret_id, name="openai")


def test_a_new_value_is_encrypted_under_a_new_data_key(services: Services) -> None:
    secret = services.secrets.create("openai", PLAINTEXT)
    before = stored(services, secret.secret_id).encrypted

    updated = services.secrets.update(secret.secret_id, value="sk-rotated-value-00000000wxyz")
    after = stored(services, secret.secret_id).encrypted

    assert updated.masked_value == "sk-...wxyz"
    assert after.ciphertext != before.ciphertext and after.wrapped_dek != before.wrapped_dek
    # The old data key does not open the new value: it really is a different key.
    with pytest.raises(SecretUndecryptable):
        services.ports.cipher.decrypt(
            secret.secret_id,
            type(after)(
                ciphertext=after.ciphertext, wrapped_dek=before.wrapped_dek, kek_version=before.kek_version
            ),
        )
    assert services.secret_values.value(secret.secret_id) == "sk-rotated-value-00000000wxyz"


def test_renaming_or_changing_settings_leaves_the_encrypted_value_untouched(services: Services) -> None:
    secret = services.secrets.create("openai", PLAINTEXT, provider="openai")
    before = stored(services, secret.secret_id).encrypted

    updated = services.secrets.update(
        secret.secret_id, name="openai-eu", provider=None, auth_config={"region": "eu"}, actor="ops"
    )

    assert (updated.name, updated.provider, dict(updated.auth_config)) == (
        "openai-eu",
        None,
        {"region": "eu"},
    )
    assert updated.masked_value == secret.masked_value and updated.audit.last_updated_by == "ops"
    assert stored(services, secret.secret_id).encrypted == before


def test_every_change_bumps_the_config_revision(services: Services) -> None:
    seen = [revision(services)]
    secret = services.secrets.create("openai", PLAINTEXT)
    seen.append(revision(services))
    services.secrets.update(secret.secret_id, value="sk-second-value-000000000")
    seen.append(revision(services))
    services.secrets.update(secret.secret_id, name="renamed")
    seen.append(revision(services))
    services.secrets.delete(secret.secret_id)
    seen.append(revision(services))

    assert seen == sorted(set(seen))  # strictly increasing


def test_delete_is_refused_while_model_definitions_use_the_secret_and_names_them(services: Services) -> None:
    secret = services.secrets.create("openai", PLAINTEXT)
    model_using(services, "gpt-4o-prod", secret.secret_id)
    model_using(services, "gpt-4o-mini", secret.secret_id)

    with pytest.raises(HasDependents) as refused:
        services.secrets.delete(secret.secret_id)

    assert "gpt-4o-prod" in refused.value.message and "gpt-4o-mini" in refused.value.message
    assert services.secrets.get(secret.secret_id) == secret


def test_forced_delete_orphans_the_model_definitions_that_used_it(services: Services) -> None:
    secret = services.secrets.create("openai", PLAINTEXT)
    keep = services.secrets.create("spare", "sk-spare-value-0000000000")
    used = model_using(services, "gpt-4o-prod", secret.secret_id)
    other = model_using(services, "gpt-4o-spare", keep.secret_id)

    orphaned = services.secrets.delete(secret.secret_id, force=True, actor="ops")

    assert [m.model_definition_id for m in orphaned] == [used]
    model = services.model_definitions.get(used)
    assert (model.secret_id, model.secret_name, model.orphaned) == (None, None, True)
    assert model.audit.last_updated_by == "ops"
    assert services.model_definitions.get(other).secret_id == keep.secret_id
    with pytest.raises(NotFound):
        services.secrets.get(secret.secret_id)
    with pytest.raises(NotFound):
        services.secret_values.get(secret.secret_id)


def test_an_unused_secret_is_deleted_without_force(services: Services) -> None:
    secret = services.secrets.create("openai", PLAINTEXT)

    assert services.secrets.delete(secret.secret_id) == ()
    assert services.secrets.list(PageRequest()).items == []


def test_unknown_secrets_are_not_found(services: Services) -> None:
    for call in (
        lambda: services.secrets.get("nope"),
        lambda: services.secrets.update("nope", name="x"),
        lambda: services.secrets.delete("nope"),
        lambda: services.secret_values.get("nope"),
    ):
        with pytest.raises(NotFound):
            call()


@pytest.mark.parametrize("value", ["", "   ", "x" * (64 * 1024 + 1)])
def test_empty_or_huge_values_are_refused(services: Services, value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.secrets.create("openai", value)
    assert refused.value.field == "value"
    assert services.secrets.list(PageRequest()).items == []


@pytest.mark.parametrize(
    "fields",
    [{"name": ""}, {"name": "n" * 256}, {"provider": ""}, {"auth_config": {1: "x"}}, {"auth_config": ["x"]}],
)
def test_bad_metadata_is_refused_without_echoing_the_value(
    services: Services, fields: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.secrets.create(**{"name": "ok", "value": PLAINTEXT, **fields})

    assert not leaks(str(refused.value)) and not leaks(repr(refused.value))


def test_a_fresh_process_can_change_a_value_as_its_first_act(deployment: Deployment) -> None:
    secret = deployment.process().secrets.create("openai", PLAINTEXT)

    fresh = deployment.process()  # has not unlocked the KEK yet
    fresh.secrets.update(secret.secret_id, value="sk-changed-by-fresh-000000")

    assert deployment.process().secret_values.value(secret.secret_id) == "sk-changed-by-fresh-000000"
