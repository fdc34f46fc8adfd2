"""The azure_openai adapter against a loopback server speaking Azure OpenAI's deployment routes."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.azure_openai import DEFAULT_API_VERSION, AzureOpenAIClient
from core.domain.failures import ErrorClass, UpstreamError
from ports.provider import Operation, TokenUsage, UpstreamCall
from tests.providers.calls import SECRET, drain, make_call, text_of
from tests.providers.upstream import FakeUpstream, Reply, sse_data

pytestmark = pytest.mark.anyio

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
FILTER_RESULTS = {
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
}


def _call(upstream: FakeUpstream, payload: dict[str, Any], **kwargs: Any) -> UpstreamCall:
    return make_call(payload, provider="azure_openai", model_name="gpt-4o", api_base=upstream.url, **kwargs)


@pytest.fixture
def client(pools: HttpPools) -> AzureOpenAIClient:
    return AzureOpenAIClient(pools)


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "content_filter_results": FILTER_RESULTS}
    return {
        "id": "chatcmpl-A1",
        "object": "chat.completion.chunk",
        "created": 1727000000,
        "model": "gpt-4o-2024-08-06",
        "system_fingerprint": "fp_5",
        "choices": [choice],
    }


async def test_chat_goes_to_the_deployment_route_with_the_api_key_header(
    upstream: FakeUpstream, client: AzureOpenAIClient
) -> None:
    answer = {
        "id": "chatcmpl-A1",
        "object": "chat.completion",
        "created": 1727000000,
        "model": "gpt-4o-2024-08-06",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": FILTER_RESULTS}],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello!"},
                "finish_reason": "stop",
                "content_filter_results": FILTER_RESULTS,
            }
        ],
        "usage": {"prompt_tokens": 14, "completion_tokens": 2, "total_tokens": 16},
    }
    upstream.then(Reply.json(200, answer))
    response = await client.invoke(
        _call(
            upstream,
            {"messages": MESSAGES},
            settings={"deployment_name": "prod-4o", "api_version": "2024-06-01"},
        )
    )
    request = upstream.requests[0]
    assert request.path == "/openai/deployments/prod-4o/chat/completions"
    assert request.query == {"api-version": "2024-06-01"}
    assert request.headers["api-key"] == SECRET
    assert "authorization" not in request.headers
    assert request.json()["messages"] == MESSAGES
    assert response.body["model"] == "gpt-4o-2024-08-06"
    assert response.usage == TokenUsage(14, 2)


async def test_defaults_and_entra_id_tokens(upstream: FakeUpstream, client: AzureOpenAIClient) -> None:
    upstream.then(
        Reply.json(
            200,
            {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
                "model": "text-embedding-3-small",
                "usage": {"prompt_tokens": 2, "total_tokens": 2},
            },
        )
    )
    await client.invoke(
        _call(
            upstream,
            {"input": "hello"},
            operation=Operation.EMBEDDINGS,
            auth_config={"auth_type": "azure_ad"},
        )
    )
    request = upstream.requests[0]
    assert request.path == "/openai/deployments/gpt-4o/embeddings"
    assert request.query == {"api-version": DEFAULT_API_VERSION}
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert "api-key" not in request.headers


async def test_a_stream_drops_the_prompt_filter_chunk_and_asks_for_usage(
    upstream: FakeUpstream, client: AzureOpenAIClient
) -> None:
    prompt_filter = {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": FILTER_RESULTS}],
    }
    usage = {
        **_chunk({}),
        "choices": [],
        "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11},
    }
    upstream.then(
        Reply.sse(
            [
                sse_data(prompt_filter),
                sse_data(_chunk({"role": "assistant", "content": ""})),
                sse_data(_chunk({"content": "Hi"})),
                sse_data(_chunk({"content": " you"})),
                sse_data(_chunk({}, "stop")),
                sse_data(usage),
                b"data: [DONE]\n\n",
            ]
        )
    )
    chunks = await drain(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert upstream.requests[0].json()["stream_options"] == {"include_usage": True}
    assert chunks[0].data["id"] == "chatcmpl-A1"
    assert text_of(chunks) == "Hi you"
    assert [c.usage for c in chunks if c.usage] == [TokenUsage(9, 2)]


CONTENT_FILTER = {
    "error": {
        "message": "The response was filtered due to the prompt triggering Azure OpenAI's content management "
        "policy. Please modify your prompt and retry.",
        "type": None,
        "param": "prompt",
        "code": "content_filter",
        "status": 400,
        "innererror": {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_result": {**FILTER_RESULTS, "violence": {"filtered": True, "severity": "high"}},
        },
    }
}


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_class", "retry_after"),
    [
        pytest.param(400, CONTENT_FILTER, {}, ErrorClass.CONTENT_POLICY, None, id="400-content-filter"),
        pytest.param(
            429,
            {
                "error": {
                    "code": "429",
                    "message": "Requests to the ChatCompletions_Create Operation under Azure OpenAI API "
                    "version 2024-10-21 have exceeded token rate limit of your current pricing tier. "
                    "Please retry after 6 seconds.",
                }
            },
            {"retry-after": "6", "retry-after-ms": "6000"},
            ErrorClass.RATE_LIMITED,
            6.0,
            id="429",
        ),
        pytest.param(
            401,
            {
                "error": {
                    "code": "401",
                    "message": "Access denied due to invalid subscription key or wrong API endpoint.",
                }
            },
            {},
            ErrorClass.AUTH,
            None,
            id="401",
        ),
        pytest.param(
            404,
            {
                "error": {
                    "code": "DeploymentNotFound",
                    "message": "The API deployment for this resource does not exist.",
                }
            },
            {},
            ErrorClass.MODEL_NOT_FOUND,
            None,
            id="404-deployment",
        ),
        pytest.param(
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 128000 tokens.",
                    "type": "invalid_request_error",
                    "param": "messages",
                    "code": "context_length_exceeded",
                }
            },
            {},
            ErrorClass.CONTEXT_LENGTH,
            None,
            id="400-context-length",
        ),
    ],
)
async def test_azure_error_bodies_are_classified(
    upstream: FakeUpstream,
    client: AzureOpenAIClient,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    error_class: ErrorClass,
    retry_after: float | None,
) -> None:
    upstream.then(Reply.json(status, body, headers))
    with pytest.raises(UpstreamError) as caught:
        await client.invoke(_call(upstream, {"messages": MESSAGES}))
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (error_class, status, retry_after)
    assert body["error"]["message"][:30] in failure.message


async def test_a_model_without_api_base_falls_through_to_the_next_model(client: AzureOpenAIClient) -> None:
    call = make_call({"messages": MESSAGES}, provider="azure_openai", model_name="gpt-4o", api_base=None)
    with pytest.raises(UpstreamError) as caught:
        await client.invoke(call)
    assert caught.value.failure.error_class is ErrorClass.MODEL_NOT_FOUND
