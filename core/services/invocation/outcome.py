"""What the gateway learned while serving one request: attempts, served model, timings."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.domain.endpoint import Endpoint
from core.domain.invocation import AttemptRecord
from core.domain.limits import LimitCheck
from core.domain.model_definition import ModelDefinition
from core.domain.principal import Principal
from ports.provider import Operation, TokenUsage


@dataclass(slots=True)
class Outcome:
    request_id: str
    principal: Principal
    endpoint: Endpoint
    operation: Operation
    started: float
    attempts: list[AttemptRecord] = field(default_factory=list)
    served: ModelDefinition | None = None
    first_planned: str | None = None
    upstream_s: float = 0.0
    usage: TokenUsage = TokenUsage()
    status: int = 200
    limit_checks: tuple[LimitCheck, ...] = ()

    @property
    def fell_back(self) -> bool:
        return self.served is not None and self.served.model_definition_id != self.first_planned

    def overhead_s(self, now: float) -> float:
        """The gateway's own time since the outcome began: wall time minus upstream waits."""
        return max(0.0, now - self.started - self.upstream_s)

    def add_usage(self, usage: TokenUsage) -> None:
        self.usage = TokenUsage(
            self.usage.prompt_tokens + usage.prompt_tokens,
            self.usage.completion_tokens + usage.completion_tokens,
        )
