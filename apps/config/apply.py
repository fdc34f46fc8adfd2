"""Carrying out a plan through an admin backend, in dependency order, names resolved to ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from apps.cli.backend import AdminBackend
from apps.client import FallbackConfigInput, LimitRule, MappingInput, RetryPolicy, Tag, Timeouts
from apps.config.document import ConfigDocument, EndpointEntry, ModelEntry, SecretEntry
from apps.config.plan import Change, Plan
from apps.config.state import CurrentState


def apply_plan(
    plan: Plan,
    document: ConfigDocument,
    state: CurrentState,
    backend: AdminBackend,
    environ: Mapping[str, str],
    on_change: Callable[[Change], None] = lambda _change: None,
) -> None:
    """Make each change of `plan` in order; `on_change` hears of each one once it is done.

    A failure stops at that change: what was done stays done, and applying again resumes.
    """
    _Applier(document, state, backend, environ).run(plan, on_change)


class _Applier:
    def __init__(
        self, document: ConfigDocument, state: CurrentState, backend: AdminBackend, environ: Mapping[str, str]
    ) -> None:
        self._backend = backend
        self._environ = environ
        self._secrets = {s.name: s for s in document.secrets or ()}
        self._models = {m.name: m for m in document.model_definitions or ()}
        self._endpoints = {e.name: e for e in document.endpoints or ()}
        self._secret_ids = {name: s["secret_id"] for name, s in state.secrets.items()}
        self._model_ids = {name: m["model_definition_id"] for name, m in state.models.items()}
        self._endpoint_ids = {name: e["endpoint_id"] for name, e in state.endpoints.items()}

    def run(self, plan: Plan, on_change: Callable[[Change], None]) -> None:
        steps: dict[tuple[str, str], Callable[[Change], None]] = {
            ("+", "secret"): self._create_secret,
            ("~", "secret"): self._update_secret,
            ("-", "secret"): lambda c: self._backend.delete_secret(self._secret_ids[c.name]),
            ("+", "model"): self._create_model,
            ("~", "model"): self._update_model,
            ("-", "model"): lambda c: self._backend.delete_model_definition(self._model_ids[c.name]),
            ("+", "endpoint"): self._create_endpoint,
            ("~", "endpoint"): self._update_endpoint,
            ("-", "endpoint"): lambda c: self._backend.delete_endpoint(self._endpoint_ids[c.name]),
            ("+", "limits"): self._set_limits,
            ("~", "limits"): self._set_limits,
        }
        for change in plan.changes:
            steps[(change.action, change.kind)](change)
            on_change(change)

    def _create_secret(self, change: Change) -> None:
        entry = self._secrets[change.name]
        created = self._backend.create_secret(
            entry.name, self._value(entry), provider=entry.provider, auth_config=dict(entry.auth_config)
        )
        self._secret_ids[entry.name] = created["secret_id"]

    def _update_secret(self, change: Change) -> None:
        entry = self._secrets[change.name]
        ident = self._secret_ids[entry.name]
        if change.new_value:
            self._backend.update_secret(
                ident, value=self._value(entry), provider=entry.provider, auth_config=dict(entry.auth_config)
            )
        else:
            self._backend.update_secret(ident, provider=entry.provider, auth_config=dict(entry.auth_config))

    def _value(self, entry: SecretEntry) -> str:
        return self._environ[entry.value_env]

    def _create_model(self, change: Change) -> None:
        entry = self._models[change.name]
        created = self._backend.create_model_definition(
            entry.name,
            entry.provider,
            entry.model_name,
            secret_id=self._secret_id(entry),
            api_base=entry.api_base,
            provider_settings=dict(entry.provider_settings),
        )
        self._model_ids[entry.name] = created["model_definition_id"]

    def _update_model(self, change: Change) -> None:
        entry = self._models[change.name]
        self._backend.update_model_definition(
            self._model_ids[entry.name],
            provider=entry.provider,
            model_name=entry.model_name,
            secret_id=self._secret_id(entry),
            api_base=entry.api_base,
            provider_settings=dict(entry.provider_settings),
        )

    def _secret_id(self, entry: ModelEntry) -> str | None:
        return None if entry.secret is None else self._secret_ids[entry.secret]

    def _create_endpoint(self, change: Change) -> None:
        entry = self._endpoints[change.name]
        created = self._backend.create_endpoint(entry.name, self._mappings(entry), **_policies(entry))
        self._endpoint_ids[entry.name] = created["endpoint_id"]

    def _update_endpoint(self, change: Change) -> None:
        entry = self._endpoints[change.name]
        policies = _policies(entry)
        self._backend.update_endpoint(
            self._endpoint_ids[entry.name],
            model_mappings=self._mappings(entry),
            tags=list(policies["tags"]),
            routing_strategy=policies["routing_strategy"],
            fallback_config=policies["fallback_config"],
            retry_policy=policies["retry_policy"],
            timeouts=policies["timeouts"],
        )

    def _mappings(self, entry: EndpointEntry) -> list[MappingInput]:
        mappings = []
        for m in entry.model_mappings:
            mapping: dict[str, Any] = {
                "model_definition_id": self._model_ids[m.model],
                "weight": m.weight,
                "linkage_type": m.linkage_type,  # a bad value is named by the server
            }
            if m.fallback_order is not None:
                mapping["fallback_order"] = m.fallback_order
            mappings.append(cast(MappingInput, mapping))
        return mappings

    def _set_limits(self, change: Change) -> None:
        entry = self._endpoints[change.name]
        rules = cast(list[LimitRule], [dict(r) for r in entry.limits or ()])
        self._backend.set_limits(self._endpoint_ids[entry.name], rules)


def _policies(entry: EndpointEntry) -> dict[str, Any]:
    return {
        "tags": [Tag(key=k, value=v) for k, v in entry.tags],
        "routing_strategy": entry.routing_strategy,
        "fallback_config": None
        if entry.fallback_config is None
        else cast(FallbackConfigInput, dict(entry.fallback_config)),
        "retry_policy": cast(RetryPolicy, dict(entry.retry_policy)),
        "timeouts": cast(Timeouts, dict(entry.timeouts)),
    }
