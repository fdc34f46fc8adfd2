"""An admin API over the in-memory store, with an admin and a user key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from apps.bootstrap import Services, build_in_memory
from apps.http import create_app


class Admin:
    """A test client that sends the admin key, plus builders for the entities tests need."""

    def __init__(self, client: TestClient[Any], key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(path, json=body, headers=self.headers)

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(path, json=body, headers=self.headers)

    def delete(self, path: str, **params: Any) -> Any:
        return self.client.delete(path, params=params, headers=self.headers)

    def model(self, name: str = "gpt", provider: str = "mock", **extra: Any) -> dict[str, Any]:
        body = {"name": name, "provider": provider, "model_name": f"{name}-model", **extra}
        response = self.post("/api/v1/model-definitions", body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def endpoint(self, name: str = "chat", *model_ids: str, **extra: Any) -> dict[str, Any]:
        ids = model_ids or (self.model(f"{name}-m")["model_definition_id"],)
        body = {"name": name, "model_mappings": [{"model_definition_id": i} for i in ids], **extra}
        response = self.post("/api/v1/endpoints", body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def services() -> Services:
    return build_in_memory()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


@pytest.fixture
def admin(services: Services, client: TestClient[Any]) -> Admin:
    _, plaintext = services.keys.create("alice", "admin")
    return Admin(client, plaintext)


@pytest.fixture
def user_key(services: Services) -> str:
    _, plaintext = services.keys.create("app", "user")
    return plaintext


def error_of(response: Any) -> tuple[int, str, str]:
    """Status, error_code and message, asserting the admin error shape."""
    body = response.json()
    assert set(body) == {"error_code", "message"}, body
    return response.status_code, body["error_code"], body["message"]
