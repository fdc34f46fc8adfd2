"""Scorer tests drive the admin API of an in-memory gateway, as an admin would."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from apps.bootstrap import Services, build_in_memory
from apps.http import create_app
from tests.contract.conftest import (  # noqa: F401  (the `store` fixture: in-memory, SQLite, PostgreSQL)
    migrated_sqlite,
    postgres_database,
    postgres_store,
    store,
)
from tests.http.conftest import Admin
from tests.providers.upstream import FakeUpstream

JUDGE = "Is {{ outputs }} a correct answer to {{ inputs }}? Expected: {{ expectations }}"


class ScorerAdmin(Admin):
    """The admin test client plus scorer helpers."""

    def __init__(self, client: TestClient[Any], key: str, services: Services) -> None:
        super().__init__(client, key)
        self.services = services

    def register(
        self, endpoint_id: str, name: str = "correct", namespace: str = "exp-1", **extra: Any
    ) -> dict[str, Any]:
        body = {
            "namespace": namespace,
            "name": name,
            "instructions": JUDGE,
            "result_type": "yes_no",
            "endpoint_id": endpoint_id,
            **extra,
        }
        response = self.post("/api/v1/scorers", body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def bindings_of(self, scorer_id: str) -> list[dict[str, Any]]:
        answer = self.get("/api/v1/bindings", resource_type="scorer", resource_id=scorer_id)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["bindings"]
        return found

    def openai_endpoint(self, name: str, api_base: str, **extra: Any) -> str:
        """An endpoint on one `openai` model definition served at `api_base`; returns its id."""
        model = self.model(f"{name}-model", provider="openai", api_base=api_base, model_name="judge-model")
        return str(self.endpoint(name, model["model_definition_id"], **extra)["endpoint_id"])

    def run(self, scorer_id: str, **body: Any) -> Any:
        payload = {"inputs": {"question": "Capital of France?"}, "outputs": "Paris", **body}
        return self.post(f"/api/v1/scorers/{scorer_id}/run", payload)

    def usage(self) -> list[dict[str, Any]]:
        """GET /api/v1/usage, after flushing the sink (it writes in batches, off the request path)."""
        self.services.usage_sink.flush()
        response = self.get("/api/v1/usage")
        assert response.status_code == 200, response.text
        records: list[dict[str, Any]] = response.json()["usage"]
        return records

    def used_by(self, endpoint_id: str) -> list[tuple[str, str]]:
        """(resource_id, display_name) of the endpoint's bindings, as its detail shows them."""
        detail = self.get(f"/api/v1/endpoints/{endpoint_id}").json()
        return [(b["resource_id"], b["display_name"]) for b in detail["bindings"]]


@pytest.fixture
def services() -> Services:
    return build_in_memory()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


@pytest.fixture
def admin(services: Services, client: TestClient[Any]) -> ScorerAdmin:
    _, plaintext = services.keys.create("alice", "admin")
    return ScorerAdmin(client, plaintext, services)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    """The shared fake OpenAI-format upstream, served from its own thread and event loop.

    The admin app runs on the test client's loop in another thread; a server on a loop of
    its own answers whichever thread calls it.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-upstream", daemon=True)
    thread.start()
    server = FakeUpstream()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
