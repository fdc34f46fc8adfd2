"""Which models a request tries, in what order: weighted primary, then the fallback chain."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.domain.endpoint import Endpoint, ModelMapping

RandomSource = Callable[[], float]
"""Returns a float in [0, 1); injected so tests are deterministic."""


def weighted_choice(mappings: Sequence[ModelMapping], random: RandomSource) -> ModelMapping:
    """Pick one mapping with probability weight / sum(weights)."""
    if not mappings:
        raise ValueError("weighted_choice needs at least one mapping")
    total = sum(m.weight for m in mappings)
    point = random() * total
    cumulative = 0.0
    for mapping in mappings:
        cumulative += mapping.weight
        if point < cumulative:
            return mapping
    return mappings[-1]  # float rounding at the very top of the range


def max_attempts(endpoint: Endpoint) -> int:
    """Models that may be tried for one request (retries of one model count once)."""
    if endpoint.fallback_config is not None:
        return endpoint.fallback_config.max_attempts
    return 1 + len(endpoint.fallbacks)


def attempt_plan(
    endpoint: Endpoint,
    random: RandomSource,
    is_open: Callable[[str], bool] = lambda _model_definition_id: False,
) -> list[ModelMapping]:
    """The ordered models to try: one primary by weight, then fallbacks by `fallback_order`.

    Models whose circuit is open are skipped; if that would leave nothing, the plan
    ignores the breaker and tries them anyway (PRODUCT §2.9).
    """
    plan = _plan(endpoint, random, is_open)
    return plan or _plan(endpoint, random, lambda _model_definition_id: False)


def _plan(endpoint: Endpoint, random: RandomSource, is_open: Callable[[str], bool]) -> list[ModelMapping]:
    def closed(m: ModelMapping) -> bool:
        return not is_open(m.model_definition.model_definition_id)

    primaries = [m for m in endpoint.primaries if closed(m)]
    plan = [weighted_choice(primaries, random)] if primaries else []
    plan.extend(m for m in endpoint.fallbacks if closed(m))
    return plan[: max_attempts(endpoint)]
