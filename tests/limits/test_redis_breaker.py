"""Breakers shared through Redis: every instance sees the same state and one probe in total."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from redis.asyncio import BlockingConnectionPool, Redis

from adapters.limits.breaker_redis import RedisCircuitBreaker
from adapters.limits.redis_client import connect_redis
from adapters.system.clock import SystemClock
from core.domain.breaker import BreakerPolicy
from tests.fakes.clock import FakeClock
from tests.limits.conftest import POLICY

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

COOLDOWN_S = POLICY.cooldown_ms / 1000


class CountingRedis(Redis):
    """A real client that counts the commands it sends."""

    sent = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent += 1
        return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]


@pytest.fixture
async def pair(
    redis_url: str, clock: FakeClock
) -> AsyncIterator[tuple[RedisCircuitBreaker, RedisCircuitBreaker]]:
    """Two instances sharing one Redis (and, for the test, one clock)."""
    first, second = (
        RedisCircuitBreaker(connect_redis(redis_url), clock, POLICY, server_time=False, refresh_s=0)
        for _ in range(2)
    )
    yield first, second
    await first.aclose()
    await second.aclose()


async def test_a_breaker_opened_on_one_instance_is_open_on_the_other(
    pair: tuple[RedisCircuitBreaker, RedisCircuitBreaker], model_id: str
) -> None:
    first, second = pair
    assert not second.is_open(model_id)
    for _ in range(POLICY.failure_threshold):
        await first.record_failure(model_id)
    await second.refresh()
    assert second.is_open(model_id)


async def test_failures_on_different_instances_add_up_to_one_run(
    pair: tuple[RedisCircuitBreaker, RedisCircuitBreaker], model_id: str
) -> None:
    first, second = pair
    await first.record_failure(model_id)
    await second.record_failure(model_id)
    await first.record_failure(model_id)
    assert first.is_open(model_id)


async def test_one_probe_in_total_across_instances_and_its_success_reaches_both(
    pair: tuple[RedisCircuitBreaker, RedisCircuitBreaker], model_id: str, clock: FakeClock
) -> None:
    first, second = pair
    for _ in range(POLICY.failure_threshold):
        await first.record_failure(model_id)
    await second.refresh()
    clock.advance(COOLDOWN_S)
    probes = await asyncio.gather(*(b.acquire_probe(model_id) for b in (first, second) * 10))
    assert probes.count(True) == 1
    prober, other = (first, second) if probes[0::2].count(True) else (second, first)
    await prober.record_success(model_id)
    await other.refresh()
    assert not first.is_open(model_id) and not second.is_open(model_id)


async def test_the_background_refresh_spreads_an_opening_without_being_asked(
    redis_url: str, model_id: str
) -> None:
    policy = BreakerPolicy(failure_threshold=1, cooldown_ms=60_000)
    first = RedisCircuitBreaker(connect_redis(redis_url), SystemClock(), policy, refresh_s=0)
    second = RedisCircuitBreaker(connect_redis(redis_url), SystemClock(), policy, refresh_s=0.02)
    try:
        assert not second.is_open(model_id)  # seen once: now watched
        await first.record_failure(model_id)
        for _ in range(500):  # eventually, not within a set time
            if second.is_open(model_id):
                break
            await asyncio.sleep(0.01)
        assert second.is_open(model_id)
    finally:
        await first.aclose()
        await second.aclose()


async def test_the_server_clock_runs_the_cooldown(redis_url: str, model_id: str) -> None:
    breaker = RedisCircuitBreaker(connect_redis(redis_url), SystemClock(), POLICY, refresh_s=0)
    try:
        for _ in range(POLICY.failure_threshold):
            await breaker.record_failure(model_id)
        assert breaker.is_open(model_id)
        assert not await breaker.acquire_probe(model_id)
    finally:
        await breaker.aclose()


async def test_a_healthy_hot_path_sends_nothing_to_redis(
    redis_url: str, model_id: str, clock: FakeClock
) -> None:
    client = cast(CountingRedis, CountingRedis.from_pool(BlockingConnectionPool.from_url(redis_url)))
    breaker = RedisCircuitBreaker(client, clock, POLICY, server_time=False, refresh_s=0)
    try:
        for _ in range(100):
            assert not breaker.is_open(model_id)
            assert not await breaker.acquire_probe(model_id)
            await breaker.record_success(model_id)
        assert client.sent == 0
    finally:
        await breaker.aclose()


async def test_an_unreachable_redis_never_fails_a_request(clock: FakeClock, model_id: str) -> None:
    breaker = RedisCircuitBreaker(connect_redis("redis://127.0.0.1:1/0"), clock, POLICY, server_time=False)
    try:
        for _ in range(POLICY.failure_threshold):
            await breaker.record_failure(model_id)
        await breaker.refresh()
        assert not breaker.is_open(model_id)
        assert not await breaker.acquire_probe(model_id)
    finally:
        await breaker.aclose()
