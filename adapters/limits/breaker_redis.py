"""Circuit breakers shared through Redis, so every instance skips and probes the same models."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from adapters.limits.redis_client import LUA_NOW
from core.domain.breaker import CLOSED, Breaker, BreakerPolicy
from ports.clock import Clock

log = logging.getLogger(__name__)

KEY_PREFIX = "sb:cb:"
"""State is a hash `sb:cb:{model_definition_id}` (f: consecutive failures, u: open until, ms) and
the probe slot a key `sb:cb:{model_definition_id}:probe` taken with SET NX PX."""

# Every script answers with the breaker as seen now: failures, ms until the cooldown ends
# (-1: closed, 0: cooled down), and the probe slot's remaining ms (negative: free).
_VIEW = (
    LUA_NOW
    + """
local function view(h, p)
  local s = redis.call('HMGET', h, 'f', 'u')
  local u = tonumber(s[2])
  local remaining = -1
  if u then remaining = math.max(0, u - now) end
  return {tonumber(s[1]) or 0, remaining, redis.call('PTTL', p)}
end
"""
)

# KEYS: state, probe. ARGV: now | '', threshold, cooldown ms, state ttl ms.
_RECORD_FAILURE = (
    _VIEW
    + """
local h, p = KEYS[1], KEYS[2]
local u = tonumber(redis.call('HGET', h, 'u'))
if u and now < u then
  return view(h, p)
end
local f = redis.call('HINCRBY', h, 'f', 1)
if u or f >= tonumber(ARGV[2]) then
  redis.call('HSET', h, 'u', now + tonumber(ARGV[3]))
  redis.call('DEL', p)
end
redis.call('PEXPIRE', h, ARGV[4])
return view(h, p)
"""
)

# KEYS: state, probe. ARGV: now | '', probe timeout ms. Appends 1 when this caller took the probe.
_ACQUIRE_PROBE = (
    _VIEW
    + """
local h, p = KEYS[1], KEYS[2]
local u = tonumber(redis.call('HGET', h, 'u'))
local taken = 0
if u and now >= u and redis.call('SET', p, '1', 'NX', 'PX', ARGV[2]) then
  taken = 1
end
local v = view(h, p)
v[4] = taken
return v
"""
)

# KEYS: state1, probe1, state2, probe2, ... ARGV: now | ''. One view per model, flattened.
_READ = (
    _VIEW
    + """
local out = {}
for i = 1, #KEYS, 2 do
  local v = view(KEYS[i], KEYS[i + 1])
  out[#out + 1], out[#out + 2], out[#out + 3] = v[1], v[2], v[3]
end
return out
"""
)

DEFAULT_REFRESH_S = 1.0
_STATE_TTL_AFTER_COOLDOWN_MS = 3_600_000


class RedisCircuitBreaker:
    """Breakers whose state lives in Redis; `is_open` answers from a local view.

    The view is updated from every script's answer and refreshed in the background (one round
    trip per `refresh_s` for every model this process has seen), so a healthy hot path costs
    no Redis round trip: successes on a model this process believes healthy write nothing.
    Cooldowns follow the Redis server's clock (`server_time=True`); the view converts the time
    left into this process's clock. If Redis is unreachable the breaker logs and keeps its last
    view: it never fails a request.
    """

    def __init__(
        self,
        client: Redis,
        clock: Clock,
        policy: BreakerPolicy | None = None,
        *,
        server_time: bool = True,
        refresh_s: float = DEFAULT_REFRESH_S,
    ) -> None:
        self._client = client
        self._clock = clock
        self._policy = policy or BreakerPolicy()
        self._server_time = server_time
        self._refresh_s = refresh_s
        self._view: dict[str, Breaker] = {}
        self._refresher: asyncio.Task[None] | None = None
        self._newcomer = asyncio.Event()
        self._record_failure = client.register_script(_RECORD_FAILURE)
        self._acquire_probe = client.register_script(_ACQUIRE_PROBE)
        self._read = client.register_script(_READ)

    def is_open(self, model_definition_id: str) -> bool:
        return self._local(model_definition_id).skips(self._clock.now_ms())

    async def acquire_probe(self, model_definition_id: str) -> bool:
        if not self._local(model_definition_id).probe_free(self._clock.now_ms()):
            return False
        keys = self._keys(model_definition_id)
        reply = await self._run(self._acquire_probe, keys, [self._policy.probe_timeout_ms])
        if reply is None:
            return False
        self._learn(model_definition_id, reply[:3])
        return int(reply[3]) == 1

    async def record_success(self, model_definition_id: str) -> None:
        if self._local(model_definition_id) == CLOSED:
            return
        try:
            await self._client.delete(*self._keys(model_definition_id))
        except RedisError as exc:
            log.warning("circuit breaker: could not record a success in Redis: %s", exc)
            return
        self._view[model_definition_id] = CLOSED

    async def record_failure(self, model_definition_id: str) -> None:
        policy = self._policy
        ttl_ms = policy.cooldown_ms + _STATE_TTL_AFTER_COOLDOWN_MS
        args = [policy.failure_threshold, policy.cooldown_ms, ttl_ms]
        reply = await self._run(self._record_failure, self._keys(model_definition_id), args)
        if reply is not None:
            self._learn(model_definition_id, reply)

    async def refresh(self) -> None:
        """Read the shared state of every model this process has seen, in one round trip."""
        ids = list(self._view)
        if not ids:
            return
        keys = [k for model_definition_id in ids for k in self._keys(model_definition_id)]
        reply = await self._run(self._read, keys, [])
        if reply is None:
            return
        for i, model_definition_id in enumerate(ids):
            self._learn(model_definition_id, reply[3 * i : 3 * i + 3])

    async def aclose(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        await self._client.aclose()

    def _local(self, model_definition_id: str) -> Breaker:
        """The local view, registering the model for background refresh on first sight."""
        self._ensure_refresher()
        breaker = self._view.get(model_definition_id)
        if breaker is None:
            breaker = self._view[model_definition_id] = CLOSED
            # Learn its shared state now rather than at the next tick: another instance may
            # already hold it open.
            self._newcomer.set()
        return breaker

    def _learn(self, model_definition_id: str, view: Sequence[int]) -> None:
        failures, open_remaining_ms, probe_remaining_ms = (int(v) for v in view)
        now_ms = self._clock.now_ms()
        self._view[model_definition_id] = Breaker(
            failures,
            now_ms + open_remaining_ms if open_remaining_ms >= 0 else None,
            now_ms + probe_remaining_ms if probe_remaining_ms > 0 else None,
        )

    def _keys(self, model_definition_id: str) -> list[str]:
        state = KEY_PREFIX + model_definition_id
        return [state, state + ":probe"]

    async def _run(self, script: AsyncScript, keys: list[str], args: list[int]) -> list[int] | None:
        now_arg: str | int = "" if self._server_time else self._clock.now_ms()
        try:
            reply = await script(keys=keys, args=[now_arg, *args])
        except RedisError as exc:
            log.warning("circuit breaker: Redis unavailable, keeping the last known state: %s", exc)
            return None
        return [int(v) for v in reply]

    def _ensure_refresher(self) -> None:
        if self._refresher is not None or self._refresh_s <= 0:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop yet: the next call from inside one starts it
        self._refresher = loop.create_task(self._refresh_forever())

    async def _refresh_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._newcomer.wait(), self._refresh_s)
            self._newcomer.clear()
            try:
                await self.refresh()
            except Exception:  # a stopped refresher would leave every instance blind
                log.exception("circuit breaker: background refresh failed")
