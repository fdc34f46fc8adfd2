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


LUA_NOW = """
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
"""
"""Lua prologue: `now` in ms from ARGV[1], or from the server's TIME when ARGV[1] is ''.

The server's clock is the one clock every instance shares, so windows and cooldowns agree
across instances whatever their own clocks say.
"""
