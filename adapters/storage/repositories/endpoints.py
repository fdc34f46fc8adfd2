"""Endpoints, stored with tags and mappings by model definition id and read back embedded.

The `name` filter matches exactly or by prefix (`name="chat"` finds `chat` and `chat-eu`),
case-sensitively, on every database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlmodel import col, delete, func, select
from sqlmodel.sql.expression import SelectOfScalar

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import endpoint_columns, endpoint_of, mapping_rows, tag_rows
from adapters.storage._tables import EndpointRow, EndpointTagRow, ModelDefinitionRow, ModelMappingRow
from adapters.storage.repositories._base import SqlRepository, page_from
from adapters.storage.repositories.model_definitions import models_by_id
from core.domain.endpoint import Endpoint
from core.domain.errors import AlreadyExists, NotFound
from core.domain.model_definition import ModelDefinition
from core.domain.page import Page, PageRequest
from ports.repositories import EndpointFilter

# Keeps IN lists well under SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 500


class SqlEndpointRepository(SqlRepository):
    def add(self, endpoint: Endpoint) -> None:
        if self._row_by_name(endpoint.name) is not None:
            raise AlreadyExists("endpoint", endpoint.name)
        self._require_models(endpoint)
        with guarded_write(self._session, exists=lambda: AlreadyExists("endpoint", endpoint.name)):
            self._session.add(EndpointRow(**endpoint_columns(endpoint)))
            self._session.flush()
            self._session.add_all([*tag_rows(endpoint), *mapping_rows(endpoint)])

    def get(self, endpoint_id: str) -> Endpoint | None:
        row = self._session.get(EndpointRow, endpoint_id)
        return None if row is None else self._hydrate([row])[0]

    def get_by_name(self, name: str) -> Endpoint | None:
        row = self._row_by_name(name)
        return None if row is None else self._hydrate([row])[0]

    def list(self, page: PageRequest, where: EndpointFilter = EndpointFilter()) -> Page[Endpoint]:
        statement = self._ordered(_filtered(select(EndpointRow), where))
        rows = self._session.exec(statement.offset(page.offset).limit(page.max_results + 1)).all()
        endpoints = self._hydrate(rows)
        return page_from(endpoints, page, lambda e: e)

    def all(self) -> Sequence[Endpoint]:
        return self._hydrate(self._session.exec(self._ordered(select(EndpointRow))).all())

    def update(self, endpoint: Endpoint) -> None:
        row = self._session.get(EndpointRow, endpoint.endpoint_id)
        if row is None:
            raise NotFound("endpoint", endpoint.endpoint_id)
        other = self._row_by_name(endpoint.name)
        if other is not None and other.endpoint_id != endpoint.endpoint_id:
            raise AlreadyExists("endpoint", endpoint.name)
        self._require_models(endpoint)
        with guarded_write(self._session, exists=lambda: AlreadyExists("endpoint", endpoint.name)):
            for name, value in endpoint_columns(endpoint).items():
                setattr(row, name, value)
            # Old children go first, so the new ones may reuse their ids and fallback orders.
            self._delete_children(endpoint.endpoint_id)
            self._session.add_all([*tag_rows(endpoint), *mapping_rows(endpoint)])

    def delete(self, endpoint_id: str) -> None:
        # Tags, mappings, bindings and limits go with it (ON DELETE CASCADE in the schema).
        self._session.exec(delete(EndpointRow).where(col(EndpointRow.endpoint_id) == endpoint_id))
        self._session.expire_all()

    def list_by_model_definition(self, model_definition_id: str) -> Sequence[Endpoint]:
        users = select(ModelMappingRow.endpoint_id).where(
            col(ModelMappingRow.model_definition_id) == model_definition_id
        )
        statement = self._ordered(select(EndpointRow).where(col(EndpointRow.endpoint_id).in_(users)))
        return self._hydrate(self._session.exec(statement).all())

    def _row_by_name(self, name: str) -> EndpointRow | None:
        return self._session.exec(select(EndpointRow).where(col(EndpointRow.name) == name)).first()

    def _ordered(self, statement: SelectOfScalar[EndpointRow]) -> SelectOfScalar[EndpointRow]:
        return statement.order_by(col(EndpointRow.created_at), self._stable(col(EndpointRow.endpoint_id)))

    def _require_models(self, endpoint: Endpoint) -> None:
        wanted = {m.model_definition.model_definition_id for m in endpoint.model_mappings}
        found = set(
            self._session.exec(
                select(ModelDefinitionRow.model_definition_id).where(
                    col(ModelDefinitionRow.model_definition_id).in_(wanted)
                )
            ).all()
        )
        missing = sorted(wanted - found)
        if missing:
            raise NotFound("model definition", missing[0])

    def _delete_children(self, endpoint_id: str) -> None:
        self._session.exec(delete(EndpointTagRow).where(col(EndpointTagRow.endpoint_id) == endpoint_id))
        self._session.exec(delete(ModelMappingRow).where(col(ModelMappingRow.endpoint_id) == endpoint_id))

    def _hydrate(self, rows: Sequence[EndpointRow]) -> Sequence[Endpoint]:
        """Endpoints for rows, with tags and mappings fetched in a few queries, not per row."""
        tags: dict[str, list[EndpointTagRow]] = defaultdict(list)
        mappings: dict[str, list[ModelMappingRow]] = defaultdict(list)
        for ids in _chunks([r.endpoint_id for r in rows]):
            for tag in self._session.exec(
                select(EndpointTagRow)
                .where(col(EndpointTagRow.endpoint_id).in_(ids))
                .order_by(col(EndpointTagRow.position))
            ).all():
                tags[tag.endpoint_id].append(tag)
            for mapping in self._session.exec(
                select(ModelMappingRow)
                .where(col(ModelMappingRow.endpoint_id).in_(ids))
                .order_by(col(ModelMappingRow.position))
            ).all():
                mappings[mapping.endpoint_id].append(mapping)
        models = self._models_for(m.model_definition_id for ms in mappings.values() for m in ms)
        return [
            endpoint_of(
                row,
                tags[row.endpoint_id],
                [(m, models[m.model_definition_id]) for m in mappings[row.endpoint_id]],
            )
            for row in rows
        ]

    def _models_for(self, ids: Iterable[str]) -> dict[str, ModelDefinition]:
        models: dict[str, ModelDefinition] = {}
        for chunk in _chunks(sorted(set(ids))):
            models.update(models_by_id(self._session, chunk))
        return models


def _filtered(statement: SelectOfScalar[EndpointRow], where: EndpointFilter) -> SelectOfScalar[EndpointRow]:
    endpoint_id = col(EndpointRow.endpoint_id)
    if where.name is not None:
        # substr, not LIKE: LIKE is case-insensitive on SQLite and treats % and _ as wildcards.
        statement = statement.where(func.substr(col(EndpointRow.name), 1, len(where.name)) == where.name)
    if where.provider is not None:
        statement = statement.where(
            endpoint_id.in_(
                select(ModelMappingRow.endpoint_id)
                .join(
                    ModelDefinitionRow,
                    col(ModelDefinitionRow.model_definition_id) == col(ModelMappingRow.model_definition_id),
                )
                .where(col(ModelDefinitionRow.provider) == where.provider)
            )
        )
    if where.tag_key is not None:
        tagged = select(EndpointTagRow.endpoint_id).where(col(EndpointTagRow.key) == where.tag_key)
        if where.tag_value is not None:
            tagged = tagged.where(col(EndpointTagRow.value) == where.tag_value)
        statement = statement.where(endpoint_id.in_(tagged))
    return statement


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
