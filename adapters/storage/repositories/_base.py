"""What every SQL repository shares: the session, guarded writes, stable ordering, paging."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from core.domain.page import Page, PageRequest, encode_token

R = TypeVar("R")
T = TypeVar("T")


class SqlRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _stable(self, column: Any) -> ColumnElement[Any]:
        """Order ids by code point on every database, as the in-memory store does.

        PostgreSQL would otherwise sort by the database's locale collation.
        """
        if self._session.get_bind().dialect.name == "postgresql":
            return column.collate("C")  # type: ignore[no-any-return]
        return column  # type: ignore[no-any-return]


def fetch_page(
    session: Session, statement: SelectOfScalar[R], page: PageRequest, convert: Callable[[R], T]
) -> Page[T]:
    """Run an ordered statement for one page: fetch one row more to learn whether more remain."""
    rows = session.exec(statement.offset(page.offset).limit(page.max_results + 1)).all()
    return page_from(rows, page, convert)


def page_from(rows: Sequence[R], page: PageRequest, convert: Callable[[R], T]) -> Page[T]:
    more = len(rows) > page.max_results
    items = [convert(r) for r in rows[: page.max_results]]
    return Page(items, encode_token(page.offset + page.max_results) if more else None)
