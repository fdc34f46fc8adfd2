"""A registered LLM judge, versioned, calling one endpoint; and its binding rules."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.audit import Audit
from core.domain.binding import ResourceType
from core.domain.errors import InvalidInput
from core.domain.validation import require_name

TEMPLATE_FIELDS = ("inputs", "outputs", "expectations")


class ResultType(enum.StrEnum):
    YES_NO = "yes_no"
    INTEGER = "integer"
    FLOAT = "float"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScorerVersion:
    scorer_id: str
    namespace: str
    name: str
    version: int
    instructions: str
    result_type: ResultType
    endpoint_id: str | None
    min_value: float | None = None
    max_value: float | None = None
    audit: Audit

    def __post_init__(self) -> None:
        require_name("namespace", self.namespace)
        require_name("name", self.name)
        require_name("instructions", self.instructions, 100_000)
        if self.version < 1:
            raise InvalidInput("version", "must be 1 or more")
        if self.result_type is ResultType.INTEGER:
            if self.min_value is None or self.max_value is None:
                raise InvalidInput("min", "integer scorers need both min and max")
            if self.min_value > self.max_value:
                raise InvalidInput("min", "must not exceed max")
        if not any("{{ " + f + " }}" in self.instructions for f in TEMPLATE_FIELDS):
            raise InvalidInput(
                "instructions", "must use at least one of {{ inputs }}, {{ outputs }}, {{ expectations }}"
            )


@dataclass(frozen=True, slots=True)
class DesiredBinding:
    """The one binding a scorer should have, given its versions (or none)."""

    endpoint_id: str
    resource_type: ResourceType
    resource_id: str
    display_name: str


def desired_scorer_binding(versions: Sequence[ScorerVersion]) -> DesiredBinding | None:
    """Rules 1–4: exactly one binding, keyed by scorer id, on the newest version's endpoint."""
    live = [v for v in versions if v.endpoint_id is not None]
    if not versions or not live:
        return None
    newest = max(versions, key=lambda v: v.version)
    if newest.endpoint_id is None:
        return None
    return DesiredBinding(newest.endpoint_id, ResourceType.SCORER, newest.scorer_id, newest.name)


def render_instructions(template: str, values: dict[str, str]) -> str:
    """Replace the `{{ name }}` placeholders; unknown placeholders are left as they are."""
    rendered = template
    for name in TEMPLATE_FIELDS:
        rendered = rendered.replace("{{ " + name + " }}", values.get(name, ""))
    return rendered
