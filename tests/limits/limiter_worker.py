"""A separate process acquiring from the Redis limiter; prints how many calls it was allowed."""

from __future__ import annotations

import asyncio
import sys

from adapters.limits.redis_client import connect_redis
from adapters.limits.redis_limiter import RedisRateLimiter
from core.domain.limits import LimitRule, RenewalPeriod, limit_checks


async def main(redis_url: str, endpoint_id: str, calls_per_day: int, attempts: int) -> int:
    limiter = RedisRateLimiter(connect_redis(redis_url))
    checks = limit_checks(
        endpoint_id, [LimitRule(renewal_period=RenewalPeriod.DAY, calls=calls_per_day)], "w"
    )
    try:
        decisions = await asyncio.gather(*(limiter.acquire(checks, 0) for _ in range(attempts)))
    finally:
        await limiter.aclose()
    return sum(d.allowed for d in decisions)


if __name__ == "__main__":
    url, endpoint, budget, tries = sys.argv[1:5]
    print(asyncio.run(main(url, endpoint, int(budget), int(tries))))
