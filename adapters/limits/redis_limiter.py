"""Exact limits across every worker and instance: one Lua script per admission on a shared Redis."""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from adapters.limits.redis_client import LUA_NOW
from core.domain.limits import (
    ALLOWED,
    LimitCheck,
    LimitDecision,
    LimitResource,
    Refusal,
    retry_after_s,
)

KEY_PREFIX = "sb:rl:"
"""Counters are hashes `sb:rl:{bucket}:{period}:{window_start_ms}`, fields c (calls) and t (tokens)."""

# Both scripts read the clock from ARGV[1] ('' = the server's TIME) and the expiry margin from ARGV[2].
_NOW = (
    LUA_NOW
    + """
local margin = tonumber(ARGV[2])
"""
)

# ARGV: now | '', expiry margin ms, then per check: counter prefix, window ms, calls, tokens (-1: none).
# Check every window first and count only if all pass, so a refused request consumes nothing.
_ACQUIRE = (
    _NOW
    + """
local keys, ttls = {}, {}
local worst, worst_wait, worst_what = 0, -1, ''
for i = 1, (#ARGV - 2) / 4 do
  local a = 2 + (i - 1) * 4
  local size = tonumber(ARGV[a + 2])
  local start = now - (now % size)
  local key = ARGV[a + 1] .. string.format('%.0f', start)
  local used = redis.call('HMGET', key, 'c', 't')
  local calls, tokens = tonumber(used[1]) or 0, tonumber(used[2]) or 0
  local budget = tonumber(ARGV[a + 4])
  local what = nil
  if calls >= tonumber(ARGV[a + 3]) then
    what = 'calls'
  elseif budget >= 0 and tokens >= budget then
    what = 'tokens'
  end
  local wait = start + size - now
  if what and wait > worst_wait then
    worst, worst_wait, worst_what = i, wait, what
  end
  keys[i], ttls[i] = key, wait + margin
end
if worst > 0 then
  return {worst, worst_wait, worst_what}
end
for i = 1, #keys do
  redis.call('HINCRBY', keys[i], 'c', 1)
  redis.call('PEXPIRE', keys[i], ttls[i])
end
return {0, 0, ''}
"""
)

# ARGV: now | '', expiry margin ms, tokens, then per check: counter prefix, window ms.
_RECORD_TOKENS = (
    _NOW
    + """
local tokens = tonumber(ARGV[3])
for a = 4, #ARGV, 2 do
  local size = tonumber(ARGV[a + 1])
  local start = now - (now % size)
  local key = ARGV[a] .. string.format('%.0f', start)
  redis.call('HINCRBY', key, 't', tokens)
  redis.call('PEXPIRE', key, start + size - now + margin)
end
return 0
"""
)

DEFAULT_EXPIRY_MARGIN_MS = 2_000


class RedisRateLimiter:
    """Atomic and exact across workers and instances sharing one Redis.

    Windows follow the Redis server's clock (`server_time=True`, the default), so instances
    with slightly different clocks still agree on every boundary; the `now_ms` arguments are
    then ignored. With `server_time=False` the caller's `now_ms` is used (tests inject time).
    Counters expire at their window's end plus a margin, so Redis memory stays flat. Needs one
    Redis primary (not Redis Cluster): the script names its keys from the server's clock.
    Redis errors propagate; the caller decides how to answer when limits cannot be checked.
    """

    def __init__(
        self,
        client: Redis,
        *,
        server_time: bool = True,
        expiry_margin_ms: int = DEFAULT_EXPIRY_MARGIN_MS,
    ) -> None:
        self._client = client
        self._server_time = server_time
        self._margin = expiry_margin_ms
        self._acquire = client.register_script(_ACQUIRE)
        self._record = client.register_script(_RECORD_TOKENS)

    async def acquire(self, checks: Sequence[LimitCheck], now_ms: int) -> LimitDecision:
        if not checks:
            return ALLOWED
        args: list[str | int] = [self._now_arg(now_ms), self._margin]
        for check in checks:
            tokens = check.rule.tokens
            args += [
                KEY_PREFIX + check.counter_prefix,
                check.rule.renewal_period.millis,
                check.rule.calls,
                -1 if tokens is None else tokens,
            ]
        index, wait_ms, what = await self._acquire(args=args)
        if int(index) == 0:
            return ALLOWED
        resource = LimitResource(what.decode() if isinstance(what, bytes) else what)
        return LimitDecision(Refusal(checks[int(index) - 1].rule, resource, retry_after_s(int(wait_ms))))

    async def record_tokens(self, checks: Sequence[LimitCheck], tokens: int, now_ms: int) -> None:
        metered = [c for c in checks if c.rule.tokens is not None]
        if not metered or tokens <= 0:
            return
        args: list[str | int] = [self._now_arg(now_ms), self._margin, tokens]
        for check in metered:
            args += [KEY_PREFIX + check.counter_prefix, check.rule.renewal_period.millis]
        await self._record(args=args)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _now_arg(self, now_ms: int) -> str | int:
        return "" if self._server_time else now_ms
