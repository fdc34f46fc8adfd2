"""What the domain promises the hot path: whose budget a request draws on, and what a refusal says."""

from __future__ import annotations

import pytest

from core.domain.breaker import Breaker, BreakerPolicy, BreakerState
from core.domain.errors import InvalidInput
from core.domain.limits import (
    LimitDecision,
    LimitExceeded,
    LimitKey,
    LimitResource,
    LimitRule,
    Refusal,
    RenewalPeriod,
    limit_checks,
    retry_after_s,
)

PER_USER = LimitRule(renewal_period=RenewalPeriod.HOUR, calls=5, tokens=1000, key=LimitKey.USER)
PER_ENDPOINT = LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=100)


def test_a_user_rule_draws_on_a_budget_per_principal_and_an_endpoint_rule_on_one_shared_budget() -> None:
    alice = limit_checks("ep-1", [PER_USER, PER_ENDPOINT], "alice")
    bob = limit_checks("ep-1", [PER_USER, PER_ENDPOINT], "bob")
    assert alice[0].bucket != bob[0].bucket
    assert alice[1].bucket == bob[1].bucket
    assert limit_checks("ep-2", [PER_ENDPOINT], "alice")[0].bucket != alice[1].bucket


def test_a_refused_request_is_told_which_rule_what_ran_out_and_when_to_retry() -> None:
    (check,) = limit_checks("ep-1", [PER_USER], "alice")
    decision = LimitDecision(Refusal(check.rule, LimitResource.TOKENS, 42))
    with pytest.raises(LimitExceeded) as refused:
        decision.raise_if_refused()
    assert refused.value.message == (
        "rate limit reached: 5 calls and 1000 tokens per hour per user (tokens used up); retry after 42 s"
    )
    assert refused.value.refusal.retry_after_s == 42


@pytest.mark.parametrize(("wait_ms", "seconds"), [(1, 1), (999, 1), (1_000, 1), (1_001, 2), (0, 1)])
def test_retry_after_rounds_up_to_whole_seconds_and_is_never_zero(wait_ms: int, seconds: int) -> None:
    assert retry_after_s(wait_ms) == seconds


def test_a_breaker_goes_closed_open_half_open_with_one_probe_then_closed() -> None:
    policy = BreakerPolicy(failure_threshold=2, cooldown_ms=1_000, probe_timeout_ms=500)
    breaker = Breaker().after_failure(0, policy)
    assert breaker.state(0) is BreakerState.CLOSED
    breaker = breaker.after_failure(10, policy)
    assert breaker.state(1_009) is BreakerState.OPEN
    assert breaker.state(1_010) is BreakerState.HALF_OPEN
    assert breaker.probe_free(1_010)
    probing = breaker.with_probe(1_010, policy)
    assert not probing.probe_free(1_011)
    assert probing.after_failure(1_100, policy).state(1_100) is BreakerState.OPEN


@pytest.mark.parametrize("field", ["failure_threshold", "cooldown_ms", "probe_timeout_ms"])
def test_breaker_settings_must_be_positive(field: str) -> None:
    with pytest.raises(InvalidInput):
        BreakerPolicy(**{field: 0})
