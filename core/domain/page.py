"""Pagination: an opaque token carrying the offset."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from core.domain.errors import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class PageRequest:
    max_results: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    @classmethod
    def parse(cls, max_results: int | None, page_token: str | None) -> PageRequest:
        size = DEFAULT_PAGE_SIZE if max_results is None else max_results
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidInput("max_results", f"must be between 1 and {MAX_PAGE_SIZE}")
        return cls(size, decode_token(page_token) if page_token else 0)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_page_token: str | None


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, value = raw.split(":", 1)
        offset = int(value)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("page_token", "is not a token this server issued") from None
    if prefix != "o" or offset < 0:
        raise InvalidInput("page_token", "is not a token this server issued")
    return offset


def paginate(items: Sequence[T], request: PageRequest) -> Page[T]:
    """Slice an ordered sequence; stores with SQL use LIMIT/OFFSET and this token format."""
    window = items[request.offset : request.offset + request.max_results]
    more = request.offset + request.max_results < len(items)
    return Page(window, encode_token(request.offset + request.max_results) if more else None)
