"""Weighted choice among PRIMARY mappings and the attempt plan (PRODUCT §2.1, §2.3, §2.9)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

import pytest

from core.domain.endpoint import FallbackConfig, ModelMapping
from core.domain.routing import attempt_plan, max_attempts, weighted_choice
from tests.unit.builders import endpoint, fallback, primary

DRAWS = 10_000


def shares(mappings: Sequence[ModelMapping], seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    counts = Counter(
        weighted_choice(mappings, rng.random).model_definition.model_definition_id for _ in range(DRAWS)
    )
    return {ident: 100 * n / DRAWS for ident, n in counts.items()}


def ids(plan: Sequence[ModelMapping]) -> list[str]:
    return [m.model_definition.model_definition_id for m in plan]


def always(value: float) -> random.Random:
    """A random source stuck on one value, to aim at a point of the weight line."""

    class Fixed(random.Random):
        def random(self) -> float:
            return value

    return Fixed()


class TestWeightedChoice:
    @pytest.mark.parametrize("seed", [0, 1, 42, 2024])
    def test_80_20_weights_split_10000_draws_within_two_points(self, seed: int) -> None:
        got = shares([primary("a", weight=80), primary("b", weight=20)], seed)
        assert got["a"] == pytest.approx(80, abs=2)
        assert got["b"] == pytest.approx(20, abs=2)

    @pytest.mark.parametrize("seed", [0, 7, 99])
    def test_3_to_1_weights_behave_as_a_75_25_split(self, seed: int) -> None:
        got = shares([primary("a", weight=3), primary("b", weight=1)], seed)
        assert got["a"] == pytest.approx(75, abs=2)
        assert got["b"] == pytest.approx(25, abs=2)

    def test_only_the_ratio_of_weights_matters(self) -> None:
        def picks(wa: float, wb: float) -> list[str]:
            rng = random.Random(5)
            pair = [primary("a", weight=wa), primary("b", weight=wb)]
            return [
                weighted_choice(pair, rng.random).model_definition.model_definition_id for _ in range(2000)
            ]

        assert picks(3, 1) == picks(75, 25) == picks(0.3, 0.1)

    def test_three_primaries_each_get_their_share(self) -> None:
        got = shares([primary("a", weight=5), primary("b", weight=3), primary("c", weight=2)], seed=3)
        assert (got["a"], got["b"], got["c"]) == pytest.approx((50, 30, 20), abs=2)

    def test_the_random_point_selects_the_mapping_whose_band_contains_it(self) -> None:
        pair = [primary("a", weight=80), primary("b", weight=20)]
        assert ids([weighted_choice(pair, always(x).random) for x in (0.0, 0.7999, 0.8, 0.99)]) == [
            "a",
            "a",
            "b",
            "b",
        ]

    def test_a_draw_at_the_very_top_of_the_range_still_picks_a_mapping(self) -> None:
        trio = [primary("a", weight=0.1), primary("b", weight=0.2), primary("c", weight=0.3)]
        assert (
            weighted_choice(trio, always(0.9999999999999999).random).model_definition.model_definition_id
            == "c"
        )

    def test_a_single_mapping_is_always_chosen(self) -> None:
        rng = random.Random(1)
        assert {weighted_choice([primary("solo")], rng.random).mapping_id for _ in range(100)} == {"map-solo"}

    def test_no_mapping_is_an_error(self) -> None:
        with pytest.raises(ValueError):
            weighted_choice([], random.Random(0).random)


class TestAttemptPlan:
    def test_one_primary_by_weight_then_the_fallbacks_by_fallback_order(self) -> None:
        ep = endpoint(
            fallback("fb-late", 9), primary("a", weight=80), fallback("fb-early", 2), primary("b", weight=20)
        )
        assert ids(attempt_plan(ep, always(0.1).random)) == ["a", "fb-early", "fb-late"]
        assert ids(attempt_plan(ep, always(0.9).random)) == ["b", "fb-early", "fb-late"]

    def test_the_primary_follows_the_weights_over_many_plans(self) -> None:
        ep = endpoint(primary("a", weight=80), primary("b", weight=20), fallback("fb", 1))
        rng = random.Random(11)
        firsts = Counter(ids(attempt_plan(ep, rng.random))[0] for _ in range(DRAWS))
        assert 100 * firsts["a"] / DRAWS == pytest.approx(80, abs=2)

    def test_without_fallback_config_every_fallback_may_be_tried(self) -> None:
        ep = endpoint(primary("a"), fallback("f1", 1), fallback("f2", 2))
        assert max_attempts(ep) == 3
        assert ids(attempt_plan(ep, always(0).random)) == ["a", "f1", "f2"]

    def test_max_attempts_caps_the_plan(self) -> None:
        ep = endpoint(
            primary("a"), fallback("f1", 1), fallback("f2", 2), fallback_config=FallbackConfig(max_attempts=2)
        )
        assert ids(attempt_plan(ep, always(0).random)) == ["a", "f1"]

    def test_max_attempts_of_one_tries_only_the_primary(self) -> None:
        ep = endpoint(primary("a"), fallback("f1", 1), fallback_config=FallbackConfig(max_attempts=1))
        assert ids(attempt_plan(ep, always(0).random)) == ["a"]

    def test_an_endpoint_without_fallbacks_tries_one_primary(self) -> None:
        ep = endpoint(primary("a"), primary("b"))
        assert len(attempt_plan(ep, always(0).random)) == 1

    def test_an_open_primary_is_skipped_in_favour_of_another_primary(self) -> None:
        ep = endpoint(primary("a", weight=99), primary("b", weight=1), fallback("f1", 1))
        assert ids(attempt_plan(ep, always(0).random, is_open=lambda md: md == "a")) == ["b", "f1"]

    def test_when_every_primary_is_open_the_plan_starts_with_the_fallbacks(self) -> None:
        ep = endpoint(primary("a"), fallback("f1", 1), fallback("f2", 2))
        assert ids(attempt_plan(ep, always(0).random, is_open=lambda md: md == "a")) == ["f1", "f2"]

    def test_an_open_fallback_is_skipped(self) -> None:
        ep = endpoint(primary("a"), fallback("f1", 1), fallback("f2", 2))
        assert ids(attempt_plan(ep, always(0).random, is_open=lambda md: md == "f1")) == ["a", "f2"]

    def test_skipping_open_models_still_respects_max_attempts(self) -> None:
        ep = endpoint(
            primary("a"),
            fallback("f1", 1),
            fallback("f2", 2),
            fallback("f3", 3),
            fallback_config=FallbackConfig(max_attempts=2),
        )
        assert ids(attempt_plan(ep, always(0).random, is_open=lambda md: md == "a")) == ["f1", "f2"]

    def test_when_every_model_is_open_all_are_tried_anyway(self) -> None:
        ep = endpoint(primary("a"), fallback("f1", 1))
        assert ids(attempt_plan(ep, always(0).random, is_open=lambda md: True)) == ["a", "f1"]

    def test_the_breaker_is_asked_by_model_definition_id(self) -> None:
        asked: list[str] = []

        def is_open(model_definition_id: str) -> bool:
            asked.append(model_definition_id)
            return False

        attempt_plan(endpoint(primary("a"), fallback("f1", 1)), always(0).random, is_open)
        assert sorted(asked) == ["a", "f1"]
