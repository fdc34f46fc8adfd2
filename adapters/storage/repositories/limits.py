"""Limit rules per endpoint, kept in the order they were given."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, delete, select

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import limit_of, limit_rows
from adapters.storage._tables import LimitRuleRow
from adapters.storage.repositories._base import SqlRepository
from core.domain.errors import NotFound
from core.domain.limits import LimitRule


class SqlLimitRepository(SqlRepository):
    def get(self, endpoint_id: str) -> tuple[LimitRule, ...]:
        statement = (
            select(LimitRuleRow)
            .where(col(LimitRuleRow.endpoint_id) == endpoint_id)
            .order_by(col(LimitRuleRow.position))
        )
        return tuple(limit_of(r) for r in self._session.exec(statement).all())

    def put(self, endpoint_id: str, rules: Sequence[LimitRule]) -> None:
        """Replace the endpoint's rules; an empty sequence removes them."""
        with guarded_write(self._session, missing=lambda: NotFound("endpoint", endpoint_id)):
            self._session.exec(delete(LimitRuleRow).where(col(LimitRuleRow.endpoint_id) == endpoint_id))
            self._session.add_all(limit_rows(endpoint_id, rules))

    def all(self) -> dict[str, tuple[LimitRule, ...]]:
        statement = select(LimitRuleRow).order_by(col(LimitRuleRow.endpoint_id), col(LimitRuleRow.position))
        rules: dict[str, list[LimitRule]] = {}
        for row in self._session.exec(statement).all():
            rules.setdefault(row.endpoint_id, []).append(limit_of(row))
        return {endpoint_id: tuple(found) for endpoint_id, found in rules.items()}
