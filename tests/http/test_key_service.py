"""KeyService: keys shown once, stored as hashes, verified, revoked."""

from __future__ import annotations

import pytest

from apps.bootstrap import Services, build_in_memory
from core.domain.errors import InvalidInput, NotFound, Unauthenticated
from core.domain.page import PageRequest
from core.domain.principal import Role
from core.services.keys import KEY_PREFIX, hash_key


@pytest.fixture
def services() -> Services:
    return build_in_memory()


def test_a_new_key_authenticates_as_its_principal(services: Services) -> None:
    key, plaintext = services.keys.create("ci-bot", "user", actor="alice")

    principal = services.keys.authenticate(plaintext)

    assert (principal.name, principal.role, principal.key_id) == ("ci-bot", Role.USER, key.key_id)
    assert key.audit.created_by == "alice"


def test_the_plaintext_is_long_random_and_never_stored(services: Services) -> None:
    key, plaintext = services.keys.create("ci-bot", "admin")
    _, other = services.keys.create("ci-bot-2", "admin")

    assert plaintext.startswith(KEY_PREFIX)
    assert len(plaintext) - len(KEY_PREFIX) >= 43  # 32 bytes, URL-safe base64
    assert plaintext != other
    assert key.key_hash == hash_key(plaintext)
    stored = services.keys.get(key.key_id)
    assert plaintext not in repr(stored) and plaintext not in stored.key_hash


@pytest.mark.parametrize("presented", [None, "", "sb-unknown", "Bearer sb-x"])
def test_unknown_or_missing_keys_are_rejected(services: Services, presented: str | None) -> None:
    services.keys.create("ci-bot", "admin")
    with pytest.raises(Unauthenticated):
        services.keys.authenticate(presented)


def test_a_revoked_key_stops_working(services: Services) -> None:
    key, plaintext = services.keys.create("ci-bot", "admin")

    revoked = services.keys.revoke(key.key_id, actor="alice")

    assert revoked.revoked and revoked.audit.last_updated_by == "alice"
    with pytest.raises(Unauthenticated):
        services.keys.authenticate(plaintext)
    assert services.keys.revoke(key.key_id).revoked  # twice is harmless


def test_a_user_key_may_be_limited_to_existing_endpoints_only(services: Services) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.keys.create("app", "user", endpoints=["nope"])
    assert caught.value.field == "endpoints"


def test_an_admin_key_cannot_be_limited_to_endpoints(services: Services) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.keys.create("root", "admin", endpoints=["chat"])
    assert caught.value.field == "endpoints"


def test_an_unknown_role_names_the_field(services: Services) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.keys.create("root", "superuser")
    assert caught.value.field == "role"


def test_listing_pages_through_keys(services: Services) -> None:
    for i in range(3):
        services.keys.create(f"k{i}", "user")

    first = services.keys.list(PageRequest.parse(2, None))
    second = services.keys.list(PageRequest.parse(2, first.next_page_token))

    names = [k.name for k in first.items] + [k.name for k in second.items]
    assert sorted(names) == ["k0", "k1", "k2"]
    assert second.next_page_token is None


def test_changes_bump_the_config_revision(services: Services) -> None:
    def revision() -> int:
        with services.ports.uow() as uow:
            return uow.revision.current()

    before = revision()
    key, _ = services.keys.create("k", "user")
    services.keys.revoke(key.key_id)
    assert revision() == before + 2


def test_revoking_an_unknown_key_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound):
        services.keys.revoke("missing")
