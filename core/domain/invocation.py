"""What one invocation tried, and the single error a caller gets when nothing worked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain.errors import DomainError
from core.domain.failures import ErrorClass, ProviderFailure


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One upstream call: which model definition, how it ended (None = success), and when.

    `started` is on the invocation clock's monotonic scale; `duration_s` is the time waited on
    the upstream (0 for a stream that broke after it had started answering).
    """

    model_definition: str
    provider: str
    error_class: ErrorClass | None = None
    status: int | None = None
    started: float = 0.0
    duration_s: float = 0.0

    def describe(self) -> str:
        outcome = "ok" if self.error_class is None else self.error_class.value
        return f"{self.model_definition} ({self.provider}): {outcome}"


class InvocationFailed(DomainError):
    """Every attempt failed, or the first failed in a way that must not be retried.

    `status` is what the caller gets: 502, 504 for a timeout, 429 (with `retry_after_s`) when
    the last upstream refused for rate, or the provider's own 4xx for a request it rejected.
    """

    code = "UPSTREAM_ERROR"

    def __init__(
        self,
        message: str,
        status: int,
        error_class: ErrorClass,
        attempts: Sequence[AttemptRecord],
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_class = error_class
        self.attempts = tuple(attempts)
        self.retry_after_s = retry_after_s


def final_error(last: ProviderFailure, attempts: Sequence[AttemptRecord]) -> InvocationFailed:
    """The one clear error for the caller (PRODUCT §2.5); lists every attempt, never a secret."""
    tried = "; ".join(a.describe() for a in attempts)
    if last.error_class in (ErrorClass.INVALID_REQUEST, ErrorClass.CONTENT_POLICY):
        status = last.status if last.status and 400 <= last.status < 500 else 400
        return InvocationFailed(last.message, status, last.error_class, attempts)
    if last.error_class is ErrorClass.TIMEOUT:
        status = 504
    elif last.error_class is ErrorClass.RATE_LIMITED:
        status = 429
    else:
        status = 502
    message = f"all attempts failed ({tried}); last error: {last.message}"
    retry_after = last.retry_after_s if status == 429 else None
    return InvocationFailed(message, status, last.error_class, attempts, retry_after)
