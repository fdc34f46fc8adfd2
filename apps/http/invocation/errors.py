"""Errors in OpenAI's shape `{"error": {"message", "type", "code"}}` with the right status."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from core.domain.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unsupported,
)
from core.domain.invocation import InvocationFailed
from core.domain.limits import LimitExceeded

log = logging.getLogger(__name__)


def retry_after_value(seconds: float) -> bytes:
    """A Retry-After header's value: whole seconds rounded up (never sooner than the wait), at least 1."""
    return str(max(1, math.ceil(seconds))).encode()


@dataclass(frozen=True, slots=True)
class ApiError:
    status: int
    message: str
    type: str
    code: str | None = None
    param: str | None = None
    retry_after_s: float | None = None

    def body(self) -> dict[str, object]:
        error: dict[str, object] = {"message": self.message, "type": self.type, "code": self.code}
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


class BodyTooLarge(Exception):
    pass


def to_api_error(exc: BaseException) -> ApiError:
    """Map anything raised while serving to what the caller sees; unknown errors stay generic."""
    match exc:
        case InvocationFailed():
            kind = "rate_limit_error" if exc.status == 429 else "upstream_error"
            if 400 <= exc.status < 429:
                kind = "invalid_request_error"
            return ApiError(exc.status, exc.message, kind, exc.error_class.value, None, exc.retry_after_s)
        case LimitExceeded():
            refusal = exc.refusal
            return ApiError(
                429, exc.message, "rate_limit_error", "rate_limit_exceeded", None, refusal.retry_after_s
            )
        case InvalidInput():
            return ApiError(400, exc.message, "invalid_request_error", "invalid_parameter", exc.field)
        case Unsupported():
            return ApiError(400, exc.message, "invalid_request_error", "unsupported")
        case Unauthenticated():
            return ApiError(401, exc.message, "authentication_error", "invalid_api_key")
        case PermissionDenied():
            return ApiError(403, exc.message, "permission_error", "forbidden")
        case NotFound():
            return ApiError(404, exc.message, "not_found_error", "model_not_found")
        case BodyTooLarge():
            return ApiError(413, "request body is larger than the configured limit", "invalid_request_error")
        case DomainError():
            return ApiError(
                409 if exc.code == "CONFLICT" else 400, exc.message, "invalid_request_error", exc.code
            )
    log.exception("unexpected error while serving an invocation", exc_info=exc)
    return ApiError(500, "internal error", "server_error")
