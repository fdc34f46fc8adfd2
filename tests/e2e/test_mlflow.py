"""MLflow's own deployments client, unchanged, against a running gateway (PRODUCT §4).

`get_deploy_client(url)` with `MLFLOW_TRACKING_TOKEN` set to a gateway key lists endpoints
(following next_page_token), gets one and predicts chat, completions and embeddings.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.gateway import Gateway

mlflow_deployments = pytest.importorskip("mlflow.deployments")
import requests  # noqa: E402 - installed with mlflow-skinny

# More endpoints than one page of the listing (100), so the client must follow next_page_token.
PAGED = 105


@pytest.fixture(scope="module")
def endpoints(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """PAGED mock endpoints, made in one `switchboard config apply` (as an operator would)."""
    prefix = f"mlflow-{uuid.uuid4().hex[:6]}"
    lines = [
        "model_definitions:",
        f"  - {{name: {prefix}-mock, provider: mock, model_name: {prefix}-model}}",
        "endpoints:",
        *(
            f"  - {{name: {prefix}-{i:03d}, model_mappings: [{{model: {prefix}-mock}}]}}"
            for i in range(PAGED)
        ),
    ]
    config: Path = tmp_path_factory.mktemp("mlflow") / "gateway.yaml"
    config.write_text("\n".join(lines) + "\n")
    gateway.switchboard("config", "apply", str(config))
    names = [f"{prefix}-{i:03d}" for i in range(PAGED)]
    gateway.wait_until_callable(names[-1])  # applied to the database: live within one poll
    return names


@pytest.fixture
def client(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", gateway.admin_key)
    return mlflow_deployments.get_deploy_client(gateway.url)


def test_list_endpoints_follows_the_pages(client: Any, gateway: Gateway, endpoints: list[str]) -> None:
    first_page = httpx.get(
        f"{gateway.url}/api/2.0/endpoints/", headers={"authorization": f"Bearer {gateway.admin_key}"}
    ).json()
    assert first_page["next_page_token"]  # the listing is paged ...
    listed = client.list_endpoints()
    names = [e.name for e in listed]
    assert len(names) == len(set(names)) > len(first_page["endpoints"])  # ... and the client read every page
    assert set(endpoints) <= set(names)
    one = next(e for e in listed if e.name == endpoints[0])
    assert one.endpoint_type == "llm/v1/chat"
    assert one.model.provider == "mock"
    assert one.endpoint_url == f"{gateway.url}/endpoints/{endpoints[0]}/invocations"


def test_get_endpoint(client: Any, gateway: Gateway, endpoints: list[str]) -> None:
    endpoint = client.get_endpoint(endpoints[1])
    assert endpoint.name == endpoints[1]
    assert endpoint.model.name.endswith("-model") and endpoint.model.provider == "mock"
    assert endpoint.endpoint_url == f"{gateway.url}/endpoints/{endpoints[1]}/invocations"


def test_predict_chat(client: Any, endpoints: list[str]) -> None:
    answer = client.predict(endpoint=endpoints[0], inputs={"messages": [{"role": "user", "content": "Hi"}]})
    assert answer["object"] == "chat.completion"
    assert answer["choices"][0]["message"]["content"] == "Mock answer to: Hi"


def test_predict_completions(client: Any, endpoints: list[str]) -> None:
    answer = client.predict(endpoint=endpoints[0], inputs={"prompt": "Once upon", "max_tokens": 50})
    assert answer["object"] == "text_completion"
    assert answer["choices"][0]["text"] == "Mock answer to: Once upon"


def test_predict_embeddings(client: Any, endpoints: list[str]) -> None:
    answer = client.predict(endpoint=endpoints[0], inputs={"input": ["a", "b"]})
    assert [item["index"] for item in answer["data"]] == [0, 1]
    assert len(answer["data"][0]["embedding"]) == 16


def test_a_wrong_token_is_refused(
    gateway: Gateway, endpoints: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "sb-not-a-key")
    stranger = mlflow_deployments.get_deploy_client(gateway.url)
    with pytest.raises(requests.HTTPError, match="401"):
        stranger.get_endpoint(endpoints[0])
