"""Documented answer bodies: the OpenAPI schema of what apps.views produce (checked by the fuzz run)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar.openapi import ResponseSpec

from apps.http.admin.common import ERRORS
from core.domain.binding import ResourceType
from core.domain.endpoint import FallbackStrategy, LinkageType, RoutingStrategy
from core.domain.limits import LimitKey, RenewalPeriod
from core.domain.principal import Role


class Audited(msgspec.Struct, kw_only=True):
    created_at: int
    last_updated_at: int
    created_by: str | None
    last_updated_by: str | None


class SecretOut(Audited, kw_only=True):
    secret_id: str
    name: str
    masked_value: str
    provider: str | None
    auth_config: dict[str, Any]


class ModelDefinitionOut(Audited, kw_only=True):
    model_definition_id: str
    name: str
    provider: str
    model_name: str
    secret_id: str | None
    secret_name: str | None
    orphaned: bool
    api_base: str | None
    provider_settings: dict[str, Any]


class MappingOut(msgspec.Struct, kw_only=True):
    mapping_id: str
    model_definition: ModelDefinitionOut
    weight: float
    linkage_type: LinkageType
    fallback_order: int | None


class TagOut(msgspec.Struct):
    key: str
    value: str


class FallbackConfigOut(msgspec.Struct):
    strategy: FallbackStrategy
    max_attempts: int


class RetryPolicyOut(msgspec.Struct):
    max_retries: int
    max_retry_after_s: float


class TimeoutsOut(msgspec.Struct):
    connect_s: float
    first_byte_s: float
    idle_s: float
    total_s: float


class BindingOut(Audited, kw_only=True):
    endpoint_id: str
    resource_type: ResourceType
    resource_id: str
    display_name: str


class EndpointOut(Audited, kw_only=True):
    endpoint_id: str
    name: str
    model_mappings: list[MappingOut]
    tags: list[TagOut]
    routing_strategy: RoutingStrategy
    fallback_config: FallbackConfigOut | None
    retry_policy: RetryPolicyOut
    timeouts: TimeoutsOut
    bindings: list[BindingOut]


class LimitRuleOut(msgspec.Struct):
    renewal_period: RenewalPeriod
    calls: int
    tokens: int | None
    key: LimitKey


class LimitsOut(msgspec.Struct):
    limits: list[LimitRuleOut]


class KeyOut(Audited, kw_only=True):
    key_id: str
    name: str
    role: Role
    endpoints: list[str]
    revoked: bool


class CreatedKeyOut(KeyOut, kw_only=True):
    key: str


class SecretList(msgspec.Struct):
    secrets: list[SecretOut]
    next_page_token: str | None


class ModelDefinitionList(msgspec.Struct):
    model_definitions: list[ModelDefinitionOut]
    next_page_token: str | None


class EndpointList(msgspec.Struct):
    endpoints: list[EndpointOut]
    next_page_token: str | None


class BindingList(msgspec.Struct):
    bindings: list[BindingOut]
    next_page_token: str | None


class KeyList(msgspec.Struct):
    keys: list[KeyOut]
    next_page_token: str | None


def answers(status: int, body: type[msgspec.Struct]) -> Mapping[int, ResponseSpec]:
    """The documented answers of one operation: its success body and the error shape."""
    success = ResponseSpec(data_container=body, description="Success", generate_examples=False)
    return {**ERRORS, status: success}
