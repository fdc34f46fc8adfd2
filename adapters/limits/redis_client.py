"""One pooled Redis client per process, shared by the limiter and the breaker."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

DEFAULT_MAX_CONNECTIONS = 64
DEFAULT_POOL_TIMEOUT_S = 5.0


def connect_redis(
    url: str,
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    pool_timeout_s: float = DEFAULT_POOL_TIMEOUT_S,
) -> Redis:
    """A client whose pool makes a burst wait for a free connection instead of failing.

    Connections open lazily on the running event loop, so building this before the loop starts
    is fine; closing the client closes the pool.
    """
    pool = BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=pool_timeout_s)
    return Redis.from_pool(pool)
