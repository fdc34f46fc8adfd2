"""The store contract: every store adapter (in-memory, SQLite, PostgreSQL) behaves the same."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import pytest

from core.domain.binding import BindingKey, ResourceType
from core.domain.endpoint import FallbackConfig, Tag
from core.domain.errors import AlreadyExists, HasDependents, NotFound
from core.domain.limits import RenewalPeriod
from core.domain.model_definition import ModelDefinition
from core.domain.page import Page, PageRequest
from ports.repositories import EndpointFilter, UsageQuery
from ports.unit_of_work import UnitOfWork
from tests.contract.builders import (
    T0,
    api_key,
    binding,
    encrypted,
    endpoint,
    fallback,
    kek,
    limit,
    model,
    primary,
    scorer,
    secret,
    usage,
)
from tests.contract.conftest import Store

T = TypeVar("T")


def commit(store: Store, *changes: Callable[[UnitOfWork], None]) -> None:
    """Apply the changes in one unit of work and commit it."""
    with store.unit_of_work() as uow:
        for change in changes:
            change(uow)
        uow.commit()


def each(items: Iterable[T], action: Callable[[UnitOfWork, T], None]) -> Callable[[UnitOfWork], None]:
    def apply(uow: UnitOfWork) -> None:
        for item in items:
            action(uow, item)

    return apply


def read(store: Store, query: Callable[[UnitOfWork], T]) -> T:
    with store.unit_of_work() as uow:
        return query(uow)


def all_pages(fetch: Callable[[PageRequest], Page[T]], size: int) -> list[list[T]]:
    """Follow next_page_token until the end; returns the items of each page."""
    pages: list[list[T]] = []
    request = PageRequest.parse(size, None)
    while True:
        page = fetch(request)
        pages.append(list(page.items))
        if page.next_page_token is None:
            return pages
        request = PageRequest.parse(size, page.next_page_token)


def ids_of(items: Sequence[object], field: str) -> list[str]:
    return [getattr(i, field) for i in items]


# --- Unit of work ---------------------------------------------------------------------------


def test_leaving_without_commit_rolls_back(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.secrets.add(secret("s1"))
        assert uow.secrets.get("s1") is not None  # visible inside its own unit of work
    assert read(store, lambda u: u.secrets.get("s1")) is None


def test_an_exception_in_the_block_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.unit_of_work() as uow:
        uow.secrets.add(secret("s1"))
        raise RuntimeError("boom")
    assert read(store, lambda u: u.secrets.get("s1")) is None


def test_rollback_discards_changes_and_the_unit_of_work_goes_on(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.secrets.add(secret("s1"))
        uow.rollback()
        assert uow.secrets.get("s1") is None
        uow.secrets.add(secret("s2"))
        uow.commit()
    assert read(store, lambda u: u.secrets.get("s1")) is None
    assert read(store, lambda u: u.secrets.get("s2")) is not None


def test_commit_makes_changes_visible_to_the_next_unit_of_work(store: Store) -> None:
    commit(store, lambda u: u.secrets.add(secret("s1")))
    assert read(store, lambda u: u.secrets.get("s1")) == secret("s1")


def test_a_refused_write_leaves_the_unit_of_work_usable(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.secrets.add(secret("s1", name="openai-key"))
        with pytest.raises(AlreadyExists):
            uow.secrets.add(secret("s2", name="openai-key"))
        uow.secrets.add(secret("s3"))
        uow.commit()
    assert read(store, lambda u: u.secrets.get("s1")) is not None
    assert read(store, lambda u: u.secrets.get("s2")) is None
    assert read(store, lambda u: u.secrets.get("s3")) is not None


# --- Secrets and KEKs -----------------------------------------------------------------------


def test_secret_round_trips_with_its_encrypted_value(store: Store) -> None:
    stored = secret("s1", name="openai-prod")
    commit(store, lambda u: u.secrets.add(stored))
    assert read(store, lambda u: u.secrets.get("s1")) == stored
    assert read(store, lambda u: u.secrets.get_by_name("openai-prod")) == stored
    assert read(store, lambda u: u.secrets.get("missing")) is None
    assert read(store, lambda u: u.secrets.get_by_name("missing")) is None


def test_secret_names_are_unique(store: Store) -> None:
    commit(store, lambda u: u.secrets.add(secret("s1", name="shared")))
    with pytest.raises(AlreadyExists) as caught:
        commit(store, lambda u: u.secrets.add(secret("s2", name="shared")))
    assert caught.value.message == "secret 'shared' already exists"
    assert caught.value.__cause__ is None  # no database error chained on, so no SQL text leaks
    assert read(store, lambda u: u.secrets.get("s2")) is None


def test_secret_update_changes_metadata_and_value(store: Store) -> None:
    commit(store, lambda u: u.secrets.add(secret("s1", name="old")))
    renamed = dataclasses.replace(
        secret("s1", name="new", kek_version=2),
        encrypted=dataclasses.replace(encrypted("s1-new", 2)),
    )
    commit(store, lambda u: u.secrets.update(renamed))
    assert read(store, lambda u: u.secrets.get("s1")) == renamed
    assert read(store, lambda u: u.secrets.get_by_name("old")) is None


def test_secret_update_refuses_a_taken_name_and_a_missing_secret(store: Store) -> None:
    entries = [secret("s1", name="a"), secret("s2", name="b")]
    commit(store, each(entries, lambda u, item: u.secrets.add(item)))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.secrets.update(secret("s2", name="a")))
    with pytest.raises(NotFound):
        commit(store, lambda u: u.secrets.update(secret("nope")))
    assert read(store, lambda u: u.secrets.get("s2")) == secret("s2", name="b")


def test_secret_delete(store: Store) -> None:
    commit(store, lambda u: u.secrets.add(secret("s1")))
    commit(store, lambda u: u.secrets.delete("s1"))
    assert read(store, lambda u: u.secrets.get("s1")) is None
    commit(store, lambda u: u.secrets.delete("s1"))  # deleting what is gone is harmless


def test_secrets_list_in_creation_order_across_pages(store: Store) -> None:
    # Ties on created_at fall back to the id, compared by code point ("C" < "a" < "b").
    entries = [secret("s4", at=T0 + 3), secret("b", at=T0), secret("C", at=T0), secret("a", at=T0)]
    entries.append(secret("s5", at=T0 + 1))
    commit(store, each(entries, lambda u, item: u.secrets.add(item)))
    pages = read(store, lambda u: all_pages(u.secrets.list, 2))
    assert [ids_of(p, "secret_id") for p in pages] == [["C", "a"], ["b", "s5"], ["s4"]]


def test_secrets_list_shows_metadata_never_the_encrypted_value(store: Store) -> None:
    commit(store, lambda u: u.secrets.add(secret("s1")))
    page = read(store, lambda u: u.secrets.list(PageRequest()))
    assert page.items == [secret("s1").secret]
    assert page.next_page_token is None


def test_ids_not_wrapped_by_lists_secrets_of_other_kek_versions(store: Store) -> None:
    entries = [secret("s1", kek_version=1), secret("s2", kek_version=2), secret("s3", kek_version=1)]
    commit(store, each(entries, lambda u, item: u.secrets.add(item)))
    assert read(store, lambda u: list(u.secrets.ids_not_wrapped_by(2))) == ["s1", "s3"]
    assert read(store, lambda u: list(u.secrets.ids_not_wrapped_by(1))) == ["s2"]


def test_rewrap_replaces_the_wrapped_key_and_never_the_ciphertext(store: Store) -> None:
    original = secret("s1", kek_version=1)
    commit(store, lambda u: u.secrets.add(original))
    rewrapped = dataclasses.replace(original.encrypted, wrapped_dek=b"dek-under-kek-2", kek_version=2)
    commit(store, lambda u: u.secrets.rewrap("s1", rewrapped))
    stored = read(store, lambda u: u.secrets.get("s1"))
    assert stored is not None
    assert stored.encrypted.ciphertext == original.encrypted.ciphertext
    assert stored.encrypted.wrapped_dek == b"dek-under-kek-2"
    assert stored.encrypted.kek_version == 2
    assert stored.secret == original.secret
    assert read(store, lambda u: list(u.secrets.ids_not_wrapped_by(2))) == []


def test_rewrap_refuses_a_changed_ciphertext_or_a_missing_secret(store: Store) -> None:
    original = secret("s1")
    commit(store, lambda u: u.secrets.add(original))
    with pytest.raises(ValueError, match="ciphertext"):
        commit(store, lambda u: u.secrets.rewrap("s1", encrypted("other", 2)))
    with pytest.raises(NotFound):
        commit(store, lambda u: u.secrets.rewrap("nope", encrypted("nope", 2)))
    assert read(store, lambda u: u.secrets.get("s1")) == original


def test_keks_are_listed_by_version_and_change_state(store: Store) -> None:
    commit(store, lambda u: u.keks.add(kek(2, "pending")), lambda u: u.keks.add(kek(1)))
    commit(store, lambda u: u.keks.set_state(1, "retired"), lambda u: u.keks.set_state(2, "active"))
    assert read(store, lambda u: list(u.keks.list())) == [kek(1, "retired"), kek(2, "active")]


def test_kek_versions_are_unique_and_must_exist_to_change(store: Store) -> None:
    commit(store, lambda u: u.keks.add(kek(1)))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.keks.add(kek(1, "pending")))
    with pytest.raises(NotFound):
        commit(store, lambda u: u.keks.set_state(9, "retired"))
    assert read(store, lambda u: list(u.keks.list())) == [kek(1)]


# --- Model definitions ----------------------------------------------------------------------


def test_model_definition_reads_fill_the_secret_name(store: Store) -> None:
    key = secret("s1", name="openai-prod")
    md = model("md1", secret=key)
    unnamed = dataclasses.replace(md, secret_name=None)  # the store fills it in
    commit(store, lambda u: u.secrets.add(key), lambda u: u.model_definitions.add(unnamed))
    assert read(store, lambda u: u.model_definitions.get("md1")) == md
    assert read(store, lambda u: u.model_definitions.get_by_name(md.name)) == md
    assert read(store, lambda u: u.model_definitions.get("missing")) is None


def test_model_definition_follows_a_renamed_secret(store: Store) -> None:
    key = secret("s1", name="old-name")
    commit(store, lambda u: u.secrets.add(key), lambda u: u.model_definitions.add(model("md1", secret=key)))
    commit(store, lambda u: u.secrets.update(secret("s1", name="new-name")))
    found = read(store, lambda u: u.model_definitions.get("md1"))
    assert found is not None
    assert found.secret_name == "new-name"


def test_model_definition_without_secret_has_no_secret_name(store: Store) -> None:
    commit(store, lambda u: u.model_definitions.add(model("md1")))
    found = read(store, lambda u: u.model_definitions.get("md1"))
    assert found is not None
    assert (found.secret_id, found.secret_name) == (None, None)


def test_model_definition_cannot_point_at_a_missing_secret(store: Store) -> None:
    ghost = secret("ghost")
    with pytest.raises(NotFound):
        commit(store, lambda u: u.model_definitions.add(model("md1", secret=ghost)))
    assert read(store, lambda u: u.model_definitions.get("md1")) is None


def test_deleting_a_secret_leaves_its_model_definitions_without_one(store: Store) -> None:
    key = secret("s1")
    commit(store, lambda u: u.secrets.add(key), lambda u: u.model_definitions.add(model("md1", secret=key)))
    commit(store, lambda u: u.secrets.delete("s1"))
    found = read(store, lambda u: u.model_definitions.get("md1"))
    assert found is not None
    assert (found.secret_id, found.secret_name) == (None, None)


def test_model_definition_names_are_unique(store: Store) -> None:
    commit(store, lambda u: u.model_definitions.add(model("md1", name="gpt")))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.model_definitions.add(model("md2", name="gpt")))
    commit(store, lambda u: u.model_definitions.add(model("md2", name="claude")))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.model_definitions.update(model("md2", name="gpt")))


def test_model_definition_update_and_delete(store: Store) -> None:
    key = secret("s1")
    commit(store, lambda u: u.secrets.add(key), lambda u: u.model_definitions.add(model("md1")))
    changed = dataclasses.replace(model("md1", name="renamed", secret=key), model_name="gpt-4o-mini")
    commit(store, lambda u: u.model_definitions.update(changed))
    assert read(store, lambda u: u.model_definitions.get("md1")) == changed
    with pytest.raises(NotFound):
        commit(store, lambda u: u.model_definitions.update(model("nope")))
    commit(store, lambda u: u.model_definitions.delete("md1"))
    assert read(store, lambda u: u.model_definitions.get("md1")) is None


def test_model_definitions_list_filters_by_provider_across_pages(store: Store) -> None:
    entries = [
        model("md1", provider="openai", at=T0 + 1),
        model("md2", provider="anthropic", at=T0 + 2),
        model("md3", provider="openai", at=T0 + 3),
        model("md4", provider="openai", at=T0),
    ]
    commit(store, each(entries, lambda u, item: u.model_definitions.add(item)))
    every = read(store, lambda u: all_pages(u.model_definitions.list, 10))
    assert [ids_of(p, "model_definition_id") for p in every] == [["md4", "md1", "md2", "md3"]]
    openai = read(store, lambda u: all_pages(lambda p: u.model_definitions.list(p, "openai"), 2))
    assert [ids_of(p, "model_definition_id") for p in openai] == [["md4", "md1"], ["md3"]]


def test_model_definitions_by_secret(store: Store) -> None:
    key = secret("s1")
    entries = [model("md1", secret=key, at=T0 + 1), model("md2"), model("md3", secret=key, at=T0)]
    commit(store, lambda u: u.secrets.add(key), each(entries, lambda u, item: u.model_definitions.add(item)))
    found = read(store, lambda u: u.model_definitions.list_by_secret("s1"))
    assert ids_of(found, "model_definition_id") == ["md3", "md1"]
    assert {m.secret_name for m in found} == {key.secret.name}


def test_a_model_definition_in_use_cannot_be_deleted(store: Store) -> None:
    md = model("md1")
    _models(store, md)
    commit(store, lambda u: u.endpoints.add(endpoint("e1", primary(md))))
    with pytest.raises(HasDependents) as caught:
        commit(store, lambda u: u.model_definitions.delete("md1"))
    assert "endpoint-e1" in caught.value.message
    assert read(store, lambda u: u.model_definitions.get("md1")) == md


# --- Endpoints ------------------------------------------------------------------------------


def _models(store: Store, *models: ModelDefinition) -> None:
    commit(store, each(models, lambda u, item: u.model_definitions.add(item)))


def test_endpoint_round_trips_with_embedded_model_definitions(store: Store) -> None:
    key = secret("s1", name="anthropic-key")
    gpt, claude, gemini = model("gpt"), model("claude", provider="anthropic", secret=key), model("gemini")
    commit(store, lambda u: u.secrets.add(key))
    _models(store, gpt, claude, gemini)
    chat = endpoint(
        "e1",
        primary(gpt, 0.8),
        primary(claude, 0.2),
        fallback(gemini, 2),
        fallback(gpt, 1),
        name="chat",
        tags=(Tag("team", "search"), Tag("env", ""), Tag("team", "ads")),
        fallback_config=FallbackConfig(max_attempts=3),
    )
    commit(store, lambda u: u.endpoints.add(chat))
    assert read(store, lambda u: u.endpoints.get("e1")) == chat
    assert read(store, lambda u: u.endpoints.get_by_name("chat")) == chat
    assert read(store, lambda u: u.endpoints.get("missing")) is None
    assert read(store, lambda u: u.endpoints.get_by_name("missing")) is None


def test_an_endpoint_shows_the_current_model_definition(store: Store) -> None:
    gpt = model("gpt")
    _models(store, gpt)
    commit(store, lambda u: u.endpoints.add(endpoint("e1", primary(gpt))))
    edited = dataclasses.replace(gpt, model_name="gpt-4.1")
    commit(store, lambda u: u.model_definitions.update(edited))
    found = read(store, lambda u: u.endpoints.get("e1"))
    assert found is not None
    assert found.model_mappings[0].model_definition == edited


def test_endpoint_names_are_unique(store: Store) -> None:
    gpt = model("gpt")
    _models(store, gpt)
    commit(store, lambda u: u.endpoints.add(endpoint("e1", primary(gpt), name="chat")))
    with pytest.raises(AlreadyExists) as caught:
        commit(store, lambda u: u.endpoints.add(endpoint("e2", primary(gpt, mapping_id="m2"), name="chat")))
    assert "chat" in caught.value.message
    commit(store, lambda u: u.endpoints.add(endpoint("e2", primary(gpt, mapping_id="m2"), name="chat-2")))
    taken = endpoint("e2", primary(gpt, mapping_id="m2"), name="chat")
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.endpoints.update(taken))


def test_an_endpoint_cannot_map_a_missing_model_definition(store: Store) -> None:
    with pytest.raises(NotFound) as caught:
        commit(store, lambda u: u.endpoints.add(endpoint("e1", primary(model("ghost")))))
    assert "ghost" in caught.value.message
    assert read(store, lambda u: u.endpoints.get("e1")) is None


def test_endpoint_update_replaces_mappings_and_tags(store: Store) -> None:
    gpt, claude, gemini = model("gpt"), model("claude"), model("gemini")
    _models(store, gpt, claude, gemini)
    before = endpoint(
        "e1", primary(gpt), fallback(claude, 1), fallback(gemini, 2), tags=(Tag("team", "search"),)
    )
    commit(store, lambda u: u.endpoints.add(before))
    # Same mapping ids, swapped fallback orders: the old rows must go before the new ones land.
    after = endpoint(
        "e1",
        primary(gpt, 3.0),
        fallback(claude, 2),
        fallback(gemini, 1),
        name="chat-renamed",
        tags=(Tag("owner", "ml"),),
        fallback_config=FallbackConfig(max_attempts=2),
    )
    commit(store, lambda u: u.endpoints.update(after))
    assert read(store, lambda u: u.endpoints.get("e1")) == after
    with pytest.raises(NotFound):
        commit(store, lambda u: u.endpoints.update(endpoint("nope", primary(gpt, mapping_id="m9"))))


def test_endpoint_delete_lets_its_model_definitions_go(store: Store) -> None:
    gpt = model("gpt")
    _models(store, gpt)
    commit(store, lambda u: u.endpoints.add(endpoint("e1", primary(gpt), tags=(Tag("a", "b"),))))
    commit(store, lambda u: u.endpoints.delete("e1"))
    assert read(store, lambda u: u.endpoints.get("e1")) is None
    commit(store, lambda u: u.model_definitions.delete("gpt"))
    assert read(store, lambda u: u.model_definitions.get("gpt")) is None


def _filter_fixture(store: Store) -> None:
    gpt, claude = model("gpt", provider="openai"), model("claude", provider="anthropic")
    _models(store, gpt, claude)
    entries = [
        endpoint("e1", primary(gpt, mapping_id="m1"), name="chat", tags=(Tag("team", "search"),), at=T0),
        endpoint(
            "e2",
            primary(claude, mapping_id="m2"),
            fallback(gpt, 1, mapping_id="m3"),
            name="chat-eu",
            tags=(Tag("team", "ads"), Tag("env", "prod")),
            at=T0 + 1,
        ),
        endpoint("e3", primary(claude, mapping_id="m4"), name="embed", tags=(Tag("env", ""),), at=T0 + 2),
        endpoint("e4", primary(gpt, mapping_id="m5"), name="Chat-US", at=T0 + 3),
        endpoint("e5", primary(claude, mapping_id="m6"), name="my-chat", at=T0 + 4),
    ]
    commit(store, each(entries, lambda u, item: u.endpoints.add(item)))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (EndpointFilter(), ["e1", "e2", "e3", "e4", "e5"]),
        # name: exact or prefix, case-sensitive; never a match in the middle
        (EndpointFilter(name="chat"), ["e1", "e2"]),
        (EndpointFilter(name="chat-eu"), ["e2"]),
        (EndpointFilter(name="hat"), []),
        # provider: any mapping's model definition, primary or fallback
        (EndpointFilter(provider="openai"), ["e1", "e2", "e4"]),
        (EndpointFilter(provider="anthropic"), ["e2", "e3", "e5"]),
        (EndpointFilter(provider="cohere"), []),
        # tags: by key, or by key and value (an empty value is a value)
        (EndpointFilter(tag_key="team"), ["e1", "e2"]),
        (EndpointFilter(tag_key="team", tag_value="ads"), ["e2"]),
        (EndpointFilter(tag_key="env", tag_value=""), ["e3"]),
        (EndpointFilter(tag_key="env"), ["e2", "e3"]),
        (EndpointFilter(name="chat", provider="anthropic", tag_key="env"), ["e2"]),
    ],
)
def test_endpoint_list_filters(store: Store, where: EndpointFilter, expected: list[str]) -> None:
    _filter_fixture(store)
    page = read(store, lambda u: u.endpoints.list(PageRequest(), where))
    assert ids_of(page.items, "endpoint_id") == expected
    assert page.next_page_token is None


def test_endpoint_list_pages_keep_their_filter_and_embed_models(store: Store) -> None:
    _filter_fixture(store)
    where = EndpointFilter(provider="anthropic")
    pages = read(store, lambda u: all_pages(lambda p: u.endpoints.list(p, where), 2))
    assert [ids_of(p, "endpoint_id") for p in pages] == [["e2", "e3"], ["e5"]]
    assert pages[0][0].model_mappings[1].model_definition == model("gpt", provider="openai")


def test_endpoints_all_and_by_model_definition(store: Store) -> None:
    _filter_fixture(store)
    assert ids_of(read(store, lambda u: u.endpoints.all()), "endpoint_id") == ["e1", "e2", "e3", "e4", "e5"]
    users = read(store, lambda u: u.endpoints.list_by_model_definition("gpt"))
    assert ids_of(users, "endpoint_id") == ["e1", "e2", "e4"]
    assert read(store, lambda u: u.endpoints.list_by_model_definition("nobody")) == []


# --- Bindings -------------------------------------------------------------------------------


def _two_endpoints(store: Store) -> None:
    gpt = model("gpt")
    _models(store, gpt)
    entries = [endpoint("e1", primary(gpt, mapping_id="m1")), endpoint("e2", primary(gpt, mapping_id="m2"))]
    commit(store, each(entries, lambda u, item: u.endpoints.add(item)))


def test_binding_key_is_endpoint_resource_type_and_resource_id(store: Store) -> None:
    _two_endpoints(store)
    first = binding("e1", "scorer-1")
    commit(store, lambda u: u.bindings.add(first))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.bindings.add(dataclasses.replace(first, display_name="again")))
    # Any one part of the key differing makes a different binding.
    others = [
        binding("e2", "scorer-1"),
        binding("e1", "scorer-1", ResourceType.JOB),
        binding("e1", "scorer-2"),
    ]
    commit(store, each(others, lambda u, item: u.bindings.add(item)))
    assert read(store, lambda u: u.bindings.get(first.key)) == first
    missing = BindingKey("e1", ResourceType.APPLICATION, "scorer-1")
    assert read(store, lambda u: u.bindings.get(missing)) is None


def test_a_binding_needs_its_endpoint(store: Store) -> None:
    with pytest.raises(NotFound):
        commit(store, lambda u: u.bindings.add(binding("ghost", "scorer-1")))


def test_bindings_by_endpoint_and_by_resource(store: Store) -> None:
    _two_endpoints(store)
    entries = [
        binding("e1", "s2", at=T0 + 1),
        binding("e1", "s1", at=T0 + 1),
        binding("e1", "s3", at=T0),
        binding("e2", "s1", at=T0),
    ]
    commit(store, each(entries, lambda u, item: u.bindings.add(item)))
    on_e1 = read(store, lambda u: u.bindings.list_by_endpoint("e1"))
    assert ids_of(on_e1, "resource_id") == ["s3", "s1", "s2"]
    for_s1 = read(store, lambda u: u.bindings.list_by_resource(ResourceType.SCORER, "s1"))
    assert ids_of(for_s1, "endpoint_id") == ["e2", "e1"]
    assert read(store, lambda u: u.bindings.list_by_resource(ResourceType.JOB, "s1")) == []


def test_binding_delete_and_delete_by_endpoint(store: Store) -> None:
    _two_endpoints(store)
    entries = [binding("e1", "s1"), binding("e1", "s2"), binding("e2", "s1")]
    commit(store, each(entries, lambda u, item: u.bindings.add(item)))
    commit(store, lambda u: u.bindings.delete(entries[0].key))
    assert read(store, lambda u: u.bindings.get(entries[0].key)) is None
    commit(store, lambda u: u.bindings.delete_by_endpoint("e1"))
    assert read(store, lambda u: u.bindings.list_by_endpoint("e1")) == []
    assert read(store, lambda u: u.bindings.list_by_endpoint("e2")) == [entries[2]]


# --- Limits ---------------------------------------------------------------------------------


def test_limits_are_replaced_as_a_whole_and_keep_their_order(store: Store) -> None:
    _two_endpoints(store)
    rules = (limit(RenewalPeriod.MINUTE, 60, 10_000), limit(RenewalPeriod.SECOND, 5))
    commit(store, lambda u: u.limits.put("e1", rules))
    assert read(store, lambda u: u.limits.get("e1")) == rules
    assert read(store, lambda u: u.limits.get("e2")) == ()
    replaced = (limit(RenewalPeriod.DAY, 1_000_000),)
    commit(store, lambda u: u.limits.put("e1", replaced), lambda u: u.limits.put("e2", rules))
    assert read(store, lambda u: u.limits.all()) == {"e1": replaced, "e2": rules}
    commit(store, lambda u: u.limits.put("e1", ()))
    assert read(store, lambda u: u.limits.all()) == {"e2": rules}


# --- Keys -----------------------------------------------------------------------------------


def test_keys_round_trip_and_are_found_by_hash(store: Store) -> None:
    key = api_key("k1", key_hash="sha256:abc")
    commit(store, lambda u: u.keys.add(key))
    assert read(store, lambda u: u.keys.get("k1")) == key
    assert read(store, lambda u: u.keys.get_by_hash("sha256:abc")) == key
    assert read(store, lambda u: u.keys.get_by_hash("sha256:other")) is None


def test_key_hashes_are_unique(store: Store) -> None:
    commit(store, lambda u: u.keys.add(api_key("k1", key_hash="same")))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.keys.add(api_key("k2", key_hash="same")))
    assert read(store, lambda u: u.keys.get("k2")) is None


def test_key_update_revokes_and_list_pages(store: Store) -> None:
    entries = [api_key("k2", at=T0 + 1), api_key("k1", at=T0 + 2), api_key("k3", at=T0)]
    commit(store, each(entries, lambda u, item: u.keys.add(item)))
    revoked = dataclasses.replace(entries[0], revoked=True)
    commit(store, lambda u: u.keys.update(revoked))
    assert read(store, lambda u: u.keys.get("k2")) == revoked
    with pytest.raises(NotFound):
        commit(store, lambda u: u.keys.update(api_key("nope")))
    pages = read(store, lambda u: all_pages(u.keys.list, 2))
    assert [ids_of(p, "key_id") for p in pages] == [["k3", "k2"], ["k1"]]


# --- Scorers --------------------------------------------------------------------------------


def test_scorer_versions_in_order_by_id_and_by_name(store: Store) -> None:
    _two_endpoints(store)
    versions = [scorer("sc1", 2, endpoint_id="e2"), scorer("sc1", 1, endpoint_id="e1")]
    commit(store, each(versions, lambda u, item: u.scorers.add(item)))
    assert read(store, lambda u: list(u.scorers.versions("sc1"))) == [versions[1], versions[0]]
    by_name = read(store, lambda u: list(u.scorers.versions_by_name("exp-1", "relevance")))
    assert by_name == [versions[1], versions[0]]
    assert read(store, lambda u: list(u.scorers.versions_by_name("exp-2", "relevance"))) == []


def test_scorer_name_and_version_are_unique_within_a_namespace(store: Store) -> None:
    commit(store, lambda u: u.scorers.add(scorer("sc1", 1)))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.scorers.add(scorer("sc1", 1)))
    with pytest.raises(AlreadyExists):
        commit(store, lambda u: u.scorers.add(scorer("sc2", 1)))
    commit(store, lambda u: u.scorers.add(scorer("sc2", 1, namespace="exp-2")))
    assert len(read(store, lambda u: u.scorers.versions("sc2"))) == 1


def test_scorers_list_latest_versions(store: Store) -> None:
    entries = [
        scorer("sc1", 1, at=T0),
        scorer("sc1", 2, at=T0 + 5),
        scorer("sc2", 1, name="tone", at=T0 + 1),
        scorer("sc3", 1, name="safety", namespace="exp-2", at=T0 + 2),
    ]
    commit(store, each(entries, lambda u, item: u.scorers.add(item)))
    pages = read(store, lambda u: all_pages(u.scorers.list_latest, 2))
    assert [[(s.scorer_id, s.version) for s in p] for p in pages] == [[("sc2", 1), ("sc3", 1)], [("sc1", 2)]]
    in_exp_1 = read(store, lambda u: u.scorers.list_latest(PageRequest(), "exp-1"))
    assert [(s.scorer_id, s.version) for s in in_exp_1.items] == [("sc2", 1), ("sc1", 2)]


def test_scorer_delete_version_delete_and_detach(store: Store) -> None:
    _two_endpoints(store)
    entries = [
        scorer("sc1", 1, endpoint_id="e1"),
        scorer("sc1", 2, endpoint_id="e2"),
        scorer("sc2", 1, name="tone", endpoint_id="e1"),
    ]
    commit(store, each(entries, lambda u, item: u.scorers.add(item)))
    commit(store, lambda u: u.scorers.detach_endpoint("e1"))
    assert [v.endpoint_id for v in read(store, lambda u: u.scorers.versions("sc1"))] == [None, "e2"]
    assert [v.endpoint_id for v in read(store, lambda u: u.scorers.versions("sc2"))] == [None]
    commit(store, lambda u: u.scorers.delete_version("sc1", 2))
    assert [v.version for v in read(store, lambda u: u.scorers.versions("sc1"))] == [1]
    commit(store, lambda u: u.scorers.delete("sc1"))
    assert read(store, lambda u: list(u.scorers.versions("sc1"))) == []
    assert len(read(store, lambda u: u.scorers.versions("sc2"))) == 1


# --- Usage ----------------------------------------------------------------------------------


def _usage_fixture(store: Store) -> None:
    records = [
        usage("r3", T0 + 2_000, "e1"),
        usage("r1", T0, "e1"),
        usage("r2", T0 + 1_000, "e2"),
        usage("r4", T0 + 3_000, "e1"),
        usage("r0", T0, "e2"),
    ]
    commit(store, lambda u: u.usage.add_many(records))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (UsageQuery(), ["r0", "r1", "r2", "r3", "r4"]),
        (UsageQuery(endpoint_id="e1"), ["r1", "r3", "r4"]),
        # since is inclusive, until exclusive
        (UsageQuery(since_ms=T0 + 1_000), ["r2", "r3", "r4"]),
        (UsageQuery(until_ms=T0 + 2_000), ["r0", "r1", "r2"]),
        (UsageQuery(endpoint_id="e1", since_ms=T0 + 1, until_ms=T0 + 3_000), ["r3"]),
        (UsageQuery(endpoint_id="nobody"), []),
    ],
)
def test_usage_query_filters(store: Store, where: UsageQuery, expected: list[str]) -> None:
    _usage_fixture(store)
    page = read(store, lambda u: u.usage.list(PageRequest(), where))
    assert ids_of(page.items, "request_id") == expected


def test_usage_records_round_trip_across_pages(store: Store) -> None:
    _usage_fixture(store)
    pages = read(store, lambda u: all_pages(u.usage.list, 2))
    assert [ids_of(p, "request_id") for p in pages] == [["r0", "r1"], ["r2", "r3"], ["r4"]]
    assert pages[0][1] == usage("r1", T0, "e1")


# --- Configuration revision -----------------------------------------------------------------


def test_a_committed_revision_bump_is_seen_by_another_unit_of_work(store: Store) -> None:
    start = read(store, lambda u: u.revision.current())
    with store.unit_of_work() as uow:
        uow.revision.bump()
        uow.revision.bump()
        assert uow.revision.current() == start + 2
        uow.commit()
    assert read(store, lambda u: u.revision.current()) == start + 2


def test_an_uncommitted_revision_bump_is_not_seen(store: Store) -> None:
    start = read(store, lambda u: u.revision.current())
    with store.unit_of_work() as uow:
        uow.revision.bump()
    assert read(store, lambda u: u.revision.current()) == start


def test_concurrent_revision_bumps_are_never_lost(store: Store) -> None:
    start = read(store, lambda u: u.revision.current())

    def bump_ten_times() -> None:
        for _ in range(10):
            commit(store, lambda u: u.revision.bump())

    workers = [threading.Thread(target=bump_ten_times) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert read(store, lambda u: u.revision.current()) == start + 40
