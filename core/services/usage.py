"""Reading usage records (they are written by the invocation path through a UsageSink)."""

from __future__ import annotations

from core.domain.errors import InvalidInput
from core.domain.page import Page, PageRequest
from core.domain.usage import UsageRecord
from ports.repositories import UsageQuery
from ports.unit_of_work import UnitOfWorkFactory


class UsageService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def list(self, page: PageRequest, where: UsageQuery = UsageQuery()) -> Page[UsageRecord]:
        """Records in the window `since_ms <= timestamp_ms < until_ms`, oldest first."""
        if where.since_ms is not None and where.until_ms is not None and where.since_ms > where.until_ms:
            raise InvalidInput("since", "must not be after until")
        with self._uow() as uow:
            return uow.usage.list(page, where)
