"""Error classes: fallback eligibility, status classification and retry delays (PRODUCT §2.2–2.4)."""

from __future__ import annotations

import random

import pytest

from core.domain.endpoint import RetryPolicy
from core.domain.failures import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    ErrorClass,
    ProviderFailure,
    UpstreamError,
    classify_status,
    is_fallback_eligible,
    jittered_backoff_s,
    retry_delay_s,
)

ELIGIBLE = {
    ErrorClass.CONNECTION: True,
    ErrorClass.TIMEOUT: True,
    ErrorClass.RATE_LIMITED: True,
    ErrorClass.SERVER_ERROR: True,
    ErrorClass.AUTH: True,
    ErrorClass.MODEL_NOT_FOUND: True,
    ErrorClass.CONTEXT_LENGTH: True,
    ErrorClass.INVALID_REQUEST: False,
    ErrorClass.CONTENT_POLICY: False,
    ErrorClass.UNSUPPORTED: False,
}


def failure(
    error_class: ErrorClass,
    retry_after_s: float | None = None,
    before_first_byte: bool = True,
) -> ProviderFailure:
    return ProviderFailure(error_class, None, "upstream said no", retry_after_s, before_first_byte)


def midpoint() -> float:
    return 0.5


class TestFallbackEligibility:
    def test_the_table_covers_every_error_class(self) -> None:
        assert set(ELIGIBLE) == set(ErrorClass)

    @pytest.mark.parametrize(("error_class", "eligible"), ELIGIBLE.items())
    def test_each_error_class(self, error_class: ErrorClass, eligible: bool) -> None:
        assert is_fallback_eligible(error_class) is eligible


class TestClassifyStatus:
    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (429, ErrorClass.RATE_LIMITED),
            (401, ErrorClass.AUTH),
            (403, ErrorClass.AUTH),
            (404, ErrorClass.MODEL_NOT_FOUND),
            (408, ErrorClass.TIMEOUT),
            (500, ErrorClass.SERVER_ERROR),
            (502, ErrorClass.SERVER_ERROR),
            (503, ErrorClass.SERVER_ERROR),
            (504, ErrorClass.SERVER_ERROR),
            (529, ErrorClass.SERVER_ERROR),
            (400, ErrorClass.INVALID_REQUEST),
            (413, ErrorClass.INVALID_REQUEST),
            (422, ErrorClass.INVALID_REQUEST),
        ],
    )
    def test_status_alone(self, status: int, expected: ErrorClass) -> None:
        assert classify_status(status) is expected

    @pytest.mark.parametrize(
        "message",
        [
            "This model's maximum context length is 8192 tokens",
            "error code: context_length_exceeded",
            "Input exceeds the CONTEXT WINDOW",
            "too many tokens in the request",
            "prompt is too long: 300000 tokens > 200000 maximum",
            "input is too long for requested model",
        ],
    )
    def test_a_400_about_context_length_is_context_length_exceeded(self, message: str) -> None:
        assert classify_status(400, message) is ErrorClass.CONTEXT_LENGTH

    @pytest.mark.parametrize(
        "message",
        [
            "finish_reason: content_filter",
            "rejected by our Content Policy",
            "content_policy_violation",
            "safety",
        ],
    )
    def test_a_400_about_content_policy_is_content_policy(self, message: str) -> None:
        assert classify_status(400, message) is ErrorClass.CONTENT_POLICY

    def test_the_status_wins_over_the_message(self) -> None:
        assert classify_status(429, "context length exceeded") is ErrorClass.RATE_LIMITED
        assert classify_status(503, "content policy") is ErrorClass.SERVER_ERROR

    def test_context_length_is_eligible_for_fallback_but_never_retried(self) -> None:
        klass = classify_status(400, "maximum context length")
        assert is_fallback_eligible(klass)
        assert retry_delay_s(failure(klass), 0, RetryPolicy(max_retries=3), midpoint) is None


class TestRetryDelay:
    @pytest.mark.parametrize(
        "error_class",
        [ErrorClass.CONNECTION, ErrorClass.RATE_LIMITED, ErrorClass.SERVER_ERROR],
    )
    def test_transient_errors_are_retried_after_a_backoff(self, error_class: ErrorClass) -> None:
        delay = retry_delay_s(failure(error_class), 0, RetryPolicy(), midpoint)
        assert delay == pytest.approx(BACKOFF_BASE_S * 0.75)

    @pytest.mark.parametrize(
        "error_class",
        [
            ErrorClass.TIMEOUT,
            ErrorClass.AUTH,
            ErrorClass.MODEL_NOT_FOUND,
            ErrorClass.CONTEXT_LENGTH,
            ErrorClass.INVALID_REQUEST,
            ErrorClass.CONTENT_POLICY,
            ErrorClass.UNSUPPORTED,
        ],
    )
    def test_other_errors_are_not_retried_on_the_same_model(self, error_class: ErrorClass) -> None:
        assert retry_delay_s(failure(error_class), 0, RetryPolicy(max_retries=5), midpoint) is None

    def test_a_failure_after_the_first_byte_is_not_retried(self) -> None:
        late = failure(ErrorClass.SERVER_ERROR, before_first_byte=False)
        assert retry_delay_s(late, 0, RetryPolicy(), midpoint) is None

    def test_retries_stop_at_max_retries(self) -> None:
        policy = RetryPolicy(max_retries=2)
        delays = [
            retry_delay_s(failure(ErrorClass.SERVER_ERROR), done, policy, midpoint) for done in range(4)
        ]
        assert [d is not None for d in delays] == [True, True, False, False]

    def test_max_retries_zero_never_retries(self) -> None:
        assert retry_delay_s(failure(ErrorClass.CONNECTION), 0, RetryPolicy(max_retries=0), midpoint) is None

    def test_a_429_waits_exactly_its_retry_after_when_within_the_maximum(self) -> None:
        policy = RetryPolicy(max_retry_after_s=5)
        assert retry_delay_s(failure(ErrorClass.RATE_LIMITED, retry_after_s=3.0), 0, policy, midpoint) == 3.0
        assert retry_delay_s(failure(ErrorClass.RATE_LIMITED, retry_after_s=5.0), 0, policy, midpoint) == 5.0

    def test_a_429_whose_retry_after_exceeds_the_maximum_moves_on(self) -> None:
        policy = RetryPolicy(max_retry_after_s=5)
        assert retry_delay_s(failure(ErrorClass.RATE_LIMITED, retry_after_s=5.5), 0, policy, midpoint) is None

    def test_a_negative_retry_after_means_no_wait(self) -> None:
        assert (
            retry_delay_s(failure(ErrorClass.RATE_LIMITED, retry_after_s=-2), 0, RetryPolicy(), midpoint)
            == 0.0
        )

    def test_a_429_without_retry_after_backs_off_rather_than_hammering(self) -> None:
        delay = retry_delay_s(failure(ErrorClass.RATE_LIMITED), 0, RetryPolicy(), midpoint)
        assert delay is not None
        assert delay >= BACKOFF_BASE_S / 2

    def test_retry_after_on_a_server_error_is_not_trusted_over_backoff(self) -> None:
        delay = retry_delay_s(failure(ErrorClass.SERVER_ERROR, retry_after_s=4.0), 0, RetryPolicy(), midpoint)
        assert delay == pytest.approx(BACKOFF_BASE_S * 0.75)


class TestJitteredBackoff:
    @pytest.mark.parametrize("retries_done", range(8))
    def test_each_delay_lies_between_half_and_all_of_its_capped_step(self, retries_done: int) -> None:
        step = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**retries_done)
        rng = random.Random(retries_done)
        delays = [jittered_backoff_s(retries_done, rng.random) for _ in range(1000)]
        assert all(step / 2 <= d <= step for d in delays)

    def test_the_extremes_of_the_random_source_reach_both_bounds(self) -> None:
        assert jittered_backoff_s(1, lambda: 0.0) == pytest.approx(0.1)
        assert jittered_backoff_s(1, lambda: 1.0) == pytest.approx(0.2)

    def test_the_step_doubles_then_stops_at_the_cap(self) -> None:
        fulls = [jittered_backoff_s(n, lambda: 1.0) for n in range(7)]
        assert fulls == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0])

    def test_jitter_spreads_the_delays(self) -> None:
        rng = random.Random(0)
        assert len({jittered_backoff_s(2, rng.random) for _ in range(50)}) > 40


def test_an_upstream_error_carries_its_classified_failure() -> None:
    fail = ProviderFailure(ErrorClass.AUTH, 401, "invalid key", None)
    err = UpstreamError(fail)
    assert err.failure is fail
    assert str(err) == "auth_error: invalid key"
