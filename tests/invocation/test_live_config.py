"""An admin write is usable on the same process as soon as its answer arrives."""

from __future__ import annotations

import httpx
import pytest

from apps.bootstrap import build_in_memory
from apps.http.asgi import create_gateway

pytestmark = pytest.mark.anyio


async def test_an_endpoint_created_through_the_api_answers_at_once() -> None:
    services = build_in_memory()
    _, key = services.keys.create("admin", "admin")
    app = create_gateway(services)
    headers = {"authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=headers
    ) as client:
        model = await client.post(
            "/api/v1/model-definitions", json={"name": "m", "provider": "mock", "model_name": "mock-1"}
        )
        assert model.status_code == 201, model.text
        created = await client.post(
            "/api/v1/endpoints",
            json={
                "name": "live",
                "model_mappings": [{"model_definition_id": model.json()["model_definition_id"]}],
            },
        )
        assert created.status_code == 201, created.text
        answer = await client.post(
            "/v1/chat/completions", json={"model": "live", "messages": [{"role": "user", "content": "hi"}]}
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-switchboard-model-definition"] == "m"

        await client.delete(f"/api/v1/endpoints/{created.json()['endpoint_id']}")
        gone = await client.post(
            "/v1/chat/completions", json={"model": "live", "messages": [{"role": "user", "content": "hi"}]}
        )
        assert gone.status_code == 404
