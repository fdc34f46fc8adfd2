"""The cohere adapter against a loopback server speaking the Cohere v2 wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.cohere import CohereClient
from core.domain.audit import Audit
from core.domain.endpoint import Timeouts
from core.domain.failures import ErrorClass, UpstreamError
from core.domain.model_definition import ModelDefinition
from ports.provider import Operation, ProviderClient, StreamChunk, UpstreamCall
from tests.providers.upstream import Cut, FakeUpstream, Reply, sse_data

pytestmark = pytest.mark.anyio
KEY = "co-test-key-1234"
FAST = Timeouts(connect_s=2, first_byte_s=2, idle_s=0.5, total_s=5)
USER = {"messages": [{"role": "user", "content": "Hi"}]}


def _call(
    upstream: FakeUpstream, operation: Operation, payload: dict[str, Any], model: str = "command-a-03-2025"
) -> UpstreamCall:
    definition = ModelDefinition(
        model_definition_id="md-c",
        name="co",
        provider="cohere",
        model_name=model,
        api_base=upstream.url,
        provider_settings={"input_type": "search_query"},
        audit=Audit.new(0, None),
    )
    return UpstreamCall(operation=operation, payload=payload, model=definition, api_key=KEY, timeouts=FAST)


def _answer(
    content: list[dict[str, Any]], finish: str = "COMPLETE", tool_calls: list[Any] | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
        message["tool_plan"] = "I will call the tool."
    return {
        "id": "c5a2f1e0",
        "finish_reason": finish,
        "message": message,
        "usage": {
            "billed_units": {"input_tokens": 5, "output_tokens": 3},
            "tokens": {"input_tokens": 70, "output_tokens": 3},
        },
    }


async def _collect(chunks: AsyncIterator[StreamChunk]) -> list[StreamChunk]:
    return [c async for c in chunks]


async def test_chat_request_and_answer_in_cohere_shapes(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.json(200, _answer([{"type": "text", "text": "Hello!"}])))
    payload = {**USER, "model": "endpoint-x", "response_format": {"type": "json_object"}}
    response = await CohereClient(pools).invoke(_call(upstream, Operation.CHAT, payload))
    [request] = upstream.requests
    assert request.path == "/v2/chat"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json() == {
        "model": "command-a-03-2025",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": False,
        "response_format": {"type": "json_object"},
    }
    body = response.body
    assert body["id"] == "c5a2f1e0"
    assert body["model"] == "command-a-03-2025"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "Hello!"}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 70, "completion_tokens": 3, "total_tokens": 73}


async def test_tool_calls_answer(upstream: FakeUpstream, pools: HttpPools) -> None:
    calls = [
        {
            "id": "get_weather_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
        }
    ]
    upstream.then(Reply.json(200, _answer([], "TOOL_CALL", calls)))
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    response = await CohereClient(pools).invoke(_call(upstream, Operation.CHAT, {**USER, "tools": [tool]}))
    assert upstream.requests[0].json()["tools"] == [tool]
    choice = response.body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    assert choice["message"]["tool_calls"] == calls


async def test_completions_map_to_chat(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.json(200, _answer([{"type": "text", "text": "4"}])))
    response = await CohereClient(pools).invoke(_call(upstream, Operation.COMPLETIONS, {"prompt": "2+2="}))
    assert upstream.requests[0].json()["messages"] == [{"role": "user", "content": "2+2="}]
    assert response.body["object"] == "text_completion"
    assert response.body["choices"][0]["text"] == "4"


STREAM_EVENTS: list[dict[str, Any]] = [
    {
        "id": "29f14a5a",
        "type": "message-start",
        "delta": {
            "message": {
                "role": "assistant",
                "content": [],
                "tool_plan": "",
                "tool_calls": [],
                "citations": [],
            }
        },
    },
    {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Large "}}}},
    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "language"}}}},
    {"type": "content-end", "index": 0},
    {
        "type": "message-end",
        "delta": {
            "finish_reason": "COMPLETE",
            "usage": {
                "billed_units": {"input_tokens": 4, "output_tokens": 2},
                "tokens": {"input_tokens": 60, "output_tokens": 2},
            },
        },
    },
]


def _frames(events: list[dict[str, Any]]) -> list[bytes]:
    return [sse_data(e, event=e["type"]) for e in events]


async def test_stream_events_become_chunks_with_usage(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.sse(_frames(STREAM_EVENTS)))
    chunks = await _collect(CohereClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    request = upstream.requests[0]
    assert request.json()["stream"] is True
    assert request.headers["accept"] == "text/event-stream"
    assert "".join(c.text for c in chunks) == "Large language"
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    usage = chunks[-1].usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (60, 2)


async def test_a_stream_cut_before_message_end_is_a_mid_stream_failure(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.sse([*_frames(STREAM_EVENTS[:4]), Cut()]))
    received: list[str] = []
    with pytest.raises(UpstreamError) as caught:
        async for chunk in CohereClient(pools).stream(_call(upstream, Operation.CHAT, USER)):
            received.append(chunk.text)
    assert "".join(received) == "Large language"
    assert caught.value.failure.error_class is ErrorClass.CONNECTION
    assert caught.value.failure.before_first_byte is False


async def test_an_error_finish_mid_stream_raises_instead_of_finishing(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    events = [*STREAM_EVENTS[:3], {"type": "message-end", "delta": {"finish_reason": "ERROR"}}]
    upstream.then(Reply.sse(_frames(events)))
    with pytest.raises(UpstreamError) as caught:
        await _collect(CohereClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR
    assert caught.value.failure.before_first_byte is False


@pytest.mark.parametrize(
    ("status", "message", "headers", "expected", "retry_after"),
    [
        (
            429,
            "You are using a Trial key, which is limited to 10 API calls / minute.",
            {"retry-after": "1"},
            ErrorClass.RATE_LIMITED,
            1.0,
        ),
        (429, "rate limit exceeded", {}, ErrorClass.RATE_LIMITED, None),
        (503, "service unavailable", {}, ErrorClass.SERVER_ERROR, None),
        (401, "invalid api token", {}, ErrorClass.AUTH, None),
        (404, "model 'command-z' not found", {}, ErrorClass.MODEL_NOT_FOUND, None),
        (
            400,
            "too many tokens: total number of tokens in the prompt cannot exceed 128000 - received 130000.",
            {},
            ErrorClass.CONTEXT_LENGTH,
            None,
        ),
        (
            400,
            "invalid request: message must be at least 1 token long.",
            {},
            ErrorClass.INVALID_REQUEST,
            None,
        ),
    ],
)
async def test_error_bodies_are_classified(
    upstream: FakeUpstream,
    pools: HttpPools,
    status: int,
    message: str,
    headers: dict[str, str],
    expected: ErrorClass,
    retry_after: float | None,
) -> None:
    upstream.then(Reply.json(status, {"id": "0c4e52ad-err", "message": message}, headers))
    with pytest.raises(UpstreamError) as caught:
        await CohereClient(pools).invoke(_call(upstream, Operation.CHAT, USER))
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (expected, status, retry_after)
    assert failure.message == f"cohere: {message}"


async def test_embeddings_use_v2_embed_with_input_type(upstream: FakeUpstream, pools: HttpPools) -> None:
    answer = {
        "id": "emb-1",
        "embeddings": {"float": [[0.1, 0.2], [0.3, 0.4]]},
        "texts": ["a", "b"],
        "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 2}},
    }
    upstream.then(Reply.json(200, answer))
    call = _call(upstream, Operation.EMBEDDINGS, {"input": ["a", "b"]}, "embed-v4.0")
    response = await CohereClient(pools).invoke(call)
    [request] = upstream.requests
    assert request.path == "/v2/embed"
    assert request.json() == {
        "model": "embed-v4.0",
        "texts": ["a", "b"],
        "input_type": "search_query",
        "embedding_types": ["float"],
    }
    assert [d["embedding"] for d in response.body["data"]] == [[0.1, 0.2], [0.3, 0.4]]
    assert response.body["usage"] == {"prompt_tokens": 2, "total_tokens": 2}


def test_the_client_satisfies_the_provider_port() -> None:
    client: ProviderClient = CohereClient(HttpPools())
    assert client.supports_prefill is False
