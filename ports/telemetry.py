"""What the invocation core tells operators: finished requests, limit refusals, breaker changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.domain.endpoint import Endpoint
from core.domain.invocation import AttemptRecord
from core.domain.limits import Refusal
from core.domain.model_definition import ModelDefinition
from core.domain.principal import Principal
from ports.provider import TokenUsage


class ObservedRequest(Protocol):
    """A read-only view of one request as the core saw it (the invocation Outcome satisfies it)."""

    @property
    def request_id(self) -> str: ...
    @property
    def principal(self) -> Principal: ...
    @property
    def endpoint(self) -> Endpoint: ...
    @property
    def started(self) -> float: ...
    @property
    def attempts(self) -> Sequence[AttemptRecord]: ...
    @property
    def served(self) -> ModelDefinition | None: ...
    @property
    def upstream_s(self) -> float: ...
    @property
    def usage(self) -> TokenUsage: ...
    @property
    def status(self) -> int: ...
    @property
    def fell_back(self) -> bool: ...
    def overhead_s(self, now: float) -> float:
        """The gateway's own time up to `now` (monotonic seconds): wall time minus upstream waits."""
        ...


class RequestObserver(Protocol):
    """Metrics, logs and traces of the hot path; every hook runs on the event loop and must not block.

    Hooks are called once per event, never per chunk. An adapter whose sink is disabled should
    return at once: no formatting, no dict building.
    """

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        """A request the core accepted has ended (served, failed or refused by a limit).

        Args:
            request: What happened; `attempts` carry each upstream call's timing.
            finished: The clock's monotonic time at the end (same clock as `request.started`).
        """
        ...

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        """A request was answered before the core accepted it (bad key, bad body, unknown endpoint)."""
        ...

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        """A limit rule turned the request away before any provider call."""
        ...

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        """A model definition's circuit opened (or is still open after a failure) or closed again."""
        ...


class NullObserver:
    """Observes nothing: the default when no telemetry is wired."""

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        return None

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        return None

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        return None

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        return None


class MetricsExposition(Protocol):
    """The process's metrics in a scraper's text format (aggregated over every worker)."""

    content_type: str
    requires_admin: bool  # False: anyone who can reach the port may scrape (the default)

    def render(self) -> bytes:
        """The current metrics; may read files, so call it off the event loop."""
        ...
