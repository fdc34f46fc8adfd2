"""Endpoint rules: tags, fallback config, retry and timeout bounds, mappings and their combinations."""

from __future__ import annotations

import pytest

from core.domain.endpoint import (
    TAG_KEY_MAX,
    TAG_VALUE_MAX,
    FallbackConfig,
    LinkageType,
    ModelMapping,
    RetryPolicy,
    Tag,
    Timeouts,
)
from tests.unit.builders import endpoint, fallback, model, primary, rejected


class TestTags:
    def test_key_up_to_250_characters_and_empty_value_are_accepted(self) -> None:
        tag = Tag("k" * TAG_KEY_MAX, "")
        assert len(tag.key) == 250
        assert tag.value == ""

    def test_value_up_to_5000_characters_is_accepted(self) -> None:
        assert len(Tag("team", "v" * TAG_VALUE_MAX).value) == 5000

    @pytest.mark.parametrize("key", ["", "   ", "k" * (TAG_KEY_MAX + 1)])
    def test_empty_blank_or_long_key_is_rejected(self, key: str) -> None:
        with rejected("tags.key"):
            Tag(key, "v")

    def test_value_over_5000_characters_is_rejected(self) -> None:
        with rejected("tags.value"):
            Tag("team", "v" * (TAG_VALUE_MAX + 1))

    def test_non_string_value_is_rejected(self) -> None:
        with rejected("tags.value"):
            Tag("team", 5)  # type: ignore[arg-type]


class TestFallbackConfig:
    def test_defaults_to_sequential_with_one_attempt(self) -> None:
        config = FallbackConfig()
        assert (config.strategy.value, config.max_attempts) == ("SEQUENTIAL", 1)

    @pytest.mark.parametrize("attempts", [0, -1])
    def test_max_attempts_below_one_is_rejected(self, attempts: int) -> None:
        with rejected("fallback_config.max_attempts"):
            FallbackConfig(max_attempts=attempts)

    @pytest.mark.parametrize("attempts", [True, 2.0, "2"])
    def test_max_attempts_must_be_an_integer(self, attempts: object) -> None:
        with rejected("fallback_config.max_attempts"):
            FallbackConfig(max_attempts=attempts)  # type: ignore[arg-type]


class TestRetryPolicy:
    def test_defaults_follow_the_product_one_retry_and_five_seconds(self) -> None:
        policy = RetryPolicy()
        assert (policy.max_retries, policy.max_retry_after_s) == (1, 5.0)

    @pytest.mark.parametrize("retries", [0, 10])
    def test_max_retries_bounds_are_inclusive(self, retries: int) -> None:
        assert RetryPolicy(max_retries=retries).max_retries == retries

    @pytest.mark.parametrize("retries", [-1, 11])
    def test_max_retries_outside_0_to_10_is_rejected(self, retries: int) -> None:
        with rejected("retry_policy.max_retries"):
            RetryPolicy(max_retries=retries)

    @pytest.mark.parametrize("retries", [True, 1.5])
    def test_max_retries_must_be_an_integer(self, retries: object) -> None:
        with rejected("retry_policy.max_retries"):
            RetryPolicy(max_retries=retries)  # type: ignore[arg-type]

    @pytest.mark.parametrize("seconds", [0, 600])
    def test_max_retry_after_bounds_are_inclusive(self, seconds: float) -> None:
        assert RetryPolicy(max_retry_after_s=seconds).max_retry_after_s == seconds

    @pytest.mark.parametrize("seconds", [-0.1, 600.5])
    def test_max_retry_after_outside_0_to_600_is_rejected(self, seconds: float) -> None:
        with rejected("retry_policy.max_retry_after_s"):
            RetryPolicy(max_retry_after_s=seconds)


class TestTimeouts:
    def test_defaults_are_10_60_20_and_600_seconds(self) -> None:
        t = Timeouts()
        assert (t.connect_s, t.first_byte_s, t.idle_s, t.total_s) == (10.0, 60.0, 20.0, 600.0)

    @pytest.mark.parametrize("name", ["connect_s", "first_byte_s", "idle_s", "total_s"])
    @pytest.mark.parametrize("value", [0, -1.0, True])
    def test_each_timeout_must_be_a_positive_number(self, name: str, value: object) -> None:
        with rejected(f"timeouts.{name}"):
            Timeouts(**{name: value})  # type: ignore[arg-type]


class TestModelMapping:
    def test_defaults_to_a_primary_of_weight_one(self) -> None:
        mapping = ModelMapping(mapping_id="m", model_definition=model())
        assert (mapping.linkage_type, mapping.weight, mapping.fallback_order) == (
            LinkageType.PRIMARY,
            1.0,
            None,
        )

    @pytest.mark.parametrize("weight", [0, -3.0, True])
    def test_weight_must_be_greater_than_zero(self, weight: object) -> None:
        with rejected("model_mappings.weight"):
            ModelMapping(mapping_id="m", model_definition=model(), weight=weight)  # type: ignore[arg-type]

    def test_fallback_requires_a_fallback_order(self) -> None:
        with rejected("model_mappings.fallback_order"):
            ModelMapping(mapping_id="m", model_definition=model(), linkage_type=LinkageType.FALLBACK)

    @pytest.mark.parametrize("order", [1.5, True, "1"])
    def test_fallback_order_must_be_an_integer(self, order: object) -> None:
        with rejected("model_mappings.fallback_order"):
            ModelMapping(
                mapping_id="m",
                model_definition=model(),
                linkage_type=LinkageType.FALLBACK,
                fallback_order=order,  # type: ignore[arg-type]
            )

    def test_primary_may_not_carry_a_fallback_order(self) -> None:
        with rejected("model_mappings.fallback_order"):
            ModelMapping(mapping_id="m", model_definition=model(), fallback_order=1)


class TestEndpointName:
    @pytest.mark.parametrize("name", ["chat", "gpt-4o.prod", "a_b~c", "7up"])
    def test_url_safe_names_are_accepted(self, name: str) -> None:
        assert endpoint(name=name).name == name

    @pytest.mark.parametrize("name", ["", "has space", "a/b", "-leading", ".hidden", "é", "q?x=1"])
    def test_names_that_are_not_url_safe_are_rejected(self, name: str) -> None:
        with rejected("name"):
            endpoint(name=name)

    def test_name_over_255_characters_is_rejected(self) -> None:
        with rejected("name"):
            endpoint(name="a" * 256)


class TestEndpointMappings:
    def test_needs_at_least_one_primary(self) -> None:
        with rejected("model_mappings"):
            endpoint(fallback("md-2", 1))

    def test_a_model_may_appear_once_as_primary(self) -> None:
        with rejected("model_mappings", mentioning="repeated: md-1"):
            endpoint(primary("md-1"), primary("md-1", weight=2))

    def test_a_model_may_appear_once_as_fallback(self) -> None:
        with rejected("model_mappings"):
            endpoint(primary("md-1"), fallback("md-2", 1), fallback("md-2", 2))

    def test_a_model_may_be_both_primary_and_fallback(self) -> None:
        ep = endpoint(primary("md-1"), fallback("md-1", 1))
        assert [m.linkage_type for m in ep.model_mappings] == [LinkageType.PRIMARY, LinkageType.FALLBACK]

    def test_fallback_orders_must_be_unique(self) -> None:
        with rejected("model_mappings.fallback_order"):
            endpoint(primary("md-1"), fallback("md-2", 1), fallback("md-3", 1))

    def test_fallback_config_without_fallback_models_is_rejected(self) -> None:
        with rejected("fallback_config"):
            endpoint(primary("md-1"), fallback_config=FallbackConfig(max_attempts=1))

    def test_max_attempts_may_equal_one_primary_plus_the_fallbacks(self) -> None:
        ep = endpoint(
            primary("md-1"),
            fallback("md-2", 1),
            fallback("md-3", 2),
            fallback_config=FallbackConfig(max_attempts=3),
        )
        assert ep.fallback_config == FallbackConfig(max_attempts=3)

    def test_max_attempts_above_the_models_that_could_be_tried_is_rejected(self) -> None:
        with rejected("fallback_config.max_attempts"):
            endpoint(
                primary("md-1"),
                primary("md-9"),
                fallback("md-2", 1),
                fallback_config=FallbackConfig(max_attempts=3),
            )

    def test_fallbacks_are_listed_by_fallback_order_and_primaries_apart(self) -> None:
        ep = endpoint(fallback("md-3", 7), primary("md-1"), fallback("md-2", -2), primary("md-4"))
        assert [m.model_definition.model_definition_id for m in ep.fallbacks] == ["md-2", "md-3"]
        assert [m.model_definition.model_definition_id for m in ep.primaries] == ["md-1", "md-4"]

    def test_providers_are_those_of_every_mapping(self) -> None:
        ep = endpoint(primary("md-1", provider="openai"), fallback("md-2", 1, provider="anthropic"))
        assert ep.providers == frozenset({"openai", "anthropic"})
