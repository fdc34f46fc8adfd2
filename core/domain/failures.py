"""Classifying provider failures, and what each class allows: retry, fallback, or neither."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from core.domain.endpoint import RetryPolicy


class ErrorClass(enum.StrEnum):
    CONNECTION = "connection_error"
    TIMEOUT = "timeout"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    AUTH = "auth_error"
    MODEL_NOT_FOUND = "model_not_found"
    CONTEXT_LENGTH = "context_length_exceeded"
    INVALID_REQUEST = "invalid_request"
    CONTENT_POLICY = "content_policy"
    UNSUPPORTED = "unsupported"


_FALLBACK_ELIGIBLE = frozenset(
    {
        ErrorClass.CONNECTION,
        ErrorClass.TIMEOUT,
        ErrorClass.RATE_LIMITED,
        ErrorClass.SERVER_ERROR,
        ErrorClass.AUTH,
        ErrorClass.MODEL_NOT_FOUND,
        ErrorClass.CONTEXT_LENGTH,
    }
)
_RETRYABLE = frozenset({ErrorClass.CONNECTION, ErrorClass.RATE_LIMITED, ErrorClass.SERVER_ERROR})

BACKOFF_BASE_S = 0.1
BACKOFF_CAP_S = 2.0


@dataclass(frozen=True, slots=True)
class ProviderFailure:
    """What went wrong on one upstream call, already classified by the provider adapter.

    `message` is the provider's reason with any credential removed; `retry_after_s` is the
    upstream's Retry-After when it sent one; `before_first_byte` says whether the caller had
    received nothing yet from this call.
    """

    error_class: ErrorClass
    status: int | None
    message: str
    retry_after_s: float | None = None
    before_first_byte: bool = True


def is_fallback_eligible(error_class: ErrorClass) -> bool:
    return error_class in _FALLBACK_ELIGIBLE


def classify_status(status: int, message: str = "") -> ErrorClass:
    """Default mapping from an HTTP status (and the provider's reason) to an error class."""
    lowered = message.lower()
    if status == 429:
        return ErrorClass.RATE_LIMITED
    if status in (401, 403):
        return ErrorClass.AUTH
    if status == 404:
        return ErrorClass.MODEL_NOT_FOUND
    if status == 408:
        return ErrorClass.TIMEOUT
    if status >= 500:
        return ErrorClass.SERVER_ERROR
    if _mentions_context_length(lowered):
        return ErrorClass.CONTEXT_LENGTH
    if any(w in lowered for w in ("content_filter", "content policy", "content_policy", "safety")):
        return ErrorClass.CONTENT_POLICY
    return ErrorClass.INVALID_REQUEST


def _mentions_context_length(lowered: str) -> bool:
    markers = (
        "context_length_exceeded",
        "context length",
        "maximum context",
        "context window",
        "too many tokens",
        "prompt is too long",
        "input is too long",
    )
    return any(m in lowered for m in markers)


def retry_delay_s(
    failure: ProviderFailure,
    retries_done: int,
    policy: RetryPolicy,
    random: Callable[[], float],
) -> float | None:
    """Seconds to wait before retrying the same model, or None to move on (PRODUCT §2.2)."""
    if failure.error_class not in _RETRYABLE or not failure.before_first_byte:
        return None
    if retries_done >= policy.max_retries:
        return None
    if failure.error_class is ErrorClass.RATE_LIMITED and failure.retry_after_s is not None:
        if failure.retry_after_s > policy.max_retry_after_s:
            return None
        return max(0.0, failure.retry_after_s)
    return jittered_backoff_s(retries_done, random)


def jittered_backoff_s(retries_done: int, random: Callable[[], float]) -> float:
    """Exponential backoff with jitter in [half, full] of the step, capped."""
    step = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2**retries_done))
    return float(step / 2 + random() * step / 2)


class UpstreamError(Exception):
    """Raised by a provider adapter for one failed upstream call."""

    def __init__(self, failure: ProviderFailure) -> None:
        super().__init__(f"{failure.error_class.value}: {failure.message}")
        self.failure = failure
