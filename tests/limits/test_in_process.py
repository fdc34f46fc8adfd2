"""In-process specifics: memory stays flat as windows pass, and a lost probe's slot lapses."""

from __future__ import annotations

import pytest

from adapters.limits.breaker_in_process import InProcessCircuitBreaker
from adapters.limits.in_process import InProcessRateLimiter
from core.domain.limits import LimitKey, LimitRule, RenewalPeriod, limit_checks
from tests.fakes.clock import FakeClock
from tests.limits.conftest import POLICY

pytestmark = pytest.mark.anyio


async def test_counters_of_past_windows_are_dropped() -> None:
    limiter = InProcessRateLimiter()
    per_user = [LimitRule(renewal_period=RenewalPeriod.SECOND, calls=1, key=LimitKey.USER)]
    start = 1_700_000_000_000
    for second in range(1_000):
        for user in ("alice", "bob", "carol"):
            await limiter.acquire(limit_checks("ep", per_user, user), start + second * 1_000)
    assert limiter.live_windows() <= 6  # this second's three, and at most the previous three


async def test_a_probe_that_never_reports_back_lets_another_request_probe(clock: FakeClock) -> None:
    breaker = InProcessCircuitBreaker(clock, POLICY)
    for _ in range(POLICY.failure_threshold):
        await breaker.record_failure("md")
    clock.advance(POLICY.cooldown_ms / 1000)
    assert await breaker.acquire_probe("md")
    clock.advance(POLICY.probe_timeout_ms / 1000 - 0.001)
    assert not await breaker.acquire_probe("md")
    clock.advance(0.001)
    assert await breaker.acquire_probe("md")


async def test_only_models_with_recent_failures_are_remembered(clock: FakeClock) -> None:
    breaker = InProcessCircuitBreaker(clock, POLICY)
    for i in range(100):
        await breaker.record_failure(f"md-{i}")
        await breaker.record_success(f"md-{i}")
        assert not breaker.is_open(f"md-{i}")
    assert breaker.tracked() == 0
