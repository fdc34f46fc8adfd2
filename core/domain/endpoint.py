"""An endpoint: what applications call by name, with its model mappings and policies."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from core.domain.audit import Audit
from core.domain.errors import InvalidInput
from core.domain.model_definition import ModelDefinition
from core.domain.validation import require_name, require_positive, require_url_safe_name

TAG_KEY_MAX = 250
TAG_VALUE_MAX = 5000


class LinkageType(enum.StrEnum):
    PRIMARY = "PRIMARY"
    FALLBACK = "FALLBACK"


class RoutingStrategy(enum.StrEnum):
    REQUEST_BASED_TRAFFIC_SPLIT = "REQUEST_BASED_TRAFFIC_SPLIT"


class FallbackStrategy(enum.StrEnum):
    SEQUENTIAL = "SEQUENTIAL"


@dataclass(frozen=True, slots=True)
class Tag:
    key: str
    value: str = ""

    def __post_init__(self) -> None:
        require_name("tags.key", self.key, TAG_KEY_MAX)
        if not isinstance(self.value, str) or len(self.value) > TAG_VALUE_MAX:
            raise InvalidInput("tags.value", f"must be a string of at most {TAG_VALUE_MAX} characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class FallbackConfig:
    strategy: FallbackStrategy = FallbackStrategy.SEQUENTIAL
    max_attempts: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise InvalidInput("fallback_config.max_attempts", "must be an integer")
        if self.max_attempts < 1:
            raise InvalidInput("fallback_config.max_attempts", "must be at least 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    max_retries: int = 1
    max_retry_after_s: float = 5.0

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise InvalidInput("retry_policy.max_retries", "must be an integer")
        if not 0 <= self.max_retries <= 10:
            raise InvalidInput("retry_policy.max_retries", "must be between 0 and 10")
        if not 0 <= self.max_retry_after_s <= 600:
            raise InvalidInput("retry_policy.max_retry_after_s", "must be between 0 and 600")


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeouts:
    connect_s: float = 10.0
    first_byte_s: float = 60.0
    idle_s: float = 20.0
    total_s: float = 600.0

    def __post_init__(self) -> None:
        for name in ("connect_s", "first_byte_s", "idle_s", "total_s"):
            require_positive(f"timeouts.{name}", getattr(self, name))


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelMapping:
    mapping_id: str
    model_definition: ModelDefinition
    weight: float = 1.0
    linkage_type: LinkageType = LinkageType.PRIMARY
    fallback_order: int | None = None

    def __post_init__(self) -> None:
        require_positive("model_mappings.weight", self.weight)
        if self.linkage_type is LinkageType.FALLBACK:
            if self.fallback_order is None:
                raise InvalidInput("model_mappings.fallback_order", "is required for FALLBACK")
            if isinstance(self.fallback_order, bool) or not isinstance(self.fallback_order, int):
                raise InvalidInput("model_mappings.fallback_order", "must be an integer")
        elif self.fallback_order is not None:
            raise InvalidInput("model_mappings.fallback_order", "is only allowed on FALLBACK")


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    endpoint_id: str
    name: str
    model_mappings: tuple[ModelMapping, ...]
    tags: tuple[Tag, ...] = ()
    routing_strategy: RoutingStrategy = RoutingStrategy.REQUEST_BASED_TRAFFIC_SPLIT
    fallback_config: FallbackConfig | None = None
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    timeouts: Timeouts = field(default_factory=Timeouts)
    audit: Audit

    def __post_init__(self) -> None:
        require_url_safe_name("name", self.name)
        validate_mappings(self.model_mappings, self.fallback_config)

    @property
    def primaries(self) -> tuple[ModelMapping, ...]:
        return tuple(m for m in self.model_mappings if m.linkage_type is LinkageType.PRIMARY)

    @property
    def fallbacks(self) -> tuple[ModelMapping, ...]:
        chain = (m for m in self.model_mappings if m.linkage_type is LinkageType.FALLBACK)
        return tuple(sorted(chain, key=lambda m: m.fallback_order or 0))

    @property
    def providers(self) -> frozenset[str]:
        return frozenset(m.model_definition.provider for m in self.model_mappings)


def validate_mappings(mappings: tuple[ModelMapping, ...], fallback_config: FallbackConfig | None) -> None:
    """The cross-mapping rules of an endpoint (PRODUCT §1, Endpoint)."""
    primaries = [m for m in mappings if m.linkage_type is LinkageType.PRIMARY]
    fallbacks = [m for m in mappings if m.linkage_type is LinkageType.FALLBACK]
    if not primaries:
        raise InvalidInput("model_mappings", "an endpoint needs at least one PRIMARY mapping")
    _reject_repeats(
        [m.model_definition.model_definition_id for m in primaries],
        "a model definition may appear at most once as PRIMARY",
    )
    _reject_repeats(
        [m.model_definition.model_definition_id for m in fallbacks],
        "a model definition may appear at most once as FALLBACK",
    )
    orders = [m.fallback_order for m in fallbacks]
    if len(set(orders)) != len(orders):
        raise InvalidInput("model_mappings.fallback_order", "must be unique within the endpoint")
    if fallback_config is not None:
        if not fallbacks:
            raise InvalidInput("fallback_config", "is set but the endpoint has no FALLBACK mapping")
        if fallback_config.max_attempts > 1 + len(fallbacks):
            raise InvalidInput(
                "fallback_config.max_attempts",
                f"is {fallback_config.max_attempts} but at most {1 + len(fallbacks)} models "
                "could be tried (one primary plus the fallbacks)",
            )


def _reject_repeats(ids: list[str], message: str) -> None:
    repeated = [i for i, n in Counter(ids).items() if n > 1]
    if repeated:
        raise InvalidInput("model_mappings", f"{message} (repeated: {', '.join(repeated)})")
