"""One error shape for the admin API: `{"error_code", "message"}` with the matching status."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from core.domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    HasDependents,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unsupported,
)
from core.domain.secret import KekLocked

log = logging.getLogger("switchboard.http")


class ErrorBody(msgspec.Struct):
    """What every admin error answers."""

    error_code: str
    message: str


_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 400),
    (Unsupported, 400),
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (AlreadyExists, 409),
    (HasDependents, 409),
    (Conflict, 409),
    (KekLocked, 503),  # the operator must supply the passphrase; nothing the caller can fix
)

_HTTP_CODES: Mapping[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
    503: "UNAVAILABLE",
}


def domain_status(exc: DomainError) -> int:
    """The HTTP status of a domain error (500 for any the API does not expect)."""
    return next((status for kind, status in _DOMAIN_STATUS if isinstance(exc, kind)), 500)


def error_response(status: int, error_code: str, message: str) -> Response[ErrorBody]:
    return Response(ErrorBody(error_code, message), status_code=status)


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[ErrorBody]:
    status = domain_status(exc)
    if status == 500:
        return on_unexpected(request, exc)
    return error_response(status, exc.code, exc.message)


def on_validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    return error_response(400, InvalidInput.code, validation_message(exc))


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    if status >= 500:
        return on_unexpected(request, exc)
    return error_response(status, _HTTP_CODES.get(status, "BAD_REQUEST"), str(exc.detail))


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    # The traceback goes to the server log only; the body never carries internals or SQL.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "internal error; the server log has the details")


def validation_message(exc: ValidationException) -> str:
    """Name each offending field, e.g. `model_mappings[0].weight: Expected `float`, got `str``."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = [_field_message(item) for item in extra if isinstance(item, dict)]
    return "; ".join(parts) if parts else str(exc.detail)


def _field_message(item: dict[str, Any]) -> str:
    message = str(item.get("message", "is invalid"))
    key = item.get("key")
    if key == "data":  # Litestar's name for the whole body
        key = "body"
    return f"{key}: {message}" if key else message


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: on_domain_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
