"""/api/v1/keys: gateway keys; the plaintext appears once, in the creation answer."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from apps.http.admin.common import ERRORS, Body, MaxResults, PageToken, listing, page_of
from apps.http.admin.schemas import CreatedKeyOut, KeyList, KeyOut, answers
from apps.views import key_view
from core.domain.principal import Role
from core.services.keys import KeyService


class KeyCreate(Body):
    name: str
    role: Role
    endpoints: list[str] = msgspec.field(default_factory=list)


class KeysController(Controller):
    path = "/keys"
    tags = ["keys"]

    @post(sync_to_thread=True, responses=answers(201, CreatedKeyOut))
    def create_key(
        self, data: JSONBody[KeyCreate], key_service: NamedDependency[KeyService], actor: NamedDependency[str]
    ) -> dict[str, Any]:
        """Answers `key`, the plaintext: store it now, it is never shown again."""
        key, plaintext = key_service.create(data.name, data.role, data.endpoints, actor=actor)
        return {**key_view(key), "key": plaintext}

    @get(sync_to_thread=True, responses=answers(200, KeyList))
    def list_keys(
        self,
        key_service: NamedDependency[KeyService],
        max_results: MaxResults = None,
        page_token: PageToken = None,
    ) -> dict[str, Any]:
        page = key_service.list(page_of(max_results, page_token))
        return listing("keys", map(key_view, page.items), page.next_page_token)

    @get("/{key_id:str}", sync_to_thread=True, responses=answers(200, KeyOut))
    def get_key(self, key_id: FromPath[str], key_service: NamedDependency[KeyService]) -> dict[str, Any]:
        return key_view(key_service.get(key_id))

    @delete("/{key_id:str}", sync_to_thread=True, responses=ERRORS)
    def revoke_key(
        self, key_id: FromPath[str], key_service: NamedDependency[KeyService], actor: NamedDependency[str]
    ) -> None:
        """Revoke: the key stops working at once."""
        key_service.revoke(key_id, actor=actor)
