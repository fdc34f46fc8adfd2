"""Gateway keys, stored by hash only; the hash is unique in the database."""

from __future__ import annotations

from sqlmodel import col, select

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import api_key_columns, api_key_of
from adapters.storage._tables import ApiKeyRow
from adapters.storage.repositories._base import SqlRepository, fetch_page
from core.domain.errors import AlreadyExists, NotFound
from core.domain.page import Page, PageRequest
from core.domain.principal import ApiKey


class SqlKeyRepository(SqlRepository):
    def add(self, key: ApiKey) -> None:
        with guarded_write(self._session, exists=lambda: AlreadyExists("key", key.key_id)):
            self._session.add(ApiKeyRow(**api_key_columns(key)))

    def get(self, key_id: str) -> ApiKey | None:
        row = self._session.get(ApiKeyRow, key_id)
        return None if row is None else api_key_of(row)

    def get_by_hash(self, key_hash: str) -> ApiKey | None:
        row = self._session.exec(select(ApiKeyRow).where(col(ApiKeyRow.key_hash) == key_hash)).first()
        return None if row is None else api_key_of(row)

    def list(self, page: PageRequest) -> Page[ApiKey]:
        statement = select(ApiKeyRow).order_by(col(ApiKeyRow.created_at), self._stable(col(ApiKeyRow.key_id)))
        return fetch_page(self._session, statement, page, api_key_of)

    def update(self, key: ApiKey) -> None:
        row = self._session.get(ApiKeyRow, key.key_id)
        if row is None:
            raise NotFound("key", key.key_id)
        with guarded_write(self._session, exists=lambda: AlreadyExists("key", key.key_id)):
            for name, value in api_key_columns(key).items():
                setattr(row, name, value)
