"""Model definitions; every read fills `secret_name` from the secret's current name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from adapters.storage._errors import guarded_write
from adapters.storage._mapping import model_definition_columns, model_definition_of
from adapters.storage._tables import EndpointRow, ModelDefinitionRow, ModelMappingRow, SecretRow
from adapters.storage.repositories._base import SqlRepository, fetch_page
from core.domain.errors import AlreadyExists, HasDependents, NotFound
from core.domain.model_definition import ModelDefinition
from core.domain.page import Page, PageRequest

ModelWithSecretName = tuple[ModelDefinitionRow, str | None]


def select_models() -> SelectOfScalar[Any]:
    """Model definition rows with the name of the secret each points at (or None)."""
    return select(ModelDefinitionRow, SecretRow.name).outerjoin(  # type: ignore[return-value]
        SecretRow, col(SecretRow.secret_id) == col(ModelDefinitionRow.secret_id)
    )


def model_of(found: ModelWithSecretName) -> ModelDefinition:
    row, secret_name = found
    return model_definition_of(row, secret_name)


def models_by_id(session: Session, ids: Sequence[str]) -> dict[str, ModelDefinition]:
    statement = select_models().where(col(ModelDefinitionRow.model_definition_id).in_(ids))
    return {m.model_definition_id: m for m in map(model_of, session.exec(statement).all())}


class SqlModelDefinitionRepository(SqlRepository):
    def add(self, model: ModelDefinition) -> None:
        with guarded_write(
            self._session,
            exists=lambda: AlreadyExists("model definition", model.name),
            missing=lambda: NotFound("secret", str(model.secret_id)),
        ):
            self._session.add(ModelDefinitionRow(**model_definition_columns(model)))

    def get(self, model_definition_id: str) -> ModelDefinition | None:
        return self._first(col(ModelDefinitionRow.model_definition_id) == model_definition_id)

    def get_by_name(self, name: str) -> ModelDefinition | None:
        return self._first(col(ModelDefinitionRow.name) == name)

    def list(self, page: PageRequest, provider: str | None = None) -> Page[ModelDefinition]:
        statement = select_models()
        if provider is not None:
            statement = statement.where(col(ModelDefinitionRow.provider) == provider)
        return fetch_page(self._session, self._ordered(statement), page, model_of)

    def update(self, model: ModelDefinition) -> None:
        row = self._session.get(ModelDefinitionRow, model.model_definition_id)
        if row is None:
            raise NotFound("model definition", model.model_definition_id)
        with guarded_write(
            self._session,
            exists=lambda: AlreadyExists("model definition", model.name),
            missing=lambda: NotFound("secret", str(model.secret_id)),
        ):
            for name, value in model_definition_columns(model).items():
                setattr(row, name, value)

    def delete(self, model_definition_id: str) -> None:
        """Refused while an endpoint maps it (the foreign key would refuse it anyway)."""
        users = self._session.exec(
            select(EndpointRow.name)
            .join(ModelMappingRow, col(ModelMappingRow.endpoint_id) == col(EndpointRow.endpoint_id))
            .where(col(ModelMappingRow.model_definition_id) == model_definition_id)
            .distinct()
            .order_by(col(EndpointRow.name))
        ).all()
        if users:
            raise HasDependents("model definition", model_definition_id, [f"endpoint '{n}'" for n in users])
        self._session.exec(
            delete(ModelDefinitionRow).where(
                col(ModelDefinitionRow.model_definition_id) == model_definition_id
            )
        )

    def list_by_secret(self, secret_id: str) -> Sequence[ModelDefinition]:
        statement = self._ordered(select_models().where(col(ModelDefinitionRow.secret_id) == secret_id))
        return [model_of(found) for found in self._session.exec(statement).all()]

    def _first(self, condition: Any) -> ModelDefinition | None:
        found = self._session.exec(select_models().where(condition)).first()
        return None if found is None else model_of(found)

    def _ordered(self, statement: SelectOfScalar[Any]) -> SelectOfScalar[Any]:
        return statement.order_by(
            col(ModelDefinitionRow.created_at), self._stable(col(ModelDefinitionRow.model_definition_id))
        )
