"""Entities as plain JSON-able dicts with PRODUCT §1 field names, shared by the API and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.domain.audit import Audit
from core.domain.binding import Binding
from core.domain.endpoint import Endpoint, ModelMapping
from core.domain.limits import LimitRule
from core.domain.model_definition import ModelDefinition
from core.domain.principal import ApiKey
from core.domain.scorer import ScorerVersion
from core.domain.secret import Secret
from core.domain.usage import UsageRecord
from core.services.scorer_answer import ScorerResult
from core.services.scorers import ScorerDetail


def audit_view(audit: Audit) -> dict[str, Any]:
    return {
        "created_at": audit.created_at,
        "last_updated_at": audit.last_updated_at,
        "created_by": audit.created_by,
        "last_updated_by": audit.last_updated_by,
    }


def secret_view(secret: Secret) -> dict[str, Any]:
    """A secret as shown anywhere: masked, never its value."""
    return {
        "secret_id": secret.secret_id,
        "name": secret.name,
        "masked_value": secret.masked_value,
        "provider": secret.provider,
        "auth_config": dict(secret.auth_config),
        **audit_view(secret.audit),
    }


def model_definition_view(model: ModelDefinition) -> dict[str, Any]:
    return {
        "model_definition_id": model.model_definition_id,
        "name": model.name,
        "provider": model.provider,
        "model_name": model.model_name,
        "secret_id": model.secret_id,
        "secret_name": model.secret_name,
        "orphaned": model.orphaned,
        "api_base": model.api_base,
        "provider_settings": dict(model.provider_settings),
        **audit_view(model.audit),
    }


def mapping_view(mapping: ModelMapping) -> dict[str, Any]:
    return {
        "mapping_id": mapping.mapping_id,
        "model_definition": model_definition_view(mapping.model_definition),
        "weight": mapping.weight,
        "linkage_type": mapping.linkage_type.value,
        "fallback_order": mapping.fallback_order,
    }


def binding_view(binding: Binding) -> dict[str, Any]:
    return {
        "endpoint_id": binding.endpoint_id,
        "resource_type": binding.resource_type.value,
        "resource_id": binding.resource_id,
        "display_name": binding.display_name,
        **audit_view(binding.audit),
    }


def endpoint_view(endpoint: Endpoint, bindings: Sequence[Binding] = ()) -> dict[str, Any]:
    config = endpoint.fallback_config
    return {
        "endpoint_id": endpoint.endpoint_id,
        "name": endpoint.name,
        "model_mappings": [mapping_view(m) for m in endpoint.model_mappings],
        "tags": [{"key": t.key, "value": t.value} for t in endpoint.tags],
        "routing_strategy": endpoint.routing_strategy.value,
        "fallback_config": None
        if config is None
        else {"strategy": config.strategy.value, "max_attempts": config.max_attempts},
        "retry_policy": {
            "max_retries": endpoint.retry_policy.max_retries,
            "max_retry_after_s": endpoint.retry_policy.max_retry_after_s,
        },
        "timeouts": {
            "connect_s": endpoint.timeouts.connect_s,
            "first_byte_s": endpoint.timeouts.first_byte_s,
            "idle_s": endpoint.timeouts.idle_s,
            "total_s": endpoint.timeouts.total_s,
        },
        "bindings": [binding_view(b) for b in bindings],
        **audit_view(endpoint.audit),
    }


def limit_view(rule: LimitRule) -> dict[str, Any]:
    return {
        "renewal_period": rule.renewal_period.value,
        "calls": rule.calls,
        "tokens": rule.tokens,
        "key": rule.key.value,
    }


def key_view(key: ApiKey) -> dict[str, Any]:
    """A gateway key without its hash; the plaintext exists only in the creation answer."""
    return {
        "key_id": key.key_id,
        "name": key.name,
        "role": key.role.value,
        "endpoints": list(key.endpoints),
        "revoked": key.revoked,
        **audit_view(key.audit),
    }


def usage_view(record: UsageRecord) -> dict[str, Any]:
    return {
        "request_id": record.request_id,
        "timestamp_ms": record.timestamp_ms,
        "endpoint_id": record.endpoint_id,
        "endpoint_name": record.endpoint_name,
        "model_definition_id": record.model_definition_id,
        "model_definition_name": record.model_definition_name,
        "provider": record.provider,
        "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens,
        "total_tokens": record.total_tokens,
        "latency_ms": record.latency_ms,
        "attempts": record.attempts,
        "status": record.status,
        "principal": record.principal,
        "fallback": record.fallback,
    }


def scorer_view(scorer: ScorerVersion) -> dict[str, Any]:
    """One scorer version; `endpoint_id` is None once its endpoint was deleted."""
    return {
        "scorer_id": scorer.scorer_id,
        "namespace": scorer.namespace,
        "name": scorer.name,
        "version": scorer.version,
        "instructions": scorer.instructions,
        "result_type": scorer.result_type.value,
        "min": scorer.min_value,
        "max": scorer.max_value,
        "endpoint_id": scorer.endpoint_id,
        **audit_view(scorer.audit),
    }


def scorer_detail_view(detail: ScorerDetail) -> dict[str, Any]:
    """The newest version's fields, plus every version and the scorer's binding."""
    return {
        **scorer_view(detail.latest),
        "versions": [scorer_view(v) for v in detail.versions],
        "binding": None if detail.binding is None else binding_view(detail.binding),
    }


def scorer_result_view(result: ScorerResult) -> dict[str, Any]:
    return {"value": result.value, "rationale": result.rationale}
