"""Limit rules and fixed, clock-aligned windows."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.domain.errors import InvalidInput
from core.domain.validation import require_non_negative_int


class RenewalPeriod(enum.StrEnum):
    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"

    @property
    def millis(self) -> int:
        return _PERIOD_MS[self]


_PERIOD_MS = {
    RenewalPeriod.SECOND: 1_000,
    RenewalPeriod.MINUTE: 60_000,
    RenewalPeriod.HOUR: 3_600_000,
    RenewalPeriod.DAY: 86_400_000,
}


class LimitKey(enum.StrEnum):
    ENDPOINT = "endpoint"
    USER = "user"


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitRule:
    renewal_period: RenewalPeriod
    calls: int
    tokens: int | None = None
    key: LimitKey = LimitKey.ENDPOINT

    def __post_init__(self) -> None:
        require_non_negative_int("limits.calls", self.calls)
        if self.tokens is not None:
            require_non_negative_int("limits.tokens", self.tokens)

    def describe(self) -> str:
        budget = f"{self.calls} calls"
        if self.tokens is not None:
            budget += f" and {self.tokens} tokens"
        return f"{budget} per {self.renewal_period.value} per {self.key.value}"


@dataclass(frozen=True, slots=True)
class Window:
    start_ms: int
    end_ms: int

    def retry_after_s(self, now_ms: int) -> int:
        """Whole seconds until the window renews, at least 1."""
        return max(1, -(-(self.end_ms - now_ms) // 1000))


def window_at(period: RenewalPeriod, now_ms: int) -> Window:
    """The fixed window aligned to the clock (UTC) that contains `now_ms`."""
    size = period.millis
    start = now_ms - now_ms % size
    return Window(start, start + size)


def parse_limit_rules(rules: list[LimitRule]) -> tuple[LimitRule, ...]:
    seen: set[tuple[RenewalPeriod, LimitKey]] = set()
    for rule in rules:
        ident = (rule.renewal_period, rule.key)
        if ident in seen:
            raise InvalidInput("limits", f"two rules for {rule.renewal_period.value} per {rule.key.value}")
        seen.add(ident)
    return tuple(rules)
