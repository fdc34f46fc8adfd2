"""`config export`: the gateway's current state as a config file, without any secret value."""

from __future__ import annotations

import re
from typing import Any

import yaml

from apps.client import Endpoint, ModelDefinition, Secret
from apps.config.document import DEFAULT_ROUTING
from apps.config.state import CurrentState, mapping_entries

HEADER = """\
# Switchboard configuration, exported. Secret values are never exported: before
# `switchboard config apply`, set each secret's value_env variable to its value
# (an existing secret whose variable is unset keeps its stored value).
"""


def export_document(state: CurrentState) -> dict[str, Any]:
    """The state as the file's structure: secrets by name with a placeholder `value_env`."""
    return {
        "secrets": [_secret(s) for _, s in sorted(state.secrets.items())],
        "model_definitions": [_model(m) for _, m in sorted(state.models.items())],
        "endpoints": [_endpoint(e, state) for _, e in sorted(state.endpoints.items())],
    }


def export_yaml(state: CurrentState) -> str:
    return HEADER + yaml.safe_dump(export_document(state), sort_keys=False, allow_unicode=True)


def placeholder_env(secret_name: str) -> str:
    """An environment variable name for a secret: `openai-prod` → `OPENAI_PROD`."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", secret_name).strip("_").upper() or "SECRET"
    return name if not name[0].isdigit() else f"SECRET_{name}"


def _secret(secret: Secret) -> dict[str, Any]:
    out: dict[str, Any] = {"name": secret["name"], "value_env": placeholder_env(secret["name"])}
    if secret.get("provider"):
        out["provider"] = secret["provider"]
    if secret.get("auth_config"):
        out["auth_config"] = dict(secret["auth_config"])
    return out


def _model(model: ModelDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": model["name"],
        "provider": model["provider"],
        "model_name": model["model_name"],
    }
    if model["secret_name"]:
        out["secret"] = model["secret_name"]
    if model["api_base"]:
        out["api_base"] = model["api_base"]
    if model["provider_settings"]:
        out["provider_settings"] = dict(model["provider_settings"])
    return out


def _endpoint(endpoint: Endpoint, state: CurrentState) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": endpoint["name"],
        "model_mappings": [_mapping(m) for m in mapping_entries(endpoint)],
    }
    if endpoint["tags"]:
        out["tags"] = [{"key": t["key"], "value": t["value"]} for t in endpoint["tags"]]
    if endpoint["routing_strategy"] != DEFAULT_ROUTING:
        out["routing_strategy"] = endpoint["routing_strategy"]
    if endpoint["fallback_config"] is not None:
        out["fallback_config"] = dict(endpoint["fallback_config"])
    out["retry_policy"] = dict(endpoint["retry_policy"])
    out["timeouts"] = dict(endpoint["timeouts"])
    out["limits"] = [_limit(r) for r in state.limits.get(endpoint["name"], ())]
    return out


def _mapping(mapping: Any) -> dict[str, Any]:
    if mapping.linkage_type == "FALLBACK":
        return {"model": mapping.model, "linkage_type": "FALLBACK", "fallback_order": mapping.fallback_order}
    return {"model": mapping.model, "weight": mapping.weight}


def _limit(rule: Any) -> dict[str, Any]:
    out = {"renewal_period": rule["renewal_period"], "calls": rule["calls"]}
    if rule.get("tokens") is not None:
        out["tokens"] = rule["tokens"]
    out["key"] = rule.get("key") or "endpoint"
    return out
