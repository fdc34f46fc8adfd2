"""Generic bindings (who uses an endpoint) and an endpoint's limit rules."""

from __future__ import annotations

import pytest

from core.domain.binding import ResourceType
from core.domain.errors import AlreadyExists, NotFound
from core.domain.limits import LimitKey, LimitRule, RenewalPeriod
from core.services.endpoints import EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionSpec
from tests.unit.builders import rejected
from tests.unit.services.conftest import Admin


@pytest.fixture
def endpoint_id(admin: Admin) -> str:
    model = admin.models.create(ModelDefinitionSpec(name="gpt", provider="openai", model_name="gpt-4o"))
    spec = EndpointSpec(
        name="chat", model_mappings=[MappingSpec(model_definition_id=model.model_definition_id)]
    )
    return admin.endpoints.create(spec).endpoint_id


class TestBindings:
    def test_a_binding_is_listed_on_its_endpoint_and_on_its_resource(
        self, admin: Admin, endpoint_id: str
    ) -> None:
        created = admin.bindings.create(endpoint_id, "scorer", "sc-1", "relevance", actor="alice")
        assert admin.bindings.list_by_endpoint(endpoint_id) == [created]
        assert admin.bindings.list_by_resource("scorer", "sc-1") == [created]
        assert (created.resource_type, created.audit.created_by) == (ResourceType.SCORER, "alice")

    def test_the_same_key_twice_is_refused(self, admin: Admin, endpoint_id: str) -> None:
        admin.bindings.create(endpoint_id, "scorer", "sc-1", "relevance")
        with pytest.raises(AlreadyExists):
            admin.bindings.create(endpoint_id, "scorer", "sc-1", "renamed")

    def test_the_same_resource_id_under_another_type_is_another_binding(
        self, admin: Admin, endpoint_id: str
    ) -> None:
        admin.bindings.create(endpoint_id, "scorer", "x-1", "a scorer")
        admin.bindings.create(endpoint_id, "job", "x-1", "a job")
        assert len(admin.bindings.list_by_endpoint(endpoint_id)) == 2

    def test_binding_to_an_unknown_endpoint_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.bindings.create("ghost", "scorer", "sc-1", "relevance")

    def test_an_unknown_resource_type_is_rejected(self, admin: Admin, endpoint_id: str) -> None:
        with rejected("resource_type"):
            admin.bindings.create(endpoint_id, "dashboard", "d-1", "board")

    def test_a_deleted_binding_is_gone_and_deleting_it_again_is_not_found(
        self, admin: Admin, endpoint_id: str
    ) -> None:
        admin.bindings.create(endpoint_id, "scorer", "sc-1", "relevance")
        admin.bindings.delete(endpoint_id, "scorer", "sc-1")
        assert admin.bindings.list_by_endpoint(endpoint_id) == []
        with pytest.raises(NotFound):
            admin.bindings.delete(endpoint_id, "scorer", "sc-1")

    def test_listing_an_unknown_endpoints_bindings_is_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.bindings.list_by_endpoint("ghost")


class TestLimits:
    def test_an_endpoint_starts_without_limits(self, admin: Admin, endpoint_id: str) -> None:
        assert admin.limits.get(endpoint_id) == ()

    def test_put_replaces_every_rule(self, admin: Admin, endpoint_id: str) -> None:
        first = [LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=100)]
        second = [
            LimitRule(renewal_period=RenewalPeriod.DAY, calls=1000, tokens=50_000),
            LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=5, key=LimitKey.USER),
        ]
        admin.limits.put(endpoint_id, first)
        assert admin.limits.put(endpoint_id, second) == tuple(second)
        assert admin.limits.get(endpoint_id) == tuple(second)

    def test_an_empty_list_removes_the_limits(self, admin: Admin, endpoint_id: str) -> None:
        admin.limits.put(endpoint_id, [LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=1)])
        admin.limits.put(endpoint_id, [])
        assert admin.limits.get(endpoint_id) == ()

    def test_two_rules_for_one_period_and_key_are_rejected_and_nothing_changes(
        self, admin: Admin, endpoint_id: str
    ) -> None:
        kept = [LimitRule(renewal_period=RenewalPeriod.HOUR, calls=10)]
        admin.limits.put(endpoint_id, kept)
        twice = [LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=n) for n in (1, 2)]
        with rejected("limits"):
            admin.limits.put(endpoint_id, twice)
        assert admin.limits.get(endpoint_id) == tuple(kept)

    def test_limits_of_an_unknown_endpoint_are_not_found(self, admin: Admin) -> None:
        with pytest.raises(NotFound):
            admin.limits.get("ghost")
        with pytest.raises(NotFound):
            admin.limits.put("ghost", [])

    def test_changing_limits_bumps_the_configuration_revision(self, admin: Admin, endpoint_id: str) -> None:
        start = admin.revision()
        admin.limits.put(endpoint_id, [])
        assert admin.revision() == start + 1
