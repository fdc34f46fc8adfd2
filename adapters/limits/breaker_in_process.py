"""Circuit breakers held in one process's memory: the embedded default."""

from __future__ import annotations

from core.domain.breaker import CLOSED, Breaker, BreakerPolicy
from ports.clock import Clock


class InProcessCircuitBreaker:
    """Exact within one event loop; each worker process keeps its own breakers.

    Only models with recent failures hold an entry (a success removes it), so memory stays flat.
    """

    def __init__(self, clock: Clock, policy: BreakerPolicy | None = None) -> None:
        self._clock = clock
        self._policy = policy or BreakerPolicy()
        self._breakers: dict[str, Breaker] = {}

    def is_open(self, model_definition_id: str) -> bool:
        breaker = self._breakers.get(model_definition_id)
        return breaker is not None and breaker.skips(self._clock.now_ms())

    async def acquire_probe(self, model_definition_id: str) -> bool:
        now_ms = self._clock.now_ms()
        breaker = self._breakers.get(model_definition_id, CLOSED)
        if not breaker.probe_free(now_ms):
            return False
        self._breakers[model_definition_id] = breaker.with_probe(now_ms, self._policy)
        return True

    async def record_success(self, model_definition_id: str) -> None:
        self._breakers.pop(model_definition_id, None)

    async def record_failure(self, model_definition_id: str) -> None:
        breaker = self._breakers.get(model_definition_id, CLOSED)
        self._breakers[model_definition_id] = breaker.after_failure(self._clock.now_ms(), self._policy)

    async def aclose(self) -> None:
        self._breakers.clear()

    def tracked(self) -> int:
        """How many models hold state (only those failing since their last success)."""
        return len(self._breakers)
