"""The composition root picks Redis-backed limits and breakers when Redis is configured."""

from __future__ import annotations

import pytest

from adapters.limits.breaker_in_process import InProcessCircuitBreaker
from adapters.limits.breaker_redis import RedisCircuitBreaker
from adapters.limits.in_process import InProcessRateLimiter
from adapters.limits.redis_limiter import RedisRateLimiter
from adapters.memory import InMemoryStore
from apps.bootstrap import build, build_in_memory
from apps.settings import Settings

pytestmark = pytest.mark.anyio


async def test_without_redis_limits_and_breakers_live_in_the_process() -> None:
    ports = build_in_memory().ports
    assert isinstance(ports.rate_limiter, InProcessRateLimiter)
    assert isinstance(ports.breaker, InProcessCircuitBreaker)


async def test_with_redis_both_are_shared_through_redis() -> None:
    settings = Settings(database_url="memory://", redis_url="redis://127.0.0.1:1/0", kek_passphrase="x" * 32)
    ports = build(settings, uow=InMemoryStore().unit_of_work).ports
    assert isinstance(ports.rate_limiter, RedisRateLimiter)
    assert isinstance(ports.breaker, RedisCircuitBreaker)
    await ports.breaker.aclose()


async def test_either_can_be_overridden_like_any_port() -> None:
    limiter = InProcessRateLimiter()
    ports = build_in_memory(rate_limiter=limiter).ports
    assert ports.rate_limiter is limiter
    assert isinstance(ports.breaker, InProcessCircuitBreaker)
