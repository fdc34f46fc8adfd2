"""The Redis limiter on the server's clock: exact across clients and processes; counters expire."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adapters.limits.redis_client import connect_redis
from adapters.limits.redis_limiter import KEY_PREFIX, RedisRateLimiter
from core.domain.limits import LimitKey, LimitRule, RenewalPeriod, limit_checks, window_at

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

REPO_ROOT = Path(__file__).resolve().parents[2]
# A day window: a test run cannot straddle its boundary except at midnight UTC.
DAILY_100 = LimitRule(renewal_period=RenewalPeriod.DAY, calls=100)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[Redis]:
    redis = connect_redis(redis_url)
    yield redis
    await redis.aclose()


async def test_300_calls_from_three_clients_share_one_budget_exactly(
    redis_url: str, endpoint_id: str
) -> None:
    limiters = [RedisRateLimiter(connect_redis(redis_url)) for _ in range(3)]
    checks = limit_checks(endpoint_id, [DAILY_100], "alice")
    try:
        decisions = await asyncio.gather(*(limiters[i % 3].acquire(checks, 0) for i in range(300)))
    finally:
        for limiter in limiters:
            await limiter.aclose()
    assert sum(d.allowed for d in decisions) == 100
    assert all(1 <= d.refusal.retry_after_s <= 86_400 for d in decisions if d.refusal is not None)


async def test_300_calls_from_three_processes_share_one_budget_exactly(
    redis_url: str, endpoint_id: str
) -> None:
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.limits.limiter_worker",
            redis_url,
            endpoint_id,
            "100",
            "100",
            cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [await w.communicate() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0]
    assert sum(int(out) for out, _ in outputs) == 100


async def test_the_server_clock_decides_the_window_whatever_the_caller_says(
    redis_url: str, endpoint_id: str
) -> None:
    limiter = RedisRateLimiter(connect_redis(redis_url))
    checks = limit_checks(endpoint_id, [LimitRule(renewal_period=RenewalPeriod.DAY, calls=1)], "alice")
    try:
        assert (await limiter.acquire(checks, 0)).allowed
        # A caller whose clock is a day ahead still lands in the server's window.
        assert not (await limiter.acquire(checks, 86_400_000 * 30_000)).allowed
    finally:
        await limiter.aclose()


async def test_window_counters_expire_at_the_window_end_plus_a_margin(
    client: Redis, endpoint_id: str
) -> None:
    limiter = RedisRateLimiter(client, server_time=False, expiry_margin_ms=2_000)
    metered = LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=5, tokens=100, key=LimitKey.USER)
    checks = limit_checks(endpoint_id, [metered], "alice")
    now_ms = 1_700_000_040_000 + 15_000  # 15 s into a clock minute
    await limiter.acquire(checks, now_ms)
    await limiter.record_tokens(checks, 42, now_ms)
    key = KEY_PREFIX + checks[0].counter_name(window_at(RenewalPeriod.MINUTE, now_ms))
    assert await client.hgetall(key) == {b"c": b"1", b"t": b"42"}
    assert 45_000 < await client.pttl(key) <= 47_000


async def test_a_refused_request_writes_nothing(client: Redis, endpoint_id: str) -> None:
    limiter = RedisRateLimiter(client, server_time=False)
    checks = limit_checks(endpoint_id, [LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=0)], "alice")
    assert not (await limiter.acquire(checks, 1_700_000_040_000)).allowed
    assert await client.keys(f"{KEY_PREFIX}{endpoint_id}*") == []
