"""/api/v1/model-definitions: reusable model configurations."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from apps.http.admin.common import ERRORS, Body, MaxResults, PageToken, listing, page_of, patched
from apps.http.admin.schemas import ModelDefinitionList, ModelDefinitionOut, answers
from apps.views import model_definition_view
from core.services.model_definitions import (
    ModelDefinitionPatch,
    ModelDefinitionService,
    ModelDefinitionSpec,
)


class ModelDefinitionCreate(Body):
    name: str
    provider: str
    model_name: str
    secret_id: str | None = None
    api_base: str | None = None
    provider_settings: dict[str, Any] = msgspec.field(default_factory=dict)


class ModelDefinitionUpdate(Body):
    name: str | msgspec.UnsetType = msgspec.UNSET
    provider: str | msgspec.UnsetType = msgspec.UNSET
    model_name: str | msgspec.UnsetType = msgspec.UNSET
    secret_id: str | msgspec.UnsetType | None = msgspec.UNSET
    api_base: str | msgspec.UnsetType | None = msgspec.UNSET
    provider_settings: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET


class ModelDefinitionsController(Controller):
    path = "/model-definitions"
    tags = ["model definitions"]

    @post(sync_to_thread=True, responses=answers(201, ModelDefinitionOut))
    def create_model_definition(
        self,
        data: JSONBody[ModelDefinitionCreate],
        model_definition_service: NamedDependency[ModelDefinitionService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        spec = ModelDefinitionSpec(**msgspec.structs.asdict(data))
        return model_definition_view(model_definition_service.create(spec, actor=actor))

    @get(sync_to_thread=True, responses=answers(200, ModelDefinitionList))
    def list_model_definitions(
        self,
        model_definition_service: NamedDependency[ModelDefinitionService],
        max_results: MaxResults = None,
        page_token: PageToken = None,
        provider: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        page = model_definition_service.list(page_of(max_results, page_token), provider)
        return listing("model_definitions", map(model_definition_view, page.items), page.next_page_token)

    @get("/{model_definition_id:str}", sync_to_thread=True, responses=answers(200, ModelDefinitionOut))
    def get_model_definition(
        self,
        model_definition_id: FromPath[str],
        model_definition_service: NamedDependency[ModelDefinitionService],
    ) -> dict[str, Any]:
        return model_definition_view(model_definition_service.get(model_definition_id))

    @patch("/{model_definition_id:str}", sync_to_thread=True, responses=answers(200, ModelDefinitionOut))
    def update_model_definition(
        self,
        model_definition_id: FromPath[str],
        data: JSONBody[ModelDefinitionUpdate],
        model_definition_service: NamedDependency[ModelDefinitionService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        changes = {k: patched(v) for k, v in msgspec.structs.asdict(data).items()}
        updated = model_definition_service.update(model_definition_id, ModelDefinitionPatch(**changes), actor)
        return model_definition_view(updated)

    @delete("/{model_definition_id:str}", sync_to_thread=True, responses=ERRORS)
    def delete_model_definition(
        self,
        model_definition_id: FromPath[str],
        model_definition_service: NamedDependency[ModelDefinitionService],
        actor: NamedDependency[str],
        force: FromQuery[bool] = False,
    ) -> None:
        model_definition_service.delete(model_definition_id, force=force, actor=actor)
