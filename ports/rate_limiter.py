"""Enforcing an endpoint's limit rules: admit or refuse a request, and count the tokens it used."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.domain.limits import LimitCheck, LimitDecision


class RateLimiter(Protocol):
    """Fixed, clock-aligned windows per (bucket, renewal period); exact, never approximate.

    Build the checks with `core.domain.limits.limit_checks`. An adapter shared by several
    processes may use one shared clock instead of `now_ms` so that every instance agrees on
    window boundaries (the Redis adapter uses the Redis server's clock by default).
    """

    async def acquire(self, checks: Sequence[LimitCheck], now_ms: int) -> LimitDecision:
        """Admit one call against every check, or none of them.

        Atomically: if each check's current window still has calls left (and tokens left, for a
        rule with a token budget), count one call in every window and allow; otherwise count
        nothing anywhere and refuse, naming the rule whose window renews last.

        Args:
            checks: the request's rules, each with the bucket it draws from.
            now_ms: the caller's clock, milliseconds since the epoch (UTC).

        Returns:
            `ALLOWED`, or a decision carrying the refusal (rule, what ran out, Retry-After seconds).
        """
        ...

    async def record_tokens(self, checks: Sequence[LimitCheck], tokens: int, now_ms: int) -> None:
        """Count tokens a served request actually used against the checks that have token budgets.

        Called after the answer; a window whose tokens reached its budget refuses later calls
        until it renews.
        """
        ...

    async def aclose(self) -> None:
        """Release connections; the limiter is not used afterwards."""
        ...
