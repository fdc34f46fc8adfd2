"""Exact limits within one process: counters per window in a dict, old windows swept away."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.limits import ALLOWED, LimitCheck, LimitDecision, decide, window_at

_SWEEP_EVERY_MS = 1_000


@dataclass(slots=True)
class _Counter:
    end_ms: int
    calls: int = 0
    tokens: int = 0


class InProcessRateLimiter:
    """The embedded default: exact for every task of one event loop, per worker process.

    Nothing here awaits, so check-then-count cannot interleave with another request.
    """

    def __init__(self) -> None:
        self._counters: dict[str, _Counter] = {}
        self._next_sweep_ms = 0

    async def acquire(self, checks: Sequence[LimitCheck], now_ms: int) -> LimitDecision:
        if not checks:
            return ALLOWED
        self._sweep(now_ms)
        counters = [self._counter(check, now_ms) for check in checks]
        decision = decide(checks, [(c.calls, c.tokens) for c in counters], now_ms)
        if decision.allowed:
            for counter in counters:
                counter.calls += 1
        return decision

    async def record_tokens(self, checks: Sequence[LimitCheck], tokens: int, now_ms: int) -> None:
        for check in checks:
            if check.rule.tokens is not None and tokens > 0:
                self._counter(check, now_ms).tokens += tokens

    async def aclose(self) -> None:
        self._counters.clear()

    def live_windows(self) -> int:
        """How many window counters are held (memory stays flat as windows pass)."""
        return len(self._counters)

    def _counter(self, check: LimitCheck, now_ms: int) -> _Counter:
        window = window_at(check.rule.renewal_period, now_ms)
        name = check.counter_name(window)
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = _Counter(window.end_ms)
        return counter

    def _sweep(self, now_ms: int) -> None:
        if now_ms < self._next_sweep_ms:
            return
        self._next_sweep_ms = now_ms + _SWEEP_EVERY_MS
        ended = [name for name, counter in self._counters.items() if counter.end_ms <= now_ms]
        for name in ended:
            del self._counters[name]
