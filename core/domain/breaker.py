"""Circuit breaking per model definition: closed → open → half-open (one probe) → closed (PRODUCT §2.9)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.domain.validation import require_positive


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakerPolicy:
    """When to open, for how long, and how long one probe may hold its slot."""

    failure_threshold: int = 5
    cooldown_ms: int = 30_000
    probe_timeout_ms: int = 30_000

    def __post_init__(self) -> None:
        require_positive("breaker.failure_threshold", self.failure_threshold)
        require_positive("breaker.cooldown_ms", self.cooldown_ms)
        require_positive("breaker.probe_timeout_ms", self.probe_timeout_ms)


@dataclass(frozen=True, slots=True)
class Breaker:
    """One model definition's breaker.

    `failures` counts consecutive fallback-eligible failures; `open_until_ms` is set while the
    breaker is open or half-open (None: closed); `probe_until_ms` is set while one probe holds
    the only slot, and lapses if the probe never reports back.
    """

    failures: int = 0
    open_until_ms: int | None = None
    probe_until_ms: int | None = None

    def state(self, now_ms: int) -> BreakerState:
        if self.open_until_ms is None:
            return BreakerState.CLOSED
        if now_ms < self.open_until_ms:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def skips(self, now_ms: int) -> bool:
        """Whether a request that is not the probe must skip this model."""
        return self.state(now_ms) is not BreakerState.CLOSED

    def probe_free(self, now_ms: int) -> bool:
        """Half-open with nobody probing: the next request may take the probe."""
        if self.state(now_ms) is not BreakerState.HALF_OPEN:
            return False
        return self.probe_until_ms is None or now_ms >= self.probe_until_ms

    def with_probe(self, now_ms: int, policy: BreakerPolicy) -> Breaker:
        return Breaker(self.failures, self.open_until_ms, now_ms + policy.probe_timeout_ms)

    def after_failure(self, now_ms: int, policy: BreakerPolicy) -> Breaker:
        """A failure opens a closed breaker at the threshold, and reopens a half-open one."""
        state = self.state(now_ms)
        if state is BreakerState.OPEN:
            return self  # a call that started before the breaker opened: nothing new to learn
        failures = self.failures + 1
        if state is BreakerState.HALF_OPEN or failures >= policy.failure_threshold:
            return Breaker(failures, now_ms + policy.cooldown_ms)
        return Breaker(failures)


CLOSED = Breaker()
"""Any success brings a breaker back here."""
