"""A reusable model configuration: provider, the provider's model id, and which secret to use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.domain.audit import Audit
from core.domain.errors import InvalidInput
from core.domain.validation import require_name


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelDefinition:
    """`orphaned` is set when the secret it used was force-deleted (`secret_id` is then None)."""

    model_definition_id: str
    name: str
    provider: str
    model_name: str
    secret_id: str | None = None
    secret_name: str | None = None
    api_base: str | None = None
    provider_settings: Mapping[str, Any] = field(default_factory=dict)
    orphaned: bool = False
    audit: Audit

    def __post_init__(self) -> None:
        require_name("name", self.name)
        require_name("provider", self.provider, 64)
        require_name("model_name", self.model_name)
        if self.api_base is not None and not self.api_base.startswith(("http://", "https://")):
            raise InvalidInput("api_base", "must be an http:// or https:// URL")
