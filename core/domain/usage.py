"""One usage record per invocation request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRecord:
    request_id: str
    timestamp_ms: int
    endpoint_id: str
    endpoint_name: str
    model_definition_id: str | None
    model_definition_name: str | None
    provider: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    attempts: int
    status: int
    principal: str | None
    fallback: bool = False

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
