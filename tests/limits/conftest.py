"""The limiter and breaker adapters under test: each contract test runs on every adapter."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from adapters.limits.in_process import InProcessRateLimiter
from adapters.limits.redis_client import connect_redis
from adapters.limits.redis_limiter import RedisRateLimiter
from ports.rate_limiter import RateLimiter

LIMITERS = [
    pytest.param("in_process", id="in_process"),
    pytest.param("redis", id="redis", marks=pytest.mark.redis),
]


@pytest.fixture
def endpoint_id() -> str:
    """A fresh endpoint id per test, so tests sharing one Redis never share a budget."""
    return f"ep-{uuid.uuid4().hex}"


@pytest.fixture(params=LIMITERS)
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
