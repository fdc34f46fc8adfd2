"""Turning database integrity errors into domain errors, so no SQL text ever leaks out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from core.domain.errors import AlreadyExists, DomainError, InvalidInput, NotFound

_UNIQUE_SQLSTATE = "23505"
_FOREIGN_KEY_SQLSTATE = "23503"


def is_unique_violation(exc: IntegrityError) -> bool:
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        return bool(state == _UNIQUE_SQLSTATE)
    return "UNIQUE constraint failed" in str(exc.orig)


def is_foreign_key_violation(exc: IntegrityError) -> bool:
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        return bool(state == _FOREIGN_KEY_SQLSTATE)
    return "FOREIGN KEY constraint failed" in str(exc.orig)


def translate(
    exc: IntegrityError,
    exists: Callable[[], DomainError] | None = None,
    missing: Callable[[], DomainError] | None = None,
) -> DomainError:
    """The domain error for an integrity violation; the database's own message is dropped."""
    if is_unique_violation(exc):
        return exists() if exists else AlreadyExists("record", "with these keys")
    if is_foreign_key_violation(exc):
        return missing() if missing else NotFound("referenced record", "(unknown)")
    return InvalidInput("record", "violates a rule of the database")


@contextmanager
def guarded_write(
    session: Session,
    exists: Callable[[], DomainError] | None = None,
    missing: Callable[[], DomainError] | None = None,
) -> Iterator[None]:
    """Run writes in a savepoint and flush them, so a violation surfaces here as a domain error.

    The savepoint keeps the surrounding unit of work usable after a refused write, as the
    in-memory store's is.
    """
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise translate(exc, exists, missing) from None
    except DataError:
        # e.g. PostgreSQL refusing a value longer than its column; SQLite would have stored it.
        raise InvalidInput("record", "a value does not fit the database column") from None
