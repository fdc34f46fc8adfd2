"""Who uses an endpoint: a binding from a resource (e.g. a scorer) to an endpoint."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.domain.audit import Audit
from core.domain.errors import InvalidInput
from core.domain.validation import require_name


class ResourceType(enum.StrEnum):
    SCORER = "scorer"
    APPLICATION = "application"
    JOB = "job"

    @classmethod
    def parse(cls, value: str) -> ResourceType:
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(t.value for t in cls)
            raise InvalidInput("resource_type", f"'{value}' is not one of: {allowed}") from None


@dataclass(frozen=True, slots=True)
class BindingKey:
    endpoint_id: str
    resource_type: ResourceType
    resource_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Binding:
    endpoint_id: str
    resource_type: ResourceType
    resource_id: str
    display_name: str
    audit: Audit

    def __post_init__(self) -> None:
        require_name("endpoint_id", self.endpoint_id)
        require_name("resource_id", self.resource_id)
        require_name("display_name", self.display_name)

    @property
    def key(self) -> BindingKey:
        return BindingKey(self.endpoint_id, self.resource_type, self.resource_id)

    def describe(self) -> str:
        return f"{self.resource_type.value} '{self.display_name}' ({self.resource_id})"
