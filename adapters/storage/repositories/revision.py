"""The configuration revision: one row, bumped atomically by every configuration change."""

from __future__ import annotations

from sqlmodel import col, select, update

from adapters.storage._tables import ConfigRevisionRow
from adapters.storage.repositories._base import SqlRepository

ROW_ID = 1


class SqlConfigRevision(SqlRepository):
    def bump(self) -> None:
        # One UPDATE, so concurrent bumps from other processes never lose an increment.
        result = self._session.exec(
            update(ConfigRevisionRow)
            .where(col(ConfigRevisionRow.id) == ROW_ID)
            .values(revision=ConfigRevisionRow.revision + 1)
        )
        if result.rowcount == 0:  # the migration seeds the row; this only covers a hand-made schema
            self._session.add(ConfigRevisionRow(id=ROW_ID, revision=1))
            self._session.flush()

    def current(self) -> int:
        statement = select(ConfigRevisionRow.revision).where(col(ConfigRevisionRow.id) == ROW_ID)
        value = self._session.exec(statement).first()
        return 0 if value is None else int(value)
