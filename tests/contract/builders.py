"""Builders of valid entities for the store contract, so each test states only what it varies."""

from __future__ import annotations

from core.domain.audit import Audit
from core.domain.binding import Binding, ResourceType
from core.domain.endpoint import (
    Endpoint,
    FallbackConfig,
    LinkageType,
    ModelMapping,
    RetryPolicy,
    Tag,
    Timeouts,
)
from core.domain.limits import LimitKey, LimitRule, RenewalPeriod
from core.domain.model_definition import ModelDefinition
from core.domain.principal import ApiKey, Role
from core.domain.scorer import ResultType, ScorerVersion
from core.domain.secret import EncryptedValue, KekVersion, Secret, StoredSecret
from core.domain.usage import UsageRecord

T0 = 1_700_000_000_000


def audit(at: int = T0) -> Audit:
    return Audit.new(at, "tester")


def encrypted(ident: str, kek_version: int = 1) -> EncryptedValue:
    return EncryptedValue(
        ciphertext=b"\x00nonce" + ident.encode() + b"\xff",
        wrapped_dek=b"dek-" + ident.encode() + b"-v" + str(kek_version).encode(),
        kek_version=kek_version,
    )


def secret(ident: str, *, name: str | None = None, at: int = T0, kek_version: int = 1) -> StoredSecret:
    return StoredSecret(
        secret=Secret(
            secret_id=ident,
            name=name or f"secret-{ident}",
            masked_value="sk-...a1b2",
            provider="openai",
            auth_config={"api_version": "2024-10-21", "nested": {"region": "eu"}},
            audit=audit(at),
        ),
        encrypted=encrypted(ident, kek_version),
    )


def kek(version: int, state: str = "active") -> KekVersion:
    return KekVersion(
        version=version,
        kdf="pbkdf2-sha256",
        salt=b"salt" + bytes([version]),
        iterations=600_000,
        verifier=b"verifier\x00" + bytes([version]),
        state=state,
        created_at=T0 + version,
    )


def model(
    ident: str,
    *,
    name: str | None = None,
    provider: str = "openai",
    secret: StoredSecret | None = None,
    at: int = T0,
) -> ModelDefinition:
    return ModelDefinition(
        model_definition_id=ident,
        name=name or f"model-{ident}",
        provider=provider,
        model_name=f"{provider}-model-{ident}",
        secret_id=secret.secret.secret_id if secret else None,
        secret_name=secret.secret.name if secret else None,
        api_base="https://api.example.test/v1",
        provider_settings={"temperature": 0.2, "deployment": ident},
        audit=audit(at),
    )


def primary(model: ModelDefinition, weight: float = 1.0, mapping_id: str | None = None) -> ModelMapping:
    return ModelMapping(
        mapping_id=mapping_id or f"map-{model.model_definition_id}",
        model_definition=model,
        weight=weight,
    )


def fallback(model: ModelDefinition, order: int, mapping_id: str | None = None) -> ModelMapping:
    return ModelMapping(
        mapping_id=mapping_id or f"map-fb-{model.model_definition_id}",
        model_definition=model,
        linkage_type=LinkageType.FALLBACK,
        fallback_order=order,
    )


def endpoint(
    ident: str,
    *mappings: ModelMapping,
    name: str | None = None,
    tags: tuple[Tag, ...] = (),
    fallback_config: FallbackConfig | None = None,
    at: int = T0,
) -> Endpoint:
    return Endpoint(
        endpoint_id=ident,
        name=name or f"endpoint-{ident}",
        model_mappings=mappings,
        tags=tags,
        fallback_config=fallback_config,
        retry_policy=RetryPolicy(max_retries=2, max_retry_after_s=7.5),
        timeouts=Timeouts(connect_s=3.0, first_byte_s=30.0, idle_s=15.5, total_s=120.0),
        audit=audit(at),
    )


def binding(
    endpoint_id: str,
    resource_id: str,
    resource_type: ResourceType = ResourceType.SCORER,
    at: int = T0,
) -> Binding:
    return Binding(
        endpoint_id=endpoint_id,
        resource_type=resource_type,
        resource_id=resource_id,
        display_name=f"judge {resource_id}",
        audit=audit(at),
    )


def limit(period: RenewalPeriod, calls: int, tokens: int | None = None) -> LimitRule:
    return LimitRule(renewal_period=period, calls=calls, tokens=tokens, key=LimitKey.ENDPOINT)


def api_key(ident: str, *, key_hash: str | None = None, at: int = T0) -> ApiKey:
    return ApiKey(
        key_id=ident,
        name=f"key {ident}",
        role=Role.USER,
        key_hash=key_hash or f"hash-{ident}",
        endpoints=("chat", "embed"),
        audit=audit(at),
    )


def scorer(
    scorer_id: str,
    version: int,
    *,
    namespace: str = "exp-1",
    name: str = "relevance",
    endpoint_id: str | None = None,
    at: int = T0,
) -> ScorerVersion:
    return ScorerVersion(
        scorer_id=scorer_id,
        namespace=namespace,
        name=name,
        version=version,
        instructions="Is {{ outputs }} relevant to {{ inputs }}?",
        result_type=ResultType.INTEGER,
        endpoint_id=endpoint_id,
        min_value=1,
        max_value=5,
        audit=audit(at),
    )


def usage(request_id: str, at: int, endpoint_id: str = "ep-1") -> UsageRecord:
    return UsageRecord(
        request_id=request_id,
        timestamp_ms=at,
        endpoint_id=endpoint_id,
        endpoint_name=f"endpoint-{endpoint_id}",
        model_definition_id="md-1",
        model_definition_name="model-md-1",
        provider="openai",
        prompt_tokens=12,
        completion_tokens=30,
        latency_ms=812.5,
        attempts=2,
        status=200,
        principal="alice",
        fallback=True,
    )
