"""The plan: what `config apply` would change to make the gateway match the file, as a diff."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from apps.config.document import ConfigDocument, ConfigError, EndpointEntry, SecretEntry
from apps.config.state import (
    CurrentState,
    endpoint_entry_form,
    endpoint_view_form,
    limits_form,
    model_entry_form,
    model_view_form,
    secret_entry_form,
    secret_view_form,
)
from core.domain.masking import mask_secret

Action = Literal["+", "~", "-"]
Kind = Literal["secret", "model", "endpoint", "limits"]


@dataclass(frozen=True, slots=True)
class Change:
    action: Action
    kind: Kind
    name: str
    details: tuple[str, ...] = ()
    new_value: bool = False
    """For a secret: its value is (re)written from the environment."""

    @property
    def line(self) -> str:
        detail = f" ({'; '.join(self.details)})" if self.details else ""
        return f"{self.action} {self.kind} {self.name}{detail}"


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[Change, ...]
    unchanged: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        count = {a: sum(1 for c in self.changes if c.action == a) for a in ("+", "~", "-")}
        if self.empty:
            return f"no changes ({len(self.unchanged)} unchanged)"
        return (
            f"{count['+']} to create, {count['~']} to update, {count['-']} to delete, "
            f"{len(self.unchanged)} unchanged"
        )


def make_plan(
    document: ConfigDocument, state: CurrentState, environ: Mapping[str, str], *, prune: bool = False
) -> Plan:
    """Compare the file with the gateway; creations and updates first, then deletions (with `prune`).

    Raises:
        ConfigError: A reference to a model or secret that is neither in the file nor in the
            gateway, or a new secret whose environment variable is not set.
    """
    _check_references(document, state)
    builder = _Builder()
    for entry in document.secrets or ():
        _plan_secret(builder, entry, state, environ)
    for model in document.model_definitions or ():
        builder.compare(
            "model", model.name, model_entry_form(model), _form(state.models, model.name, model_view_form)
        )
    for endpoint in document.endpoints or ():
        _plan_endpoint(builder, endpoint, state)
    if prune:
        _plan_pruning(builder, document, state)
    return builder.plan()


class _Builder:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.unchanged: list[str] = []
        self.notes: list[str] = []

    def compare(self, kind: Kind, name: str, wanted: Any, current: Any) -> None:
        if current is None:
            self.changes.append(Change("+", kind, name))
        elif wanted != current:
            self.changes.append(Change("~", kind, name, tuple(differences(current, wanted))))
        else:
            self.unchanged.append(f"{kind} {name}")

    def plan(self) -> Plan:
        return Plan(tuple(self.changes), tuple(self.unchanged), tuple(self.notes))


def _form(entities: Mapping[str, Any], name: str, form: Callable[[Any], Any]) -> Any:
    entity = entities.get(name)
    return None if entity is None else form(entity)


def _plan_secret(
    builder: _Builder, entry: SecretEntry, state: CurrentState, environ: Mapping[str, str]
) -> None:
    value = environ.get(entry.value_env)
    current = state.secrets.get(entry.name)
    if current is None:
        if not value:
            raise ConfigError(f"secret '{entry.name}': environment variable {entry.value_env} is not set")
        builder.changes.append(Change("+", "secret", entry.name, new_value=True))
        return
    details = differences(secret_view_form(current), secret_entry_form(entry))
    # The stored value cannot be read back; its masked form is what can be compared.
    value_changed = bool(value) and mask_secret(value or "") != current["masked_value"]
    if value_changed:
        details.append("value changed")
    if not value:
        builder.notes.append(f"secret {entry.name}: {entry.value_env} is not set; keeping the stored value")
    if details:
        builder.changes.append(Change("~", "secret", entry.name, tuple(details), new_value=value_changed))
    else:
        builder.unchanged.append(f"secret {entry.name}")


def _plan_endpoint(builder: _Builder, entry: EndpointEntry, state: CurrentState) -> None:
    current = state.endpoints.get(entry.name)
    builder.compare(
        "endpoint",
        entry.name,
        endpoint_entry_form(entry),
        None if current is None else endpoint_view_form(current),
    )
    if entry.limits is None:
        return
    wanted = limits_form(entry.limits)
    stored = limits_form(state.limits.get(entry.name, ()))
    if wanted != stored and current is None:
        builder.changes.append(Change("+", "limits", entry.name, tuple(wanted)))
    elif wanted != stored:
        builder.changes.append(Change("~", "limits", entry.name, (f"{_show(stored)} -> {_show(wanted)}",)))
    else:
        builder.unchanged.append(f"limits {entry.name}")


def _plan_pruning(builder: _Builder, document: ConfigDocument, state: CurrentState) -> None:
    """Delete what the file leaves out, dependents first; only for sections the file has."""
    sections: Sequence[tuple[Kind, Sequence[Any] | None, Mapping[str, Any]]] = (
        ("endpoint", document.endpoints, state.endpoints),
        ("model", document.model_definitions, state.models),
        ("secret", document.secrets, state.secrets),
    )
    for kind, entries, current in sections:
        if entries is None:
            continue
        kept = {e.name for e in entries}
        builder.changes.extend(Change("-", kind, name) for name in sorted(current) if name not in kept)


def _check_references(document: ConfigDocument, state: CurrentState) -> None:
    models = {m.name for m in document.model_definitions or ()} | set(state.models)
    secrets = {s.name for s in document.secrets or ()} | set(state.secrets)
    for i, model in enumerate(document.model_definitions or ()):
        if model.secret is not None and model.secret not in secrets:
            raise ConfigError(
                f"model_definitions[{i}].secret: '{model.secret}' is neither in the file nor in the gateway"
            )
    for i, endpoint in enumerate(document.endpoints or ()):
        for j, mapping in enumerate(endpoint.model_mappings):
            if mapping.model not in models:
                raise ConfigError(
                    f"endpoints[{i}].model_mappings[{j}].model: '{mapping.model}' is neither in the file "
                    "nor in the gateway"
                )


def differences(current: Mapping[str, Any], wanted: Mapping[str, Any], prefix: str = "") -> list[str]:
    """`field: old -> new` for each differing field, descending into nested mappings."""
    found = []
    for key in sorted(set(current) | set(wanted)):
        old, new = current.get(key), wanted.get(key)
        if old == new:
            continue
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            found.extend(differences(old, new, f"{prefix}{key}."))
        else:
            found.append(f"{prefix}{key}: {_show(old)} -> {_show(new)}")
    return found


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)
