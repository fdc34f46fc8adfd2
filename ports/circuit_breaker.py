"""Circuit breakers per model definition, consulted by the attempt plan on every request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol


class CircuitBreaker(Protocol):
    """Skips a model definition that keeps failing, then lets exactly one probe through.

    `is_open` is on the hot path: it answers from memory and never waits on I/O. A shared
    adapter keeps that memory fresh in the background and on each failure it records.
    """

    def is_open(self, model_definition_id: str) -> bool:
        """Whether requests must skip this model now: open, or cooled down but not yet proven."""
        ...

    async def acquire_probe(self, model_definition_id: str) -> bool:
        """Take the single probe of a cooled-down model; True means this request is the probe.

        Cheap when there is nothing to probe (closed, still cooling, or a probe in flight). A
        probe slot that is never reported back lapses after the policy's probe timeout.
        """
        ...

    async def record_success(self, model_definition_id: str) -> None:
        """A call to the model succeeded: close its breaker (a successful probe brings it back)."""
        ...

    async def record_failure(self, model_definition_id: str) -> None:
        """A call failed in a fallback-eligible way (the caller filters with `is_fallback_eligible`)."""
        ...

    async def aclose(self) -> None:
        """Stop background work and release connections."""
        ...


async def open_models(breaker: CircuitBreaker, model_definition_ids: Iterable[str]) -> Callable[[str], bool]:
    """The `is_open` predicate for one request's attempt plan, taking due probes first.

    Models this request probes count as closed for it; every other open model is skipped.
    Costs no I/O when every model is closed.
    """
    probing = {m for m in model_definition_ids if breaker.is_open(m) and await breaker.acquire_probe(m)}
    return lambda model_definition_id: (
        model_definition_id not in probing and breaker.is_open(model_definition_id)
    )
