"""The limiter and breaker adapters under test: each contract test runs on every adapter."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from adapters.limits.breaker_in_process import InProcessCircuitBreaker
from adapters.limits.breaker_redis import RedisCircuitBreaker
from adapters.limits.in_process import InProcessRateLimiter
from adapters.limits.redis_client import connect_redis
from adapters.limits.redis_limiter import RedisRateLimiter
from core.domain.breaker import BreakerPolicy
from ports.circuit_breaker import CircuitBreaker
from ports.rate_limiter import RateLimiter
from tests.fakes.clock import FakeClock

ADAPTERS = [
    pytest.param("in_process", id="in_process"),
    pytest.param("redis", id="redis", marks=pytest.mark.redis),
]
POLICY = BreakerPolicy(failure_threshold=3, cooldown_ms=10_000, probe_timeout_ms=5_000)


@pytest.fixture
def endpoint_id() -> str:
    """A fresh endpoint id per test, so tests sharing one Redis never share a budget."""
    return f"ep-{uuid.uuid4().hex}"


@pytest.fixture(params=ADAPTERS)
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    """Every adapter, on the caller's clock so tests can place requests anywhere in a window."""
    if request.param == "in_process":
        in_process = InProcessRateLimiter()
        yield in_process
        await in_process.aclose()
        return
    redis_url: str = request.getfixturevalue("redis_url")
    shared = RedisRateLimiter(connect_redis(redis_url), server_time=False)
    yield shared
    await shared.aclose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def model_id() -> str:
    """A fresh model definition id per test, so tests sharing one Redis never share a breaker."""
    return f"md-{uuid.uuid4().hex}"


@pytest.fixture(params=ADAPTERS)
async def breaker(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[CircuitBreaker]:
    """Every breaker adapter on a fake clock (Redis then keeps time by the caller's clock too)."""
    if request.param == "in_process":
        yield InProcessCircuitBreaker(clock, POLICY)
        return
    redis_url: str = request.getfixturevalue("redis_url")
    shared = RedisCircuitBreaker(connect_redis(redis_url), clock, POLICY, server_time=False, refresh_s=0)
    yield shared
    await shared.aclose()
