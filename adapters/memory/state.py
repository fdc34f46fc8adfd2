"""The whole in-memory state: one dict per entity, copied per unit of work."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from core.domain.binding import Binding, BindingKey
from core.domain.endpoint import Endpoint
from core.domain.limits import LimitRule
from core.domain.model_definition import ModelDefinition
from core.domain.principal import ApiKey
from core.domain.scorer import ScorerVersion
from core.domain.secret import KekVersion, StoredSecret
from core.domain.usage import UsageRecord


@dataclass
class State:
    secrets: dict[str, StoredSecret] = field(default_factory=dict)
    keks: dict[int, KekVersion] = field(default_factory=dict)
    model_definitions: dict[str, ModelDefinition] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    bindings: dict[BindingKey, Binding] = field(default_factory=dict)
    limits: dict[str, tuple[LimitRule, ...]] = field(default_factory=dict)
    keys: dict[str, ApiKey] = field(default_factory=dict)
    scorers: dict[tuple[str, int], ScorerVersion] = field(default_factory=dict)
    usage: list[UsageRecord] = field(default_factory=list)
    revision: int = 0

    def clone(self) -> State:
        # Entities are immutable, so copying the containers is enough.
        return State(**{name: copy.copy(value) for name, value in vars(self).items()})
