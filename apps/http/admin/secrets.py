"""/api/v1/secrets: provider credentials; the value goes in and never comes out."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from apps.http.admin.common import ERRORS, Body, MaxResults, PageToken, listing, page_of, patched
from apps.http.admin.schemas import SecretList, SecretOut, answers
from apps.views import secret_view
from core.services.secrets import SecretService


class SecretCreate(Body):
    name: str
    value: str
    provider: str | None = None
    auth_config: dict[str, Any] | None = None


class SecretUpdate(Body):
    name: str | msgspec.UnsetType = msgspec.UNSET
    value: str | msgspec.UnsetType = msgspec.UNSET
    provider: str | msgspec.UnsetType | None = msgspec.UNSET
    auth_config: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET


class SecretsController(Controller):
    path = "/secrets"
    tags = ["secrets"]

    @post(sync_to_thread=True, responses=answers(201, SecretOut))
    def create_secret(
        self,
        data: JSONBody[SecretCreate],
        secret_service: NamedDependency[SecretService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        """Answers the secret with `masked_value`; the value itself is never returned."""
        secret = secret_service.create(data.name, data.value, data.provider, data.auth_config, actor=actor)
        return secret_view(secret)

    @get(sync_to_thread=True, responses=answers(200, SecretList))
    def list_secrets(
        self,
        secret_service: NamedDependency[SecretService],
        max_results: MaxResults = None,
        page_token: PageToken = None,
    ) -> dict[str, Any]:
        page = secret_service.list(page_of(max_results, page_token))
        return listing("secrets", map(secret_view, page.items), page.next_page_token)

    @get("/{secret_id:str}", sync_to_thread=True, responses=answers(200, SecretOut))
    def get_secret(
        self, secret_id: FromPath[str], secret_service: NamedDependency[SecretService]
    ) -> dict[str, Any]:
        return secret_view(secret_service.get(secret_id))

    @patch("/{secret_id:str}", sync_to_thread=True, responses=answers(200, SecretOut))
    def update_secret(
        self,
        secret_id: FromPath[str],
        data: JSONBody[SecretUpdate],
        secret_service: NamedDependency[SecretService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        """A new `value` is re-encrypted under a new data key."""
        updated = secret_service.update(
            secret_id,
            value=patched(data.value),
            name=patched(data.name),
            provider=patched(data.provider),
            auth_config=patched(data.auth_config),
            actor=actor,
        )
        return secret_view(updated)

    @delete("/{secret_id:str}", sync_to_thread=True, responses=ERRORS)
    def delete_secret(
        self,
        secret_id: FromPath[str],
        secret_service: NamedDependency[SecretService],
        actor: NamedDependency[str],
        force: FromQuery[bool] = False,
    ) -> None:
        """Refused (409, naming them) while model definitions use it; forced, they become orphaned."""
        secret_service.delete(secret_id, force=force, actor=actor)
