"""Usage records, appended in batches and listed by time."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlmodel import col, select

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import usage_of, usage_values
from adapters.storage._tables import UsageRow
from adapters.storage.repositories._base import SqlRepository, fetch_page
from core.domain.page import Page, PageRequest
from core.domain.usage import UsageRecord
from ports.repositories import UsageQuery

_INSERT = insert(UsageRow.__table__)  # type: ignore[attr-defined]  # SQLModel tables carry it


class SqlUsageRepository(SqlRepository):
    def add_many(self, records: Sequence[UsageRecord]) -> None:
        """One driver-level executemany of plain rows.

        Measured on a serving worker: ORM objects took a third of its CPU, the ORM bulk path a
        tenth; the Core statement on the session's connection skips both.
        """
        if not records:
            return
        with guarded_write(self._session):
            connection = self._session.connection()
            connection.execute(_INSERT, [usage_values(r) for r in records])

    def list(self, page: PageRequest, where: UsageQuery = UsageQuery()) -> Page[UsageRecord]:
        """Records with `since_ms <= timestamp_ms < until_ms`, oldest first."""
        statement = select(UsageRow)
        if where.endpoint_id is not None:
            statement = statement.where(col(UsageRow.endpoint_id) == where.endpoint_id)
        if where.since_ms is not None:
            statement = statement.where(col(UsageRow.timestamp_ms) >= where.since_ms)
        if where.until_ms is not None:
            statement = statement.where(col(UsageRow.timestamp_ms) < where.until_ms)
        statement = statement.order_by(
            col(UsageRow.timestamp_ms), self._stable(col(UsageRow.request_id)), col(UsageRow.id)
        )
        return fetch_page(self._session, statement, page, usage_of)
