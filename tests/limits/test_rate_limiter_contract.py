"""Contract of every RateLimiter: exact fixed windows, all-or-nothing admission, token budgets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from core.domain.limits import (
    LimitCheck,
    LimitDecision,
    LimitKey,
    LimitResource,
    LimitRule,
    Refusal,
    RenewalPeriod,
    limit_checks,
)
from ports.rate_limiter import RateLimiter

pytestmark = pytest.mark.anyio

MINUTE = RenewalPeriod.MINUTE


def at(text: str) -> int:
    """Milliseconds since the epoch of an ISO time in UTC."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


NOON = at("2026-11-23T12:00:00")


def rule(
    calls: int, period: RenewalPeriod = MINUTE, key: LimitKey = LimitKey.ENDPOINT, **kw: int
) -> LimitRule:
    return LimitRule(renewal_period=period, calls=calls, key=key, **kw)


async def admitted(limiter: RateLimiter, checks: tuple[LimitCheck, ...], now_ms: int, times: int) -> int:
    decisions = [await limiter.acquire(checks, now_ms) for _ in range(times)]
    return sum(d.allowed for d in decisions)


async def test_of_300_concurrent_calls_under_100_per_minute_exactly_100_pass(
    limiter: RateLimiter, endpoint_id: str
) -> None:
    checks = limit_checks(endpoint_id, [rule(100)], "alice")
    decisions = await asyncio.gather(*(limiter.acquire(checks, NOON + i) for i in range(300)))
    refused = [d.refusal for d in decisions if d.refusal is not None]
    assert sum(d.allowed for d in decisions) == 100
    assert len(refused) == 200
    assert {r.rule for r in refused} == {rule(100)}
    assert {r.resource for r in refused} == {LimitResource.CALLS}


async def test_an_endpoint_budget_is_shared_by_every_caller(limiter: RateLimiter, endpoint_id: str) -> None:
    rules = [rule(3)]
    assert await admitted(limiter, limit_checks(endpoint_id, rules, "alice"), NOON, 2) == 2
    assert await admitted(limiter, limit_checks(endpoint_id, rules, "bob"), NOON, 2) == 1


async def test_each_user_has_a_budget_of_their_own(limiter: RateLimiter, endpoint_id: str) -> None:
    rules = [rule(2, key=LimitKey.USER)]
    assert await admitted(limiter, limit_checks(endpoint_id, rules, "alice"), NOON, 5) == 2
    assert await admitted(limiter, limit_checks(endpoint_id, rules, "bob"), NOON, 5) == 2


async def test_budgets_of_different_endpoints_are_independent(limiter: RateLimiter, endpoint_id: str) -> None:
    rules = [rule(1)]
    assert await admitted(limiter, limit_checks(endpoint_id, rules, "alice"), NOON, 3) == 1
    assert await admitted(limiter, limit_checks(endpoint_id + "-other", rules, "alice"), NOON, 3) == 1


async def test_a_refused_request_consumes_nothing_from_any_rule(
    limiter: RateLimiter, endpoint_id: str
) -> None:
    checks = limit_checks(endpoint_id, [rule(3), rule(1, RenewalPeriod.SECOND)], "alice")
    assert (await limiter.acquire(checks, NOON)).allowed
    for _ in range(5):  # refused by the per-second rule: must not eat the minute's budget
        assert not (await limiter.acquire(checks, NOON + 10)).allowed
    assert (await limiter.acquire(checks, NOON + 1_000)).allowed
    assert (await limiter.acquire(checks, NOON + 2_000)).allowed
    refused = await limiter.acquire(checks, NOON + 3_000)
    assert refused.refusal is not None and refused.refusal.rule == rule(3)


async def test_retry_after_is_the_whole_seconds_until_the_window_renews(
    limiter: RateLimiter, endpoint_id: str
) -> None:
    checks = limit_checks(endpoint_id, [rule(1)], "alice")
    await limiter.acquire(checks, NOON)
    refused = await limiter.acquire(checks, NOON + 15_500)
    assert refused == refusal(rule(1), LimitResource.CALLS, 45)


async def test_when_several_rules_refuse_the_one_renewing_last_is_named(
    limiter: RateLimiter, endpoint_id: str
) -> None:
    hourly = rule(1, RenewalPeriod.HOUR)
    checks = limit_checks(endpoint_id, [rule(1, RenewalPeriod.SECOND), hourly], "alice")
    await limiter.acquire(checks, NOON)
    refused = await limiter.acquire(checks, NOON + 400)
    assert refused == refusal(hourly, LimitResource.CALLS, 3_600)


async def test_the_budget_renews_exactly_at_the_clock_boundary(
    limiter: RateLimiter, endpoint_id: str
) -> None:
    checks = limit_checks(endpoint_id, [rule(2)], "alice")
    last_ms = at("2026-11-23T12:00:59.999")
    assert await admitted(limiter, checks, last_ms, 2) == 2
    assert await limiter.acquire(checks, last_ms) == refusal(rule(2), LimitResource.CALLS, 1)
    assert await admitted(limiter, checks, at("2026-11-23T12:01:00"), 3) == 2


async def test_a_zero_call_budget_refuses_everything(limiter: RateLimiter, endpoint_id: str) -> None:
    checks = limit_checks(endpoint_id, [rule(0, RenewalPeriod.DAY)], "alice")
    assert await admitted(limiter, checks, NOON, 3) == 0


async def test_a_request_with_no_rules_is_allowed(limiter: RateLimiter) -> None:
    assert (await limiter.acquire((), NOON)).allowed


async def test_a_token_budget_stops_calls_once_the_tokens_used_cross_it(
    limiter: RateLimiter, endpoint_id: str
) -> None:
    metered = rule(100, key=LimitKey.USER, tokens=100)
    checks = limit_checks(endpoint_id, [metered], "alice")
    assert (await limiter.acquire(checks, NOON)).allowed
    await limiter.record_tokens(checks, 60, NOON + 100)
    assert (await limiter.acquire(checks, NOON + 200)).allowed  # 60 of 100 used: still room
    await limiter.record_tokens(checks, 60, NOON + 300)
    assert await limiter.acquire(checks, NOON + 400) == refusal(metered, LimitResource.TOKENS, 60)
    other_user = limit_checks(endpoint_id, [metered], "bob")
    assert (await limiter.acquire(other_user, NOON + 500)).allowed
    assert (await limiter.acquire(checks, NOON + 60_000)).allowed  # a new minute, a new budget


async def test_tokens_do_not_count_against_rules_without_a_token_budget(
    limiter: RateLimiter, endpoint_id: str
) -> None:
    checks = limit_checks(endpoint_id, [rule(2)], "alice")
    await limiter.record_tokens(checks, 1_000_000, NOON)
    assert await admitted(limiter, checks, NOON, 3) == 2


def refusal(limit: LimitRule, resource: LimitResource, retry_after_s: int) -> LimitDecision:
    return LimitDecision(Refusal(limit, resource, retry_after_s))
