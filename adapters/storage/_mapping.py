"""Explicit mapping between core entities and table rows, one pair of functions per entity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from adapters.storage._tables import (
    ApiKeyRow,
    BindingRow,
    EndpointRow,
    EndpointTagRow,
    KekRow,
    LimitRuleRow,
    ModelDefinitionRow,
    ModelMappingRow,
    ScorerVersionRow,
    SecretRow,
    UsageRow,
)
from core.domain.audit import Audit
from core.domain.binding import Binding, ResourceType
from core.domain.endpoint import (
    Endpoint,
    FallbackConfig,
    FallbackStrategy,
    LinkageType,
    ModelMapping,
    RetryPolicy,
    RoutingStrategy,
    Tag,
    Timeouts,
)
from core.domain.limits import LimitKey, LimitRule, RenewalPeriod
from core.domain.model_definition import ModelDefinition
from core.domain.principal import ApiKey, Role
from core.domain.scorer import ResultType, ScorerVersion
from core.domain.secret import EncryptedValue, KekVersion, Secret, StoredSecret
from core.domain.usage import UsageRecord


class _Audited(Protocol):
    created_at: int
    last_updated_at: int
    created_by: str | None
    last_updated_by: str | None


def audit_columns(audit: Audit) -> dict[str, Any]:
    return {
        "created_at": audit.created_at,
        "last_updated_at": audit.last_updated_at,
        "created_by": audit.created_by,
        "last_updated_by": audit.last_updated_by,
    }


def audit_of(row: _Audited) -> Audit:
    return Audit(
        created_at=row.created_at,
        last_updated_at=row.last_updated_at,
        created_by=row.created_by,
        last_updated_by=row.last_updated_by,
    )


# Secrets and KEKs


def secret_columns(stored: StoredSecret) -> dict[str, Any]:
    secret, encrypted = stored.secret, stored.encrypted
    return {
        "secret_id": secret.secret_id,
        "name": secret.name,
        "masked_value": secret.masked_value,
        "provider": secret.provider,
        "auth_config": dict(secret.auth_config),
        "ciphertext": encrypted.ciphertext,
        "wrapped_dek": encrypted.wrapped_dek,
        "kek_version": encrypted.kek_version,
        **audit_columns(secret.audit),
    }


def secret_of(row: SecretRow) -> Secret:
    return Secret(
        secret_id=row.secret_id,
        name=row.name,
        masked_value=row.masked_value,
        provider=row.provider,
        auth_config=dict(row.auth_config or {}),
        audit=audit_of(row),
    )


def stored_secret_of(row: SecretRow) -> StoredSecret:
    encrypted = EncryptedValue(
        ciphertext=bytes(row.ciphertext), wrapped_dek=bytes(row.wrapped_dek), kek_version=row.kek_version
    )
    return StoredSecret(secret=secret_of(row), encrypted=encrypted)


def kek_row(kek: KekVersion) -> KekRow:
    return KekRow(
        version=kek.version,
        kdf=kek.kdf,
        salt=kek.salt,
        iterations=kek.iterations,
        verifier=kek.verifier,
        state=kek.state,
        created_at=kek.created_at,
    )


def kek_of(row: KekRow) -> KekVersion:
    return KekVersion(
        version=row.version,
        kdf=row.kdf,
        salt=bytes(row.salt),
        iterations=row.iterations,
        verifier=bytes(row.verifier),
        state=row.state,
        created_at=row.created_at,
    )


# Model definitions


def model_definition_columns(model: ModelDefinition) -> dict[str, Any]:
    """`secret_name` is not stored: reads take it from the secret's current name."""
    return {
        "model_definition_id": model.model_definition_id,
        "name": model.name,
        "provider": model.provider,
        "model_name": model.model_name,
        "secret_id": model.secret_id,
        "api_base": model.api_base,
        "provider_settings": dict(model.provider_settings),
        "orphaned": model.orphaned,
        **audit_columns(model.audit),
    }


def model_definition_of(row: ModelDefinitionRow, secret_name: str | None) -> ModelDefinition:
    return ModelDefinition(
        model_definition_id=row.model_definition_id,
        name=row.name,
        provider=row.provider,
        model_name=row.model_name,
        secret_id=row.secret_id,
        secret_name=secret_name if row.secret_id is not None else None,
        api_base=row.api_base,
        provider_settings=dict(row.provider_settings or {}),
        orphaned=row.orphaned,
        audit=audit_of(row),
    )


# Endpoints


def endpoint_columns(endpoint: Endpoint) -> dict[str, Any]:
    fallback = endpoint.fallback_config
    return {
        "endpoint_id": endpoint.endpoint_id,
        "name": endpoint.name,
        "routing_strategy": endpoint.routing_strategy.value,
        "fallback_strategy": fallback.strategy.value if fallback else None,
        "fallback_max_attempts": fallback.max_attempts if fallback else None,
        "retry_max_retries": endpoint.retry_policy.max_retries,
        "retry_max_retry_after_s": endpoint.retry_policy.max_retry_after_s,
        "timeout_connect_s": endpoint.timeouts.connect_s,
        "timeout_first_byte_s": endpoint.timeouts.first_byte_s,
        "timeout_idle_s": endpoint.timeouts.idle_s,
        "timeout_total_s": endpoint.timeouts.total_s,
        **audit_columns(endpoint.audit),
    }


def tag_rows(endpoint: Endpoint) -> list[EndpointTagRow]:
    return [
        EndpointTagRow(endpoint_id=endpoint.endpoint_id, position=i, key=t.key, value=t.value)
        for i, t in enumerate(endpoint.tags)
    ]


def mapping_rows(endpoint: Endpoint) -> list[ModelMappingRow]:
    return [
        ModelMappingRow(
            mapping_id=m.mapping_id,
            endpoint_id=endpoint.endpoint_id,
            model_definition_id=m.model_definition.model_definition_id,
            position=i,
            weight=m.weight,
            linkage_type=m.linkage_type.value,
            fallback_order=m.fallback_order,
        )
        for i, m in enumerate(endpoint.model_mappings)
    ]


def endpoint_of(
    row: EndpointRow,
    tags: Sequence[EndpointTagRow],
    mappings: Sequence[tuple[ModelMappingRow, ModelDefinition]],
) -> Endpoint:
    """Rebuild an endpoint; `tags` and `mappings` must already be in stored position order."""
    fallback = None
    if row.fallback_strategy is not None and row.fallback_max_attempts is not None:
        fallback = FallbackConfig(
            strategy=FallbackStrategy(row.fallback_strategy), max_attempts=row.fallback_max_attempts
        )
    return Endpoint(
        endpoint_id=row.endpoint_id,
        name=row.name,
        model_mappings=tuple(_mapping_of(m, model) for m, model in mappings),
        tags=tuple(Tag(t.key, t.value) for t in tags),
        routing_strategy=RoutingStrategy(row.routing_strategy),
        fallback_config=fallback,
        retry_policy=RetryPolicy(
            max_retries=row.retry_max_retries, max_retry_after_s=row.retry_max_retry_after_s
        ),
        timeouts=Timeouts(
            connect_s=row.timeout_connect_s,
            first_byte_s=row.timeout_first_byte_s,
            idle_s=row.timeout_idle_s,
            total_s=row.timeout_total_s,
        ),
        audit=audit_of(row),
    )


def _mapping_of(row: ModelMappingRow, model: ModelDefinition) -> ModelMapping:
    return ModelMapping(
        mapping_id=row.mapping_id,
        model_definition=model,
        weight=row.weight,
        linkage_type=LinkageType(row.linkage_type),
        fallback_order=row.fallback_order,
    )


# Bindings, limits, keys, scorers, usage


def binding_row(binding: Binding) -> BindingRow:
    return BindingRow(
        endpoint_id=binding.endpoint_id,
        resource_type=binding.resource_type.value,
        resource_id=binding.resource_id,
        display_name=binding.display_name,
        **audit_columns(binding.audit),
    )


def binding_of(row: BindingRow) -> Binding:
    return Binding(
        endpoint_id=row.endpoint_id,
        resource_type=ResourceType(row.resource_type),
        resource_id=row.resource_id,
        display_name=row.display_name,
        audit=audit_of(row),
    )


def limit_rows(endpoint_id: str, rules: Sequence[LimitRule]) -> list[LimitRuleRow]:
    return [
        LimitRuleRow(
            endpoint_id=endpoint_id,
            position=i,
            renewal_period=r.renewal_period.value,
            limit_key=r.key.value,
            calls=r.calls,
            tokens=r.tokens,
        )
        for i, r in enumerate(rules)
    ]


def limit_of(row: LimitRuleRow) -> LimitRule:
    return LimitRule(
        renewal_period=RenewalPeriod(row.renewal_period),
        calls=row.calls,
        tokens=row.tokens,
        key=LimitKey(row.limit_key),
    )


def api_key_columns(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "name": key.name,
        "role": key.role.value,
        "key_hash": key.key_hash,
        "endpoints": list(key.endpoints),
        "revoked": key.revoked,
        **audit_columns(key.audit),
    }


def api_key_of(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        name=row.name,
        role=Role(row.role),
        key_hash=row.key_hash,
        endpoints=tuple(row.endpoints or ()),
        revoked=row.revoked,
        audit=audit_of(row),
    )


def scorer_row(version: ScorerVersion) -> ScorerVersionRow:
    return ScorerVersionRow(
        scorer_id=version.scorer_id,
        version=version.version,
        namespace=version.namespace,
        name=version.name,
        instructions=version.instructions,
        result_type=version.result_type.value,
        endpoint_id=version.endpoint_id,
        min_value=version.min_value,
        max_value=version.max_value,
        **audit_columns(version.audit),
    )


def scorer_of(row: ScorerVersionRow) -> ScorerVersion:
    return ScorerVersion(
        scorer_id=row.scorer_id,
        namespace=row.namespace,
        name=row.name,
        version=row.version,
        instructions=row.instructions,
        result_type=ResultType(row.result_type),
        endpoint_id=row.endpoint_id,
        min_value=row.min_value,
        max_value=row.max_value,
        audit=audit_of(row),
    )


def usage_of(row: UsageRow) -> UsageRecord:
    return UsageRecord(
        request_id=row.request_id,
        timestamp_ms=row.timestamp_ms,
        endpoint_id=row.endpoint_id,
        endpoint_name=row.endpoint_name,
        model_definition_id=row.model_definition_id,
        model_definition_name=row.model_definition_name,
        provider=row.provider,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        latency_ms=row.latency_ms,
        attempts=row.attempts,
        status=row.status,
        principal=row.principal,
        fallback=row.fallback,
    )
