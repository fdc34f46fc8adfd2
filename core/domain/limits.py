"""Limit rules and fixed, clock-aligned windows."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.errors import DomainError, InvalidInput
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
        return retry_after_s(self.end_ms - now_ms)


def retry_after_s(wait_ms: int) -> int:
    """A wait in milliseconds as a `Retry-After` value: whole seconds, rounded up, at least 1."""
    return max(1, -(-wait_ms // 1000))


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


@dataclass(frozen=True, slots=True)
class LimitCheck:
    """One rule applied to one budget: `bucket` names whose budget (see `limit_checks`)."""

    bucket: str
    rule: LimitRule

    @property
    def counter_prefix(self) -> str:
        return f"{self.bucket}:{self.rule.renewal_period.value}:"

    def counter_name(self, window: Window) -> str:
        """The counter of this budget in one window: `{bucket}:{period}:{window_start_ms}`."""
        return f"{self.counter_prefix}{window.start_ms}"


def limit_bucket(endpoint_id: str, key: LimitKey, principal_name: str) -> str:
    """One budget for the whole endpoint, or one per principal (the name goes last, so it is unambiguous)."""
    if key is LimitKey.USER:
        return f"{endpoint_id}:user:{principal_name}"
    return endpoint_id


def limit_checks(endpoint_id: str, rules: Sequence[LimitRule], principal_name: str) -> tuple[LimitCheck, ...]:
    """The checks one request of `principal_name` on an endpoint must pass."""
    return tuple(LimitCheck(limit_bucket(endpoint_id, r.key, principal_name), r) for r in rules)


class LimitResource(enum.StrEnum):
    CALLS = "calls"
    TOKENS = "tokens"


@dataclass(frozen=True, slots=True)
class Refusal:
    """The rule that turned a request away, what ran out, and when its window renews."""

    rule: LimitRule
    resource: LimitResource
    retry_after_s: int


@dataclass(frozen=True, slots=True)
class LimitDecision:
    """Allowed (`refusal` is None), or refused by one rule."""

    refusal: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    def raise_if_refused(self) -> None:
        if self.refusal is not None:
            raise LimitExceeded(self.refusal)


ALLOWED = LimitDecision()


class LimitExceeded(DomainError):
    """A limit rule refused the request: answered 429 with `Retry-After`, never sent upstream."""

    code = "RATE_LIMIT_EXCEEDED"

    def __init__(self, refusal: Refusal) -> None:
        rule = refusal.rule
        super().__init__(
            f"rate limit reached: {rule.describe()} ({refusal.resource.value} used up); "
            f"retry after {refusal.retry_after_s} s"
        )
        self.refusal = refusal


def exhausted(rule: LimitRule, calls_used: int, tokens_used: int) -> LimitResource | None:
    """What a window's usage has used up, if anything (a token budget stops once reached or crossed)."""
    if calls_used >= rule.calls:
        return LimitResource.CALLS
    if rule.tokens is not None and tokens_used >= rule.tokens:
        return LimitResource.TOKENS
    return None


def decide(checks: Sequence[LimitCheck], usage: Sequence[tuple[int, int]], now_ms: int) -> LimitDecision:
    """Admit only if every check has budget left; else name the rule whose window renews last.

    `usage[i]` is (calls, tokens) already used in the current window of `checks[i]`. The rule
    renewing last is named because the request cannot pass before that.
    """
    worst: Refusal | None = None
    for check, (calls_used, tokens_used) in zip(checks, usage, strict=True):
        resource = exhausted(check.rule, calls_used, tokens_used)
        if resource is None:
            continue
        wait = window_at(check.rule.renewal_period, now_ms).retry_after_s(now_ms)
        if worst is None or wait > worst.retry_after_s:
            worst = Refusal(check.rule, resource, wait)
    return LimitDecision(worst)
