"""Limit rules and clock-aligned fixed windows (PRODUCT §1, Limits)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.domain.limits import LimitKey, LimitRule, RenewalPeriod, Window, parse_limit_rules, window_at
from tests.unit.builders import rejected


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


class TestLimitRule:
    def test_defaults_to_one_budget_for_the_whole_endpoint(self) -> None:
        rule = LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=100)
        assert (rule.key, rule.tokens) == (LimitKey.ENDPOINT, None)

    def test_zero_calls_and_zero_tokens_are_allowed(self) -> None:
        rule = LimitRule(renewal_period=RenewalPeriod.DAY, calls=0, tokens=0)
        assert (rule.calls, rule.tokens) == (0, 0)

    @pytest.mark.parametrize("calls", [-1, 1.5, True, "10"])
    def test_calls_must_be_an_integer_of_at_least_zero(self, calls: object) -> None:
        with rejected("limits.calls"):
            LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=calls)  # type: ignore[arg-type]

    @pytest.mark.parametrize("tokens", [-1, 2.5, False])
    def test_tokens_when_given_must_be_an_integer_of_at_least_zero(self, tokens: object) -> None:
        with rejected("limits.tokens"):
            LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=1, tokens=tokens)  # type: ignore[arg-type]

    def test_describe_names_the_budget_period_and_key(self) -> None:
        rule = LimitRule(renewal_period=RenewalPeriod.HOUR, calls=5, tokens=1000, key=LimitKey.USER)
        assert rule.describe() == "5 calls and 1000 tokens per hour per user"
        assert (
            LimitRule(renewal_period=RenewalPeriod.SECOND, calls=2).describe()
            == "2 calls per second per endpoint"
        )


class TestParseLimitRules:
    def test_two_rules_for_the_same_period_and_key_are_rejected(self) -> None:
        twice = [
            LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=1),
            LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=2),
        ]
        with rejected("limits", mentioning="minute per endpoint"):
            parse_limit_rules(twice)

    def test_the_same_period_per_endpoint_and_per_user_may_coexist(self) -> None:
        rules = [
            LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=100),
            LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=10, key=LimitKey.USER),
            LimitRule(renewal_period=RenewalPeriod.DAY, calls=1000),
        ]
        assert parse_limit_rules(rules) == tuple(rules)

    def test_no_rules_is_a_valid_empty_list(self) -> None:
        assert parse_limit_rules([]) == ()


class TestWindows:
    @pytest.mark.parametrize(
        ("period", "now", "start", "end"),
        [
            (RenewalPeriod.SECOND, "2026-03-04T10:20:30.456", "2026-03-04T10:20:30", "2026-03-04T10:20:31"),
            (RenewalPeriod.MINUTE, "2026-03-04T10:20:30.456", "2026-03-04T10:20:00", "2026-03-04T10:21:00"),
            (RenewalPeriod.HOUR, "2026-03-04T10:20:30.456", "2026-03-04T10:00:00", "2026-03-04T11:00:00"),
            (RenewalPeriod.DAY, "2026-03-04T10:20:30.456", "2026-03-04T00:00:00", "2026-03-05T00:00:00"),
        ],
    )
    def test_windows_align_to_the_utc_clock(
        self, period: RenewalPeriod, now: str, start: str, end: str
    ) -> None:
        assert window_at(period, ms(now)) == Window(ms(start), ms(end))

    def test_the_first_millisecond_of_a_period_opens_a_new_window(self) -> None:
        boundary = ms("2026-03-04T10:21:00")
        assert window_at(RenewalPeriod.MINUTE, boundary - 1).end_ms == boundary
        assert window_at(RenewalPeriod.MINUTE, boundary).start_ms == boundary

    @pytest.mark.parametrize("period", list(RenewalPeriod))
    def test_every_instant_lies_in_its_window_of_exactly_one_period(self, period: RenewalPeriod) -> None:
        for now in (0, 1, 999, 59_999, 1_700_000_123_456):
            window = window_at(period, now)
            assert window.start_ms <= now < window.end_ms
            assert window.end_ms - window.start_ms == period.millis

    def test_retry_after_counts_whole_seconds_up_to_the_renewal(self) -> None:
        window = window_at(RenewalPeriod.MINUTE, ms("2026-03-04T10:20:00"))
        assert window.retry_after_s(ms("2026-03-04T10:20:00")) == 60
        assert window.retry_after_s(ms("2026-03-04T10:20:30.001")) == 30
        assert window.retry_after_s(ms("2026-03-04T10:20:30")) == 30

    def test_retry_after_is_at_least_one_second(self) -> None:
        window = window_at(RenewalPeriod.SECOND, 5_000)
        assert window.retry_after_s(5_999) == 1
        assert window.retry_after_s(window.end_ms) == 1
