"""Managing endpoints: mappings, tags, policies, listing with filters, and delete with bindings."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.domain.audit import Audit
from core.domain.endpoint import Endpoint, FallbackConfig, LinkageType, RetryPolicy, Tag, Timeouts
from core.domain.errors import AlreadyExists, HasDependents, InvalidInput, NotFound
from core.domain.limits import LimitRule, RenewalPeriod
from core.domain.page import PageRequest
from core.domain.scorer import ResultType, ScorerVersion
from core.services.endpoints import EndpointPatch, EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionSpec
from ports.repositories import EndpointFilter
from tests.unit.builders import rejected
from tests.unit.services.conftest import Admin


def model(admin: Admin, name: str, provider: str = "openai") -> str:
    spec = ModelDefinitionSpec(name=name, provider=provider, model_name=f"{name}-model")
    return admin.models.create(spec).model_definition_id


def primary(model_definition_id: str, weight: float = 1.0) -> MappingSpec:
    return MappingSpec(model_definition_id=model_definition_id, weight=weight)


def fallback(model_definition_id: str, order: int) -> MappingSpec:
    return MappingSpec(
        model_definition_id=model_definition_id, linkage_type=LinkageType.FALLBACK, fallback_order=order
    )


def names(items: Sequence[Endpoint]) -> list[str]:
    return [e.name for e in items]


class TestCreate:
    def test_an_endpoint_reads_back_with_its_models_embedded(self, admin: Admin) -> None:
        gpt, claude = model(admin, "gpt"), model(admin, "claude", "anthropic")
        created = admin.endpoints.create(
            EndpointSpec(
                name="chat",
                model_mappings=[primary(gpt, weight=80), fallback(claude, 1)],
                tags=[Tag("team", "search")],
                fallback_config=FallbackConfig(max_attempts=2),
                retry_policy=RetryPolicy(max_retries=2),
                timeouts=Timeouts(total_s=30),
            ),
            actor="alice",
        )
        read = admin.endpoints.get(created.endpoint_id)
        assert read == created == admin.endpoints.get_by_name("chat")
        assert [(m.model_definition.name, m.weight, m.linkage_type) for m in read.model_mappings] == [
            ("gpt", 80, LinkageType.PRIMARY),
            ("claude", 1.0, LinkageType.FALLBACK),
        ]
        assert read.model_mappings[1].model_definition.provider == "anthropic"
        assert (read.tags, read.retry_policy.max_retries, read.timeouts.total_s) == (
            (Tag("team", "search"),),
            2,
            30,
        )
        assert read.audit.created_by == "alice"

    def test_every_mapping_gets_its_own_id(self, admin: Admin) -> None:
        a, b = model(admin, "a"), model(admin, "b")
        created = admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary(a), primary(b)]))
        assert len({m.mapping_id for m in created.model_mappings}) == 2

    def test_names_are_unique(self, admin: Admin) -> None:
        a = model(admin, "a")
        admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary(a)]))
        with pytest.raises(AlreadyExists, match="chat"):
            admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary(a)]))

    def test_an_unknown_model_definition_is_rejected_and_nothing_is_stored(self, admin: Admin) -> None:
        with rejected("model_mappings.model_definition_id", mentioning="ghost"):
            admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary("ghost")]))
        assert list(admin.endpoints.list(PageRequest()).items) == []

    def test_no_mappings_at_all_is_rejected(self, admin: Admin) -> None:
        with rejected("model_mappings"):
            admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[]))

    def test_the_domain_rules_name_the_offending_field(self, admin: Admin) -> None:
        a, b, c = model(admin, "a"), model(admin, "b"), model(admin, "c")
        cases = {
            "model_mappings.weight": [primary(a, weight=0)],
            "model_mappings": [fallback(a, 1)],
            "model_mappings.fallback_order": [primary(a), fallback(b, 1), fallback(c, 1)],
        }
        for field, mappings in cases.items():
            with rejected(field):
                admin.endpoints.create(EndpointSpec(name="chat", model_mappings=mappings))
        with rejected("fallback_config"):
            admin.endpoints.create(
                EndpointSpec(name="chat", model_mappings=[primary(a)], fallback_config=FallbackConfig())
            )

    def test_reading_an_unknown_endpoint_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.endpoints.get("nope")
        with pytest.raises(NotFound):
            admin.endpoints.get_by_name("nope")


class TestList:
    @pytest.fixture
    def three(self, admin: Admin) -> Admin:
        gpt, claude = model(admin, "gpt"), model(admin, "claude", "anthropic")
        for name, mapping, tags in (
            ("chat", primary(gpt), [Tag("team", "search")]),
            ("chat-eu", primary(claude), [Tag("team", "ads"), Tag("region", "eu")]),
            ("embed", primary(gpt), []),
        ):
            admin.endpoints.create(EndpointSpec(name=name, model_mappings=[mapping], tags=tags))
            admin.clock.advance(1)
        return admin

    def test_lists_page_by_page_in_creation_order(self, three: Admin) -> None:
        first = three.endpoints.list(PageRequest.parse(2, None))
        second = three.endpoints.list(PageRequest.parse(2, first.next_page_token))
        assert (names(first.items), names(second.items), second.next_page_token) == (
            ["chat", "chat-eu"],
            ["embed"],
            None,
        )

    def test_filters_by_provider(self, three: Admin) -> None:
        assert names(three.endpoints.list(PageRequest(), EndpointFilter(provider="anthropic")).items) == [
            "chat-eu"
        ]

    def test_filters_by_tag_key_or_key_and_value(self, three: Admin) -> None:
        by_key = three.endpoints.list(PageRequest(), EndpointFilter(tag_key="team"))
        by_pair = three.endpoints.list(PageRequest(), EndpointFilter(tag_key="team", tag_value="ads"))
        assert (names(by_key.items), names(by_pair.items)) == (["chat", "chat-eu"], ["chat-eu"])

    def test_filters_by_name(self, three: Admin) -> None:
        assert "embed" in names(three.endpoints.list(PageRequest(), EndpointFilter(name="embed")).items)
        assert "chat" not in names(three.endpoints.list(PageRequest(), EndpointFilter(name="embed")).items)


class TestUpdate:
    def test_patches_only_the_given_fields(self, admin: Admin) -> None:
        a = model(admin, "a")
        created = admin.endpoints.create(
            EndpointSpec(name="chat", model_mappings=[primary(a)]), actor="alice"
        )
        updated = admin.endpoints.update(
            created.endpoint_id, EndpointPatch(tags=[Tag("owner", "bob")]), actor="bob"
        )
        assert updated.model_mappings == created.model_mappings
        assert updated.tags == (Tag("owner", "bob"),)
        assert (updated.audit.created_by, updated.audit.last_updated_by) == ("alice", "bob")
        assert admin.endpoints.get(created.endpoint_id) == updated

    def test_replacing_the_mappings_is_validated_like_a_create(self, admin: Admin) -> None:
        a, b = model(admin, "a"), model(admin, "b")
        created = admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary(a)]))
        updated = admin.endpoints.update(
            created.endpoint_id,
            EndpointPatch(
                model_mappings=[primary(a), fallback(b, 1)], fallback_config=FallbackConfig(max_attempts=2)
            ),
        )
        assert [m.model_definition.name for m in updated.fallbacks] == ["b"]
        with rejected("model_mappings.model_definition_id"):
            admin.endpoints.update(created.endpoint_id, EndpointPatch(model_mappings=[primary("ghost")]))
        assert admin.endpoints.get(created.endpoint_id) == updated

    def test_a_patch_that_breaks_a_cross_field_rule_changes_nothing(self, admin: Admin) -> None:
        a, b = model(admin, "a"), model(admin, "b")
        created = admin.endpoints.create(
            EndpointSpec(
                name="chat",
                model_mappings=[primary(a), fallback(b, 1)],
                fallback_config=FallbackConfig(max_attempts=2),
            )
        )
        with rejected("fallback_config"):
            admin.endpoints.update(created.endpoint_id, EndpointPatch(model_mappings=[primary(a)]))
        assert admin.endpoints.get(created.endpoint_id) == created

    def test_an_explicit_none_removes_the_fallback_config(self, admin: Admin) -> None:
        a, b = model(admin, "a"), model(admin, "b")
        created = admin.endpoints.create(
            EndpointSpec(
                name="chat",
                model_mappings=[primary(a), fallback(b, 1)],
                fallback_config=FallbackConfig(max_attempts=2),
            )
        )
        assert (
            admin.endpoints.update(created.endpoint_id, EndpointPatch(fallback_config=None)).fallback_config
            is None
        )

    def test_renaming_onto_a_taken_name_is_refused(self, admin: Admin) -> None:
        a = model(admin, "a")
        admin.endpoints.create(EndpointSpec(name="taken", model_mappings=[primary(a)]))
        other = admin.endpoints.create(EndpointSpec(name="other", model_mappings=[primary(a)]))
        with pytest.raises(AlreadyExists):
            admin.endpoints.update(other.endpoint_id, EndpointPatch(name="taken"))
        with rejected("name"):
            admin.endpoints.update(other.endpoint_id, EndpointPatch(name="not url safe"))

    def test_updating_an_unknown_endpoint_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.endpoints.update("nope", EndpointPatch(tags=[]))


class TestDelete:
    def test_an_endpoint_without_bindings_is_deleted_with_its_limits(self, admin: Admin) -> None:
        created = admin.endpoints.create(
            EndpointSpec(name="chat", model_mappings=[primary(model(admin, "a"))])
        )
        admin.limits.put(created.endpoint_id, [LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=5)])
        admin.endpoints.delete(created.endpoint_id)
        with pytest.raises(NotFound):
            admin.endpoints.get(created.endpoint_id)
        with admin.store.unit_of_work() as uow:
            assert uow.limits.get(created.endpoint_id) == ()

    def test_an_endpoint_with_bindings_is_kept_and_the_bindings_are_named(self, admin: Admin) -> None:
        created = admin.endpoints.create(
            EndpointSpec(name="chat", model_mappings=[primary(model(admin, "a"))])
        )
        admin.bindings.create(created.endpoint_id, "scorer", "sc-1", "relevance")
        admin.bindings.create(created.endpoint_id, "application", "app-9", "search ui")
        with pytest.raises(HasDependents) as refused:
            admin.endpoints.delete(created.endpoint_id)
        assert set(refused.value.dependents) == {
            "scorer 'relevance' (sc-1)",
            "application 'search ui' (app-9)",
        }
        assert admin.endpoints.get(created.endpoint_id) == created

    def test_forced_the_bindings_go_with_it_and_scorers_learn_their_endpoint_was_deleted(
        self, admin: Admin
    ) -> None:
        created = admin.endpoints.create(
            EndpointSpec(name="chat", model_mappings=[primary(model(admin, "a"))])
        )
        scorer = ScorerVersion(
            scorer_id="sc-1",
            namespace="exp",
            name="relevance",
            version=1,
            instructions="Judge {{ outputs }}",
            result_type=ResultType.YES_NO,
            endpoint_id=created.endpoint_id,
            audit=Audit.new(0, None),
        )
        with admin.store.unit_of_work() as uow:
            uow.scorers.add(scorer)
            uow.commit()
        admin.bindings.create(created.endpoint_id, "scorer", "sc-1", "relevance")
        admin.endpoints.delete(created.endpoint_id, force=True)
        assert admin.bindings.list_by_resource("scorer", "sc-1") == []
        with admin.store.unit_of_work() as uow:
            assert [v.endpoint_id for v in uow.scorers.versions("sc-1")] == [None]

    def test_deleting_an_unknown_endpoint_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.endpoints.delete("nope", force=True)


def test_every_change_bumps_the_configuration_revision(admin: Admin) -> None:
    a = model(admin, "a")
    start = admin.revision()
    created = admin.endpoints.create(EndpointSpec(name="chat", model_mappings=[primary(a)]))
    admin.endpoints.update(created.endpoint_id, EndpointPatch(tags=[Tag("k")]))
    admin.endpoints.delete(created.endpoint_id)
    assert admin.revision() == start + 3


def test_invalid_input_is_a_400_style_error(admin: Admin) -> None:
    with pytest.raises(InvalidInput):
        admin.endpoints.create(EndpointSpec(name="", model_mappings=[primary(model(admin, "a"))]))
