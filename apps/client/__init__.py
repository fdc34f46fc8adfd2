"""Python client for Switchboard: ``from apps.client import SwitchboardClient``."""

from apps.client._client import SwitchboardClient
from apps.client._errors import (
    SwitchboardAPIError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardStreamError,
    SwitchboardTimeout,
)
from apps.client._types import (
    ApiKey,
    Binding,
    CreatedKey,
    Endpoint,
    LimitRule,
    MappingInput,
    ModelDefinition,
    Page,
    Scorer,
    ScorerResult,
    Secret,
    Tag,
    UsageRecord,
)

__all__ = [
    "ApiKey",
    "Binding",
    "CreatedKey",
    "Endpoint",
    "LimitRule",
    "MappingInput",
    "ModelDefinition",
    "Page",
    "Scorer",
    "ScorerResult",
    "Secret",
    "SwitchboardAPIError",
    "SwitchboardClient",
    "SwitchboardConnectionError",
    "SwitchboardError",
    "SwitchboardStreamError",
    "SwitchboardTimeout",
    "Tag",
    "UsageRecord",
]
