"""A marker for "not given" in partial updates, distinct from an explicit None."""

from __future__ import annotations

import enum
from typing import TypeVar

T = TypeVar("T")


class Unset(enum.Enum):
    UNSET = "UNSET"


UNSET = Unset.UNSET


def given(value: T | Unset, current: T) -> T:
    return current if value is UNSET else value
