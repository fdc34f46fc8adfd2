"""The declarative config file: YAML parsed into checked entries, errors naming their path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

DEFAULT_ROUTING = "REQUEST_BASED_TRAFFIC_SPLIT"
DEFAULT_RETRY: Mapping[str, float] = {"max_retries": 1, "max_retry_after_s": 5.0}
DEFAULT_TIMEOUTS: Mapping[str, float] = {
    "connect_s": 10.0,
    "first_byte_s": 60.0,
    "idle_s": 20.0,
    "total_s": 600.0,
}


class ConfigError(Exception):
    """The file is not a valid config; the message names the offending path."""


@dataclass(frozen=True, slots=True)
class SecretEntry:
    name: str
    value_env: str
    provider: str | None = None
    auth_config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str
    provider: str
    model_name: str
    secret: str | None = None
    api_base: str | None = None
    provider_settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MappingEntry:
    model: str
    weight: float = 1.0
    linkage_type: str = "PRIMARY"
    fallback_order: int | None = None


@dataclass(frozen=True, slots=True)
class EndpointEntry:
    """`limits` None means the file does not manage this endpoint's limits."""

    name: str
    model_mappings: tuple[MappingEntry, ...]
    tags: tuple[tuple[str, str], ...] = ()
    routing_strategy: str = DEFAULT_ROUTING
    fallback_config: Mapping[str, Any] | None = None
    retry_policy: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RETRY))
    timeouts: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TIMEOUTS))
    limits: tuple[Mapping[str, Any], ...] | None = None


@dataclass(frozen=True, slots=True)
class ConfigDocument:
    """A section that is None is absent from the file: it is neither compared nor pruned."""

    secrets: tuple[SecretEntry, ...] | None = None
    model_definitions: tuple[ModelEntry, ...] | None = None
    endpoints: tuple[EndpointEntry, ...] | None = None


def load_document(text: str) -> ConfigDocument:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}") from None
    return parse_document({} if data is None else data)


def parse_document(data: Any) -> ConfigDocument:
    root = _Node(data, "")
    root.keys_within({"secrets", "model_definitions", "endpoints"})
    document = ConfigDocument(
        secrets=_section(root, "secrets", _secret),
        model_definitions=_section(root, "model_definitions", _model),
        endpoints=_section(root, "endpoints", _endpoint),
    )
    return document


class _Node:
    """A value in the document and its path, for messages like `endpoints[0].name: …`."""

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.path or 'the file'}: {message}")

    def mapping(self) -> Mapping[str, Any]:
        if not isinstance(self.value, Mapping):
            raise self.fail("must be a mapping")
        return self.value

    def keys_within(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.mapping()) - allowed)
        if unknown:
            listed = ", ".join(map(str, unknown))
            raise self.fail(f"unknown key(s) {listed}; expected some of {', '.join(sorted(allowed))}")

    def child(self, key: str) -> _Node:
        return _Node(self.mapping().get(key), f"{self.path}.{key}" if self.path else key)

    def items(self) -> list[_Node]:
        if not isinstance(self.value, list):
            raise self.fail("must be a list")
        return [_Node(v, f"{self.path}[{i}]") for i, v in enumerate(self.value)]

    def text(self, key: str, *, required: bool = True) -> str | None:
        node = self.child(key)
        if node.value is None:
            if required:
                raise node.fail("is required")
            return None
        if not isinstance(node.value, str) or not node.value.strip():
            raise node.fail("must be a non-empty string")
        return node.value

    def required_text(self, key: str) -> str:
        value = self.text(key)
        assert value is not None
        return value

    def table(self, key: str) -> dict[str, Any]:
        node = self.child(key)
        if node.value is None:
            return {}
        return dict(node.mapping())

    def number(self, key: str, default: float) -> float:
        node = self.child(key)
        if node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise node.fail("must be a number")
        return float(node.value)


def _section(root: _Node, key: str, parse: Any) -> tuple[Any, ...] | None:
    node = root.child(key)
    if key not in root.mapping():
        return None
    if node.value is None:
        return ()
    entries = tuple(parse(item) for item in node.items())
    names = [e.name for e in entries]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise node.fail(f"the name(s) {', '.join(repeated)} appear more than once")
    return entries


def _secret(node: _Node) -> SecretEntry:
    node.keys_within({"name", "value_env", "provider", "auth_config"})
    return SecretEntry(
        name=node.required_text("name"),
        value_env=node.required_text("value_env"),
        provider=node.text("provider", required=False),
        auth_config=node.table("auth_config"),
    )


def _model(node: _Node) -> ModelEntry:
    node.keys_within({"name", "provider", "model_name", "secret", "api_base", "provider_settings"})
    return ModelEntry(
        name=node.required_text("name"),
        provider=node.required_text("provider"),
        model_name=node.required_text("model_name"),
        secret=node.text("secret", required=False),
        api_base=node.text("api_base", required=False),
        provider_settings=node.table("provider_settings"),
    )


def _endpoint(node: _Node) -> EndpointEntry:
    node.keys_within(
        {
            "name",
            "model_mappings",
            "tags",
            "routing_strategy",
            "fallback_config",
            "retry_policy",
            "timeouts",
            "limits",
        }
    )
    mappings = node.child("model_mappings")
    if not mappings.value:
        raise mappings.fail("an endpoint needs at least one model mapping")
    limits = node.child("limits")
    return EndpointEntry(
        name=node.required_text("name"),
        model_mappings=tuple(_mapping(m) for m in mappings.items()),
        tags=_tags(node.child("tags")),
        routing_strategy=node.text("routing_strategy", required=False) or DEFAULT_ROUTING,
        fallback_config=_fallback(node.child("fallback_config")),
        retry_policy=_numbers(node.child("retry_policy"), DEFAULT_RETRY),
        timeouts=_numbers(node.child("timeouts"), DEFAULT_TIMEOUTS),
        limits=None if "limits" not in node.mapping() else tuple(_limit(r) for r in _list_or_empty(limits)),
    )


def _mapping(node: _Node) -> MappingEntry:
    node.keys_within({"model", "weight", "linkage_type", "fallback_order"})
    order = node.child("fallback_order")
    if order.value is not None and (isinstance(order.value, bool) or not isinstance(order.value, int)):
        raise order.fail("must be an integer")
    linkage = node.text("linkage_type", required=False) or (
        "FALLBACK" if order.value is not None else "PRIMARY"
    )
    return MappingEntry(
        model=node.required_text("model"),
        weight=node.number("weight", 1.0),
        linkage_type=linkage.upper(),
        fallback_order=order.value,
    )


def _tags(node: _Node) -> tuple[tuple[str, str], ...]:
    if node.value is None:
        return ()
    if isinstance(node.value, Mapping):
        pairs = [(str(k), "" if v is None else str(v)) for k, v in node.value.items()]
    else:
        pairs = []
        for item in node.items():
            item.keys_within({"key", "value"})
            pairs.append((item.required_text("key"), str(item.mapping().get("value") or "")))
    return tuple(sorted(pairs))


def _fallback(node: _Node) -> Mapping[str, Any] | None:
    if node.value is None:
        return None
    node.keys_within({"strategy", "max_attempts"})
    attempts = node.child("max_attempts")
    if isinstance(attempts.value, bool) or not isinstance(attempts.value, int):
        raise attempts.fail("must be an integer")
    return {"strategy": node.text("strategy", required=False) or "SEQUENTIAL", "max_attempts": attempts.value}


def _numbers(node: _Node, defaults: Mapping[str, float]) -> dict[str, float]:
    if node.value is None:
        return dict(defaults)
    node.keys_within(set(defaults))
    values = {key: node.number(key, default) for key, default in defaults.items()}
    if "max_retries" in values:
        if not values["max_retries"].is_integer():
            raise node.child("max_retries").fail("must be a whole number")
        values["max_retries"] = int(values["max_retries"])
    return values


def _limit(node: _Node) -> Mapping[str, Any]:
    node.keys_within({"renewal_period", "calls", "tokens", "key"})
    rule = dict(node.mapping())
    rule.setdefault("tokens", None)
    rule.setdefault("key", "endpoint")
    return rule


def _list_or_empty(node: _Node) -> list[_Node]:
    return [] if node.value is None else node.items()
