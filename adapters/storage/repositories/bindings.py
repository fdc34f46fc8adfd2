"""Bindings, keyed by (endpoint_id, resource_type, resource_id) in the database too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, delete, select

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import binding_of, binding_row
from adapters.storage._tables import BindingRow
from adapters.storage.repositories._base import SqlRepository
from core.domain.binding import Binding, BindingKey, ResourceType
from core.domain.errors import AlreadyExists, NotFound


class SqlBindingRepository(SqlRepository):
    def add(self, binding: Binding) -> None:
        with guarded_write(
            self._session,
            exists=lambda: AlreadyExists("binding", binding.describe()),
            missing=lambda: NotFound("endpoint", binding.endpoint_id),
        ):
            self._session.add(binding_row(binding))

    def get(self, key: BindingKey) -> Binding | None:
        row = self._session.get(BindingRow, (key.endpoint_id, key.resource_type.value, key.resource_id))
        return None if row is None else binding_of(row)

    def delete(self, key: BindingKey) -> None:
        self._session.exec(
            delete(BindingRow).where(
                col(BindingRow.endpoint_id) == key.endpoint_id,
                col(BindingRow.resource_type) == key.resource_type.value,
                col(BindingRow.resource_id) == key.resource_id,
            )
        )

    def list_by_endpoint(self, endpoint_id: str) -> Sequence[Binding]:
        return self._list(col(BindingRow.endpoint_id) == endpoint_id)

    def list_by_resource(self, resource_type: ResourceType, resource_id: str) -> Sequence[Binding]:
        return self._list(
            col(BindingRow.resource_type) == resource_type.value, col(BindingRow.resource_id) == resource_id
        )

    def delete_by_endpoint(self, endpoint_id: str) -> None:
        self._session.exec(delete(BindingRow).where(col(BindingRow.endpoint_id) == endpoint_id))

    def _list(self, *conditions: Any) -> list[Binding]:
        statement = (
            select(BindingRow)
            .where(*conditions)
            .order_by(
                col(BindingRow.created_at),
                self._stable(col(BindingRow.resource_id)),
                self._stable(col(BindingRow.endpoint_id)),
            )
        )
        return [binding_of(r) for r in self._session.exec(statement).all()]
