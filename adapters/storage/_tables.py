"""SQLModel tables, private to the storage adapter; the core never sees these classes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

# Named constraints keep Alembic migrations stable and identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# A SQLite rowid alias must be INTEGER; PostgreSQL gets a 64-bit identity.
_AUTO_ID = BigInteger().with_variant(Integer(), "sqlite")


class _Table(SQLModel, registry=registry(metadata=metadata)):
    """Base of every table: a private registry so no other SQLModel tables mix in."""


def _millis(**kwargs: Any) -> Any:
    return Field(sa_type=BigInteger, **kwargs)


class SecretRow(_Table, table=True):
    __tablename__ = "secrets"

    secret_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=255, unique=True)
    masked_value: str = Field(max_length=64)
    provider: str | None = Field(default=None, max_length=64)
    auth_config: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    ciphertext: bytes = Field(sa_type=LargeBinary)
    wrapped_dek: bytes = Field(sa_type=LargeBinary)
    kek_version: int = Field(index=True)
    created_at: int = _millis()
    last_updated_at: int = _millis()
    created_by: str | None = Field(default=None, max_length=255)
    last_updated_by: str | None = Field(default=None, max_length=255)


class KekRow(_Table, table=True):
    __tablename__ = "kek_versions"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kdf: str = Field(max_length=32)
    salt: bytes = Field(sa_type=LargeBinary)
    iterations: int
    verifier: bytes = Field(sa_type=LargeBinary)
    state: str = Field(max_length=16)
    created_at: int = _millis()


class ModelDefinitionRow(_Table, table=True):
    __tablename__ = "model_definitions"

    model_definition_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=255, unique=True)
    provider: str = Field(max_length=64, index=True)
    model_name: str = Field(max_length=255)
    # A force-deleted secret leaves its model definitions orphaned, never dangling.
    secret_id: str | None = Field(
        default=None,
        sa_column=Column(ForeignKey("secrets.secret_id", ondelete="SET NULL"), index=True, nullable=True),
    )
    api_base: str | None = Field(default=None, sa_type=Text)
    provider_settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    orphaned: bool = False
    created_at: int = _millis()
    last_updated_at: int = _millis()
    created_by: str | None = Field(default=None, max_length=255)
    last_updated_by: str | None = Field(default=None, max_length=255)


class EndpointRow(_Table, table=True):
    __tablename__ = "endpoints"

    endpoint_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=255, unique=True)
    routing_strategy: str = Field(max_length=64)
    fallback_strategy: str | None = Field(default=None, max_length=32)
    fallback_max_attempts: int | None = None
    retry_max_retries: int
    retry_max_retry_after_s: float
    timeout_connect_s: float
    timeout_first_byte_s: float
    timeout_idle_s: float
    timeout_total_s: float
    created_at: int = _millis()
    last_updated_at: int = _millis()
    created_by: str | None = Field(default=None, max_length=255)
    last_updated_by: str | None = Field(default=None, max_length=255)


class EndpointTagRow(_Table, table=True):
    __tablename__ = "endpoint_tags"
    __table_args__ = (Index("ix_endpoint_tags_key", "key"),)

    endpoint_id: str = Field(
        sa_column=Column(ForeignKey("endpoints.endpoint_id", ondelete="CASCADE"), primary_key=True)
    )
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    key: str = Field(max_length=250)
    value: str = Field(sa_type=Text)


class ModelMappingRow(_Table, table=True):
    __tablename__ = "model_mappings"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "linkage_type", "fallback_order"),
        UniqueConstraint("endpoint_id", "linkage_type", "model_definition_id"),
    )

    mapping_id: str = Field(primary_key=True, max_length=64)
    endpoint_id: str = Field(
        sa_column=Column(ForeignKey("endpoints.endpoint_id", ondelete="CASCADE"), nullable=False)
    )
    # No cascade: a model definition in use cannot vanish from under its endpoints.
    model_definition_id: str = Field(
        sa_column=Column(ForeignKey("model_definitions.model_definition_id"), index=True, nullable=False)
    )
    position: int
    weight: float
    linkage_type: str = Field(max_length=16)
    fallback_order: int | None = None


class BindingRow(_Table, table=True):
    __tablename__ = "bindings"
    __table_args__ = (Index("ix_bindings_resource", "resource_type", "resource_id"),)

    endpoint_id: str = Field(
        sa_column=Column(ForeignKey("endpoints.endpoint_id", ondelete="CASCADE"), primary_key=True)
    )
    resource_type: str = Field(primary_key=True, max_length=32)
    resource_id: str = Field(primary_key=True, max_length=255)
    display_name: str = Field(max_length=255)
    created_at: int = _millis()
    last_updated_at: int = _millis()
    created_by: str | None = Field(default=None, max_length=255)
    last_updated_by: str | None = Field(default=None, max_length=255)


class LimitRuleRow(_Table, table=True):
    __tablename__ = "limit_rules"

    endpoint_id: str = Field(
        sa_column=Column(ForeignKey("endpoints.endpoint_id", ondelete="CASCADE"), primary_key=True)
    )
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    renewal_period: str = Field(max_length=16)
    limit_key: str = Field(max_length=16)
    calls: int = Field(sa_type=BigInteger)
    tokens: int | None = Field(default=None, sa_type=BigInteger)


class ApiKeyRow(_Table, table=True):
    __tablename__ = "api_keys"

    key_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=255)
    role: str = Field(max_length=16)
    key_hash: str = Field(max_length=255, unique=True)
    endpoints: list[str] = Field(default_factory=list, sa_type=JSON)
    revoked: bool = False
    created_at: int = _millis()
    last_updated_at: int = _millis()
    created_by: str | None = Field(default=None, max_length=255)
    last_updated_by: str | None = Field(default=None, max_length=255)


class ScorerVersionRow(_Table, table=True):
    __tablename__ = "scorer_versions"
    __table_args__ = (UniqueConstraint("namespace", "name", "version"),)

    scorer_id: str = Field(primary_key=True, max_length=64)
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    namespace: str = Field(max_length=255)
    name: str = Field(max_length=255)
    instructions: str = Field(sa_type=Text)
    result_type: str = Field(max_length=16)
    endpoint_id: str | None = Field(
        default=None,
        sa_column=Column(ForeignKey("endpoints.endpoint_id", ondelete="SET NULL"), index=True, nullable=True),
    )
    min_value: float | None = None
    max_value: float | None = None
    created_at: int = _millis()
    last_updated_at: int = _millis()
    created_by: str | None = Field(default=None, max_length=255)
    last_updated_by: str | None = Field(default=None, max_length=255)


class UsageRow(_Table, table=True):
    __tablename__ = "usage_records"
    __table_args__ = (Index("ix_usage_records_endpoint_id_timestamp_ms", "endpoint_id", "timestamp_ms"),)

    # A surrogate key: usage must be recorded even if a caller reuses a request id.
    id: int | None = Field(default=None, primary_key=True, sa_type=_AUTO_ID)
    request_id: str = Field(max_length=255, index=True)
    timestamp_ms: int = _millis(index=True)
    # No foreign key: usage outlives the endpoints and models it mentions.
    endpoint_id: str = Field(max_length=64)
    endpoint_name: str = Field(max_length=255)
    model_definition_id: str | None = Field(default=None, max_length=64)
    model_definition_name: str | None = Field(default=None, max_length=255)
    provider: str | None = Field(default=None, max_length=64)
    prompt_tokens: int = Field(sa_type=BigInteger)
    completion_tokens: int = Field(sa_type=BigInteger)
    latency_ms: float
    attempts: int
    status: int
    principal: str | None = Field(default=None, max_length=255)
    fallback: bool = False


class ConfigRevisionRow(_Table, table=True):
    __tablename__ = "config_revision"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    revision: int = Field(sa_type=BigInteger)
