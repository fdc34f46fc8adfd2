"""Display form of a secret value: never more than a short prefix and the last 4 characters."""

from __future__ import annotations

_MIN_LEN_FOR_HINT = 20
_PREFIX_LEN = 3
_SUFFIX_LEN = 4


def mask_secret(value: str) -> str:
    """Mask a secret for display.

    Long values keep a 3-character prefix and the last 4 characters (``sk-...a1b2``);
    values shorter than 20 characters are masked entirely, so a short value reveals nothing
    and a long one at most 7 of its characters (never more than about a third of it).
    """
    if len(value) < _MIN_LEN_FOR_HINT:
        return "*" * 8
    return f"{value[:_PREFIX_LEN]}...{value[-_SUFFIX_LEN:]}"
