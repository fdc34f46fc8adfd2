"""The data plane's HTTP contract: OpenAI and MLflow routes, headers, and error shapes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.system import RandomIds
from apps.http.invocation import DataPlane
from core.domain.failures import ErrorClass
from core.services.endpoints import EndpointService, EndpointSpec, MappingSpec
from core.services.keys import KeyService
from tests.fakes.providers import answer, chunk, failure, usage_chunk
from tests.invocation.harness import Gateway, gateway

pytestmark = pytest.mark.anyio


async def _admin(scope: object, receive: object, send: object) -> None:
    raise AssertionError("the data plane should have answered")


def keys_for(gw: Gateway) -> KeyService:
    return KeyService(gw.store.unit_of_work, gw.clock, RandomIds())


@pytest.fixture
def gw() -> Gateway:
    g = gateway(fallbacks=("b",), max_retries=0)
    g.provider.then("a", answer("a", "hello from a"))
    return g


@pytest.fixture
async def client(gw: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    _, key = keys_for(gw).create("app", "admin")
    gw.service.config.reload()
    app = DataPlane(gw.service, _admin, max_body_bytes=4096)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://gw",
        headers={"authorization": f"Bearer {key}"},
    ) as c:
        yield c


async def test_chat_names_the_serving_model_in_headers(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/chat/completions", json={"model": "chat", "messages": [{"role": "user", "content": "x"}]}
    )
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"] == "hello from a"
    assert r.headers["x-switchboard-model-definition"] == "a"
    assert r.headers["x-switchboard-attempts"] == "1"
    assert float(r.headers["x-switchboard-overhead-ms"]) >= 0
    assert r.headers["x-request-id"]


async def test_a_fallback_is_visible_to_the_caller(gw: Gateway, client: httpx.AsyncClient) -> None:
    gw.provider.replies["a"] = [failure(ErrorClass.SERVER_ERROR, 503)]
    gw.provider.then("b", answer("b", "from b"))
    r = await client.post(
        "/v1/chat/completions", json={"model": "chat", "messages": [{"role": "user", "content": "x"}]}
    )
    assert r.json()["model"] == "b"
    assert r.headers["x-switchboard-model-definition"] == "b"
    assert r.headers["x-switchboard-attempts"] == "2"


async def test_missing_and_wrong_keys_are_401(client: httpx.AsyncClient) -> None:
    body = {"model": "chat", "messages": [{"role": "user", "content": "x"}]}
    r = await client.post("/v1/chat/completions", json=body, headers={"authorization": ""})
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"
    r = await client.post("/v1/chat/completions", json=body, headers={"authorization": "Bearer sb-nope"})
    assert r.status_code == 401


async def test_a_user_key_outside_its_scope_is_403(gw: Gateway, client: httpx.AsyncClient) -> None:
    uow = gw.service.config._uow
    endpoint = gw.service.config.current.endpoints["chat"]
    model_id = endpoint.model_mappings[0].model_definition.model_definition_id
    EndpointService(uow, gw.clock, RandomIds()).create(
        EndpointSpec(name="other", model_mappings=[MappingSpec(model_definition_id=model_id)])
    )
    _, key = keys_for(gw).create("scoped", "user", endpoints=("other",))
    gw.service.config.reload()
    body = {"model": "chat", "messages": [{"role": "user", "content": "x"}]}
    r = await client.post("/v1/chat/completions", json=body, headers={"authorization": f"Bearer {key}"})
    assert r.status_code == 403 and r.json()["error"]["type"] == "permission_error"
    models = await client.get("/v1/models", headers={"authorization": f"Bearer {key}"})
    assert [m["id"] for m in models.json()["data"]] == ["other"]


async def test_bad_bodies_get_400_naming_the_field(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/chat/completions", content=b"{not json")
    assert r.status_code == 400 and "body" in r.json()["error"]["message"]
    r = await client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 400 and r.json()["error"]["param"] == "model"
    r = await client.post("/v1/chat/completions", json={"model": "chat"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages"


async def test_an_unknown_endpoint_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/chat/completions", json={"model": "nope", "messages": [{"role": "user", "content": "x"}]}
    )
    assert r.status_code == 404 and "nope" in r.json()["error"]["message"]


async def test_a_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/chat/completions", content=b"x" * 5000)
    assert r.status_code == 413


async def test_a_final_429_carries_retry_after(gw: Gateway, client: httpx.AsyncClient) -> None:
    gw.provider.replies["a"] = [failure(ErrorClass.RATE_LIMITED, 429, retry_after=30)]
    gw.provider.replies["b"] = [failure(ErrorClass.RATE_LIMITED, 429, retry_after=30)]
    r = await client.post(
        "/v1/chat/completions", json={"model": "chat", "messages": [{"role": "user", "content": "x"}]}
    )
    assert r.status_code == 429 and r.headers["retry-after"] == "30"
    assert "a (scripted)" in r.json()["error"]["message"]


async def test_retry_after_rounds_a_fraction_up(gw: Gateway, client: httpx.AsyncClient) -> None:
    # Rounding 30.4 s down would tell the caller to come back before the upstream allows it.
    gw.provider.replies["a"] = [failure(ErrorClass.RATE_LIMITED, 429, retry_after=30.4)]
    gw.provider.replies["b"] = [failure(ErrorClass.RATE_LIMITED, 429, retry_after=30.4)]
    r = await client.post(
        "/v1/chat/completions", json={"model": "chat", "messages": [{"role": "user", "content": "x"}]}
    )
    assert r.status_code == 429 and r.headers["retry-after"] == "31"


async def test_streaming_is_sse_ending_in_done(gw: Gateway, client: httpx.AsyncClient) -> None:
    gw.provider.then_stream(
        "a",
        lambda call: [chunk("a", "Hi"), chunk("a", " there"), chunk("a", finish="stop"), usage_chunk(2, 2)],
    )
    body = {
        "model": "chat",
        "messages": [{"role": "user", "content": "x"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    r = await client.post("/v1/chat/completions", json=body)
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in r.text.split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    assert json.loads(events[-2])["usage"]["total_tokens"] == 4


async def test_models_lists_the_endpoints_the_key_may_use(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/models")
    assert [m["id"] for m in r.json()["data"]] == ["chat"]


async def test_mlflow_listing_and_invocation_routes(client: httpx.AsyncClient) -> None:
    listing = (await client.get("/api/2.0/endpoints/")).json()
    [endpoint] = listing["endpoints"]
    assert endpoint["name"] == "chat" and endpoint["endpoint_url"] == "/endpoints/chat/invocations"
    assert endpoint["model"] == {"name": "a", "provider": "scripted"}
    assert listing["next_page_token"] is None
    r = await client.post(
        "/endpoints/chat/invocations", json={"messages": [{"role": "user", "content": "x"}]}
    )
    assert r.status_code == 200 and r.json()["model"] == "a"
