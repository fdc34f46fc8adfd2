"""Typed shapes of what the admin API and the data plane send and receive (PRODUCT §1, §6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal, NotRequired, TypedDict, TypeVar

T = TypeVar("T")


class _Audited(TypedDict):
    created_at: int
    last_updated_at: int
    created_by: str | None
    last_updated_by: str | None


class Secret(_Audited):
    secret_id: str
    name: str
    provider: str | None
    masked_value: str
    auth_config: dict[str, Any]


class ModelDefinition(_Audited):
    model_definition_id: str
    name: str
    provider: str
    model_name: str
    secret_id: str | None
    secret_name: str | None
    orphaned: bool
    api_base: str | None
    provider_settings: dict[str, Any]


class Tag(TypedDict):
    key: str
    value: str


class FallbackConfig(TypedDict):
    strategy: str
    max_attempts: int


class RetryPolicy(TypedDict):
    max_retries: int
    max_retry_after_s: float


class Timeouts(TypedDict):
    connect_s: float
    first_byte_s: float
    idle_s: float
    total_s: float


class ModelMapping(TypedDict):
    mapping_id: str
    model_definition: ModelDefinition
    weight: float
    linkage_type: Literal["PRIMARY", "FALLBACK"]
    fallback_order: int | None


class Binding(_Audited):
    endpoint_id: str
    resource_type: str
    resource_id: str
    display_name: str


class Endpoint(_Audited):
    endpoint_id: str
    name: str
    model_mappings: list[ModelMapping]
    tags: list[Tag]
    routing_strategy: str
    fallback_config: FallbackConfig | None
    retry_policy: RetryPolicy
    timeouts: Timeouts
    bindings: list[Binding]


class LimitRule(TypedDict):
    renewal_period: Literal["second", "minute", "hour", "day"]
    calls: int
    tokens: NotRequired[int | None]
    key: NotRequired[Literal["endpoint", "user"]]


class ApiKey(_Audited):
    key_id: str
    name: str
    role: Literal["admin", "user"]
    endpoints: list[str]
    revoked: bool


class CreatedKey(ApiKey):
    key: str
    """The plaintext key: in this answer only, never again."""


class Scorer(_Audited):
    scorer_id: str
    namespace: str
    name: str
    version: int
    instructions: str
    result_type: Literal["yes_no", "integer", "float"]
    min: NotRequired[float | None]
    max: NotRequired[float | None]
    endpoint_id: str | None
    versions: NotRequired[list[Scorer]]
    """Every version, in a single scorer's read (not in listings)."""
    binding: NotRequired[Binding | None]
    """The scorer's binding to its endpoint, in a single scorer's read."""


class ScorerResult(TypedDict):
    value: Any
    rationale: str


class UsageRecord(TypedDict):
    request_id: str
    timestamp_ms: int
    endpoint_id: str
    endpoint_name: str
    model_definition_id: str | None
    model_definition_name: str | None
    provider: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: NotRequired[int]
    latency_ms: float
    attempts: int
    status: int
    principal: str | None
    fallback: bool


class MappingInput(TypedDict):
    """One model mapping as sent on create/update (the model definition by id)."""

    model_definition_id: str
    weight: NotRequired[float]
    linkage_type: NotRequired[Literal["PRIMARY", "FALLBACK"]]
    fallback_order: NotRequired[int | None]


class FallbackConfigInput(TypedDict):
    max_attempts: int
    strategy: NotRequired[str]


class SecretChanges(TypedDict, total=False):
    name: str
    value: str
    provider: str | None
    auth_config: dict[str, Any]


class ModelDefinitionChanges(TypedDict, total=False):
    name: str
    provider: str
    model_name: str
    secret_id: str | None
    api_base: str | None
    provider_settings: dict[str, Any]


class EndpointChanges(TypedDict, total=False):
    name: str
    model_mappings: list[MappingInput]
    tags: list[Tag]
    routing_strategy: str
    fallback_config: FallbackConfigInput | None
    retry_policy: RetryPolicy
    timeouts: Timeouts


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing: the items and the token of the next page (None on the last)."""

    items: list[T]
    next_page_token: str | None
