"""Small reusable checks that raise InvalidInput naming the field."""

from __future__ import annotations

import re

from core.domain.errors import InvalidInput

_URL_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


def require_name(field: str, value: str, max_len: int = 255) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "must be a non-empty string")
    if len(value) > max_len:
        raise InvalidInput(field, f"must be at most {max_len} characters")
    return value


def require_url_safe_name(field: str, value: str, max_len: int = 255) -> str:
    require_name(field, value, max_len)
    if not _URL_SAFE.match(value):
        raise InvalidInput(
            field, "must be URL-safe: letters, digits, '.', '_', '~', '-', not starting with a symbol"
        )
    return value


def require_positive(field: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInput(field, "must be a number greater than 0")
    return value


def require_non_negative_int(field: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(field, "must be an integer >= 0")
    return value
