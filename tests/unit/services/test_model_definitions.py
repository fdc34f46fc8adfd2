"""Managing model definitions: create, read, list, update, and delete with the dependents rules."""

from __future__ import annotations

import pytest

from core.domain.endpoint import FallbackConfig, LinkageType
from core.domain.errors import AlreadyExists, HasDependents, InvalidInput, NotFound
from core.domain.page import PageRequest
from core.services.endpoints import EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionPatch, ModelDefinitionSpec
from tests.unit.builders import rejected
from tests.unit.services.conftest import Admin


def spec(
    name: str = "gpt-4o-prod", provider: str = "openai", secret_id: str | None = None
) -> ModelDefinitionSpec:
    return ModelDefinitionSpec(name=name, provider=provider, model_name="gpt-4o", secret_id=secret_id)


def primary(model_definition_id: str, weight: float = 1.0) -> MappingSpec:
    return MappingSpec(model_definition_id=model_definition_id, weight=weight)


def fallback(model_definition_id: str, order: int) -> MappingSpec:
    return MappingSpec(
        model_definition_id=model_definition_id, linkage_type=LinkageType.FALLBACK, fallback_order=order
    )


class TestCreateAndRead:
    def test_a_created_definition_reads_back_with_its_id_and_audit(self, admin: Admin) -> None:
        created = admin.models.create(spec(), actor="alice")
        assert admin.models.get(created.model_definition_id) == created
        assert (created.name, created.provider, created.model_name) == ("gpt-4o-prod", "openai", "gpt-4o")
        assert created.audit.created_by == created.audit.last_updated_by == "alice"
        assert created.audit.created_at == admin.clock.now_ms()

    def test_names_are_unique(self, admin: Admin) -> None:
        admin.models.create(spec())
        with pytest.raises(AlreadyExists, match="gpt-4o-prod"):
            admin.models.create(spec())

    def test_the_secret_is_shown_by_name(self, admin: Admin) -> None:
        admin.add_secret("s-1", "openai-prod-key")
        created = admin.models.create(spec(secret_id="s-1"))
        assert (created.secret_id, created.secret_name) == ("s-1", "openai-prod-key")

    def test_an_unknown_secret_is_rejected_and_nothing_is_stored(self, admin: Admin) -> None:
        with rejected("secret_id"):
            admin.models.create(spec(secret_id="missing"))
        assert list(admin.models.list(PageRequest()).items) == []

    def test_invalid_fields_are_rejected_by_name(self, admin: Admin) -> None:
        with rejected("provider"):
            admin.models.create(spec(provider=""))

    def test_reading_an_unknown_definition_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.models.get("nope")


class TestList:
    def test_lists_page_by_page_in_creation_order(self, admin: Admin) -> None:
        for name in ("a", "b", "c"):
            admin.models.create(spec(name))
            admin.clock.advance(1)
        first = admin.models.list(PageRequest.parse(2, None))
        second = admin.models.list(PageRequest.parse(2, first.next_page_token))
        assert [m.name for m in first.items] == ["a", "b"]
        assert ([m.name for m in second.items], second.next_page_token) == (["c"], None)

    def test_filters_by_provider(self, admin: Admin) -> None:
        admin.models.create(spec("gpt", provider="openai"))
        admin.models.create(spec("claude", provider="anthropic"))
        assert [m.name for m in admin.models.list(PageRequest(), provider="anthropic").items] == ["claude"]


class TestUpdate:
    def test_patches_only_the_given_fields_and_records_who_changed_it(self, admin: Admin) -> None:
        created = admin.models.create(spec(), actor="alice")
        admin.clock.advance(5_000)
        updated = admin.models.update(
            created.model_definition_id, ModelDefinitionPatch(model_name="gpt-4o-mini"), actor="bob"
        )
        assert (updated.name, updated.model_name) == ("gpt-4o-prod", "gpt-4o-mini")
        assert (updated.audit.created_by, updated.audit.last_updated_by) == ("alice", "bob")
        assert updated.audit.last_updated_at == created.audit.created_at + 5_000
        assert admin.models.get(created.model_definition_id) == updated

    def test_renaming_onto_a_taken_name_is_refused(self, admin: Admin) -> None:
        admin.models.create(spec("taken"))
        other = admin.models.create(spec("other"))
        with pytest.raises(AlreadyExists):
            admin.models.update(other.model_definition_id, ModelDefinitionPatch(name="taken"))

    def test_an_explicit_none_clears_the_secret_while_unset_keeps_it(self, admin: Admin) -> None:
        admin.add_secret("s-1", "key")
        created = admin.models.create(spec(secret_id="s-1"))
        kept = admin.models.update(created.model_definition_id, ModelDefinitionPatch(provider="azure_openai"))
        assert kept.secret_id == "s-1"
        cleared = admin.models.update(created.model_definition_id, ModelDefinitionPatch(secret_id=None))
        assert (cleared.secret_id, cleared.secret_name) == (None, None)

    def test_an_invalid_patch_changes_nothing(self, admin: Admin) -> None:
        created = admin.models.create(spec())
        with pytest.raises(InvalidInput):
            admin.models.update(created.model_definition_id, ModelDefinitionPatch(api_base="not-a-url"))
        assert admin.models.get(created.model_definition_id) == created

    def test_every_endpoint_using_it_sees_the_edit_at_once(self, admin: Admin) -> None:
        model = admin.models.create(spec())
        endpoint = admin.endpoints.create(
            EndpointSpec(name="chat", model_mappings=[primary(model.model_definition_id)])
        )
        admin.models.update(model.model_definition_id, ModelDefinitionPatch(model_name="gpt-4.1"))
        served = admin.endpoints.get(endpoint.endpoint_id).model_mappings[0].model_definition
        assert served.model_name == "gpt-4.1"

    def test_updating_an_unknown_definition_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.models.update("nope", ModelDefinitionPatch(name="x"))


class TestDelete:
    def test_an_unused_definition_is_deleted(self, admin: Admin) -> None:
        created = admin.models.create(spec())
        admin.models.delete(created.model_definition_id)
        with pytest.raises(NotFound):
            admin.models.get(created.model_definition_id)

    def test_deleting_an_unknown_definition_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.models.delete("nope")

    def test_a_definition_endpoints_use_is_kept_and_the_endpoints_are_named(self, admin: Admin) -> None:
        main = admin.models.create(spec("main"))
        spare = admin.models.create(spec("spare"))
        for name in ("chat", "summarise"):
            admin.endpoints.create(
                EndpointSpec(
                    name=name,
                    model_mappings=[
                        primary(main.model_definition_id),
                        fallback(spare.model_definition_id, 1),
                    ],
                )
            )
        with pytest.raises(HasDependents) as refused:
            admin.models.delete(spare.model_definition_id)
        assert refused.value.dependents == ("endpoint 'chat'", "endpoint 'summarise'")
        assert admin.models.get(spare.model_definition_id) == spare

    def test_forced_its_mappings_are_removed_from_every_endpoint(self, admin: Admin) -> None:
        main = admin.models.create(spec("main"))
        spare = admin.models.create(spec("spare"))
        endpoint = admin.endpoints.create(
            EndpointSpec(
                name="chat",
                model_mappings=[primary(main.model_definition_id), fallback(spare.model_definition_id, 1)],
                fallback_config=FallbackConfig(max_attempts=2),
            )
        )
        admin.models.delete(spare.model_definition_id, force=True, actor="alice")
        after = admin.endpoints.get(endpoint.endpoint_id)
        assert [m.model_definition.name for m in after.model_mappings] == ["main"]
        assert after.fallback_config is None  # no fallback model is left to configure
        assert after.audit.last_updated_by == "alice"

    def test_forced_a_remaining_fallback_config_shrinks_to_what_can_be_tried(self, admin: Admin) -> None:
        ids = [admin.models.create(spec(n)).model_definition_id for n in ("main", "fb1", "fb2")]
        endpoint = admin.endpoints.create(
            EndpointSpec(
                name="chat",
                model_mappings=[primary(ids[0]), fallback(ids[1], 1), fallback(ids[2], 2)],
                fallback_config=FallbackConfig(max_attempts=3),
            )
        )
        admin.models.delete(ids[2], force=True)
        assert admin.endpoints.get(endpoint.endpoint_id).fallback_config == FallbackConfig(max_attempts=2)

    def test_even_forced_the_only_primary_of_an_endpoint_is_kept(self, admin: Admin) -> None:
        only = admin.models.create(spec("only"))
        admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary(only.model_definition_id)]))
        with pytest.raises(HasDependents) as refused:
            admin.models.delete(only.model_definition_id, force=True)
        assert refused.value.dependents == ("endpoint 'chat' (its only PRIMARY model)",)
        assert admin.models.get(only.model_definition_id) == only

    def test_forced_one_of_several_primaries_leaves_the_others(self, admin: Admin) -> None:
        a = admin.models.create(spec("a")).model_definition_id
        b = admin.models.create(spec("b")).model_definition_id
        endpoint = admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary(a), primary(b)]))
        admin.models.delete(a, force=True)
        assert [m.model_definition.name for m in admin.endpoints.get(endpoint.endpoint_id).primaries] == ["b"]


def test_every_change_bumps_the_configuration_revision(admin: Admin) -> None:
    start = admin.revision()
    created = admin.models.create(spec())
    admin.models.update(created.model_definition_id, ModelDefinitionPatch(model_name="x"))
    admin.models.delete(created.model_definition_id)
    assert admin.revision() == start + 3
