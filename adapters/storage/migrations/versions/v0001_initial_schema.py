"""Initial schema: every table of Switchboard, and the configuration revision row.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=255), nullable=False),
        sa.Column("endpoints", sa.JSON(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    config_revision = op.create_table(
        "config_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_revision")),
    )
    # The one row that ConfigRevision bumps; seeding it here avoids a race on first insert.
    op.bulk_insert(config_revision, [{"id": 1, "revision": 0}])
    op.create_table(
        "endpoints",
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("routing_strategy", sa.String(length=64), nullable=False),
        sa.Column("fallback_strategy", sa.String(length=32), nullable=True),
        sa.Column("fallback_max_attempts", sa.Integer(), nullable=True),
        sa.Column("retry_max_retries", sa.Integer(), nullable=False),
        sa.Column("retry_max_retry_after_s", sa.Float(), nullable=False),
        sa.Column("timeout_connect_s", sa.Float(), nullable=False),
        sa.Column("timeout_first_byte_s", sa.Float(), nullable=False),
        sa.Column("timeout_idle_s", sa.Float(), nullable=False),
        sa.Column("timeout_total_s", sa.Float(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("endpoint_id", name=op.f("pk_endpoints")),
        sa.UniqueConstraint("name", name=op.f("uq_endpoints_name")),
    )
    op.create_table(
        "kek_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kdf", sa.String(length=32), nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("verifier", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_kek_versions")),
    )
    op.create_table(
        "secrets",
        sa.Column("secret_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("masked_value", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=True),
        sa.Column("auth_config", sa.JSON(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_dek", sa.LargeBinary(), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("secret_id", name=op.f("pk_secrets")),
        sa.UniqueConstraint("name", name=op.f("uq_secrets_name")),
    )
    op.create_index(op.f("ix_secrets_kek_version"), "secrets", ["kek_version"])

    op.create_table(
        "usage_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("request_id", sa.String(length=255), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("endpoint_name", sa.String(length=255), nullable=False),
        sa.Column("model_definition_id", sa.String(length=64), nullable=True),
        sa.Column("model_definition_name", sa.String(length=255), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=True),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=255), nullable=True),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_records")),
    )
    op.create_index(
        "ix_usage_records_endpoint_id_timestamp_ms", "usage_records", ["endpoint_id", "timestamp_ms"]
    )
    op.create_index(op.f("ix_usage_records_request_id"), "usage_records", ["request_id"])
    op.create_index(op.f("ix_usage_records_timestamp_ms"), "usage_records", ["timestamp_ms"])

    op.create_table(
        "bindings",
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["endpoints.endpoint_id"],
            name=op.f("fk_bindings_endpoint_id_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("endpoint_id", "resource_type", "resource_id", name=op.f("pk_bindings")),
    )
    op.create_index("ix_bindings_resource", "bindings", ["resource_type", "resource_id"])

    op.create_table(
        "endpoint_tags",
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["endpoints.endpoint_id"],
            name=op.f("fk_endpoint_tags_endpoint_id_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("endpoint_id", "position", name=op.f("pk_endpoint_tags")),
    )
    op.create_index("ix_endpoint_tags_key", "endpoint_tags", ["key"])

    op.create_table(
        "limit_rules",
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("renewal_period", sa.String(length=16), nullable=False),
        sa.Column("limit_key", sa.String(length=16), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["endpoints.endpoint_id"],
            name=op.f("fk_limit_rules_endpoint_id_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("endpoint_id", "position", name=op.f("pk_limit_rules")),
    )
    op.create_table(
        "model_definitions",
        sa.Column("model_definition_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("model_name", sa.String(length=255), nullable=False),
        sa.Column("secret_id", sa.String(length=64), nullable=True),
        sa.Column("api_base", sa.Text(), nullable=True),
        sa.Column("provider_settings", sa.JSON(), nullable=False),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["secrets.secret_id"],
            name=op.f("fk_model_definitions_secret_id_secrets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("model_definition_id", name=op.f("pk_model_definitions")),
        sa.UniqueConstraint("name", name=op.f("uq_model_definitions_name")),
    )
    op.create_index(op.f("ix_model_definitions_provider"), "model_definitions", ["provider"])
    op.create_index(op.f("ix_model_definitions_secret_id"), "model_definitions", ["secret_id"])

    op.create_table(
        "scorer_versions",
        sa.Column("scorer_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("result_type", sa.String(length=16), nullable=False),
        sa.Column("endpoint_id", sa.String(length=64), nullable=True),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_updated_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("last_updated_by", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["endpoints.endpoint_id"],
            name=op.f("fk_scorer_versions_endpoint_id_endpoints"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("scorer_id", "version", name=op.f("pk_scorer_versions")),
        sa.UniqueConstraint(
            "namespace", "name", "version", name=op.f("uq_scorer_versions_namespace_name_version")
        ),
    )
    op.create_index(op.f("ix_scorer_versions_endpoint_id"), "scorer_versions", ["endpoint_id"])

    op.create_table(
        "model_mappings",
        sa.Column("mapping_id", sa.String(length=64), nullable=False),
        sa.Column("endpoint_id", sa.String(length=64), nullable=False),
        sa.Column("model_definition_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("linkage_type", sa.String(length=16), nullable=False),
        sa.Column("fallback_order", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["endpoints.endpoint_id"],
            name=op.f("fk_model_mappings_endpoint_id_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_definition_id"],
            ["model_definitions.model_definition_id"],
            name=op.f("fk_model_mappings_model_definition_id_model_definitions"),
        ),
        sa.PrimaryKeyConstraint("mapping_id", name=op.f("pk_model_mappings")),
        sa.UniqueConstraint(
            "endpoint_id",
            "linkage_type",
            "fallback_order",
            name=op.f("uq_model_mappings_endpoint_id_linkage_type_fallback_order"),
        ),
        sa.UniqueConstraint(
            "endpoint_id",
            "linkage_type",
            "model_definition_id",
            name=op.f("uq_model_mappings_endpoint_id_linkage_type_model_definition_id"),
        ),
    )
    op.create_index(op.f("ix_model_mappings_model_definition_id"), "model_mappings", ["model_definition_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_model_mappings_model_definition_id"), table_name="model_mappings")

    op.drop_table("model_mappings")
    op.drop_index(op.f("ix_scorer_versions_endpoint_id"), table_name="scorer_versions")

    op.drop_table("scorer_versions")
    op.drop_index(op.f("ix_model_definitions_secret_id"), table_name="model_definitions")
    op.drop_index(op.f("ix_model_definitions_provider"), table_name="model_definitions")

    op.drop_table("model_definitions")
    op.drop_table("limit_rules")
    op.drop_index("ix_endpoint_tags_key", table_name="endpoint_tags")

    op.drop_table("endpoint_tags")
    op.drop_index("ix_bindings_resource", table_name="bindings")

    op.drop_table("bindings")
    op.drop_index(op.f("ix_usage_records_timestamp_ms"), table_name="usage_records")
    op.drop_index(op.f("ix_usage_records_request_id"), table_name="usage_records")
    op.drop_index("ix_usage_records_endpoint_id_timestamp_ms", table_name="usage_records")

    op.drop_table("usage_records")
    op.drop_index(op.f("ix_secrets_kek_version"), table_name="secrets")

    op.drop_table("secrets")
    op.drop_table("kek_versions")
    op.drop_table("endpoints")
    op.drop_table("config_revision")
    op.drop_table("api_keys")
