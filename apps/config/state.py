"""What the gateway holds now, read through an admin backend, and the comparable form of each entity.

Entries from the file and entities from the gateway are both reduced to plain dicts of the
fields the file manages (models and secrets by name, not id), so comparing them is `==`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from apps.client import Endpoint, LimitRule, ModelDefinition, Page, Secret
from apps.config.document import EndpointEntry, MappingEntry, ModelEntry, SecretEntry

T = TypeVar("T")


class StateReader(Protocol):
    """The reads the config needs (an AdminBackend has them)."""

    def list_secrets(
        self, *, max_results: int | None = None, page_token: str | None = None
    ) -> Page[Secret]: ...
    def list_model_definitions(
        self, *, provider: str | None = None, max_results: int | None = None, page_token: str | None = None
    ) -> Page[ModelDefinition]: ...
    def list_endpoints(
        self,
        *,
        name: str | None = None,
        provider: str | None = None,
        tag: str | None = None,
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> Page[Endpoint]: ...
    def get_limits(self, endpoint_id: str) -> list[LimitRule]: ...


@dataclass(frozen=True, slots=True)
class CurrentState:
    """Every secret, model definition and endpoint by name, and each endpoint's limits by name."""

    secrets: Mapping[str, Secret]
    models: Mapping[str, ModelDefinition]
    endpoints: Mapping[str, Endpoint]
    limits: Mapping[str, Sequence[LimitRule]]


def read_state(reader: StateReader) -> CurrentState:
    secrets = {s["name"]: s for s in _every(lambda t: reader.list_secrets(max_results=1000, page_token=t))}
    models = {
        m["name"]: m for m in _every(lambda t: reader.list_model_definitions(max_results=1000, page_token=t))
    }
    endpoints = {
        e["name"]: e for e in _every(lambda t: reader.list_endpoints(max_results=1000, page_token=t))
    }
    limits = {name: reader.get_limits(e["endpoint_id"]) for name, e in endpoints.items()}
    return CurrentState(secrets, models, endpoints, limits)


def _every(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page.items
        token = page.next_page_token
        if not token:
            return


# -- comparable forms -----------------------------------------------------------------------


def secret_form(provider: str | None, auth_config: Mapping[str, Any]) -> dict[str, Any]:
    return {"provider": provider, "auth_config": dict(auth_config)}


def secret_entry_form(entry: SecretEntry) -> dict[str, Any]:
    return secret_form(entry.provider, entry.auth_config)


def secret_view_form(secret: Secret) -> dict[str, Any]:
    return secret_form(secret.get("provider"), secret.get("auth_config") or {})


def model_entry_form(entry: ModelEntry) -> dict[str, Any]:
    return {
        "provider": entry.provider,
        "model_name": entry.model_name,
        "secret": entry.secret,
        "api_base": entry.api_base,
        "provider_settings": dict(entry.provider_settings),
    }


def model_view_form(model: ModelDefinition) -> dict[str, Any]:
    return {
        "provider": model["provider"],
        "model_name": model["model_name"],
        "secret": model["secret_name"],
        "api_base": model["api_base"],
        "provider_settings": dict(model["provider_settings"]),
    }


def endpoint_entry_form(entry: EndpointEntry) -> dict[str, Any]:
    return {
        "model_mappings": _mapping_lines(
            (m.model, m.weight, m.linkage_type, m.fallback_order) for m in entry.model_mappings
        ),
        "tags": [f"{k}={v}" for k, v in sorted(entry.tags)],
        "routing_strategy": entry.routing_strategy,
        "fallback_config": None if entry.fallback_config is None else dict(entry.fallback_config),
        "retry_policy": _floats(entry.retry_policy),
        "timeouts": _floats(entry.timeouts),
    }


def endpoint_view_form(endpoint: Endpoint) -> dict[str, Any]:
    config = endpoint["fallback_config"]
    return {
        "model_mappings": _mapping_lines(
            (m["model_definition"]["name"], m["weight"], m["linkage_type"], m["fallback_order"])
            for m in endpoint["model_mappings"]
        ),
        "tags": [
            f"{t['key']}={t['value']}" for t in sorted(endpoint["tags"], key=lambda t: (t["key"], t["value"]))
        ],
        "routing_strategy": endpoint["routing_strategy"],
        "fallback_config": None if config is None else dict(config),
        "retry_policy": _floats(endpoint["retry_policy"]),
        "timeouts": _floats(endpoint["timeouts"]),
    }


def limits_form(rules: Sequence[Mapping[str, Any]]) -> list[str]:
    """Rules as `PERIOD:CALLS[:TOKENS]:KEY`, sorted: the order of rules carries no meaning."""
    lines = []
    for rule in rules:
        tokens = rule.get("tokens")
        budget = f"{rule.get('calls')}" if tokens is None else f"{rule.get('calls')}:{tokens}"
        lines.append(f"{rule.get('renewal_period')}:{budget}:{rule.get('key') or 'endpoint'}")
    return sorted(lines)


def _mapping_lines(mappings: Any) -> list[str]:
    primaries, fallbacks = [], []
    for model, weight, linkage, order in mappings:
        if linkage == "FALLBACK":
            fallbacks.append((order if order is not None else 0, f"{model} (fallback {order})"))
        else:
            primaries.append((model, f"{model} (weight {float(weight):g})"))
    return [line for _, line in sorted(primaries)] + [line for _, line in sorted(fallbacks)]


def _floats(values: Mapping[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()}


def mapping_entries(endpoint: Endpoint) -> list[MappingEntry]:
    """An endpoint's mappings as they are written in the file (models by name)."""
    return [
        MappingEntry(
            model=m["model_definition"]["name"],
            weight=float(m["weight"]),
            linkage_type=m["linkage_type"],
            fallback_order=m["fallback_order"],
        )
        for m in endpoint["model_mappings"]
    ]
