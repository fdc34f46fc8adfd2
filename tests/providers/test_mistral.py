"""The mistral adapter against a loopback server speaking Mistral's chat and embeddings API."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.mistral import MistralClient, PrefixEcho, tool_call_id
from core.domain.failures import ErrorClass, UpstreamError
from ports.provider import Operation, TokenUsage, UpstreamCall
from tests.providers.calls import SECRET, drain, drain_until_failure, make_call, text_of
from tests.providers.upstream import FakeUpstream, Reply, sse_data

pytestmark = pytest.mark.anyio

TOOL = {
    "type": "function",
    "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}},
}


def _call(upstream: FakeUpstream, payload: dict[str, Any], **kwargs: Any) -> UpstreamCall:
    return make_call(
        payload,
        provider="mistral",
        model_name="mistral-small-latest",
        api_base=upstream.url + "/v1",
        **kwargs,
    )


@pytest.fixture
def client(pools: HttpPools) -> MistralClient:
    return MistralClient(pools)


def _answer(content: Any, finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "cmpl-e5cc70bb28c444948073e77776eb30ef",
        "object": "chat.completion",
        "created": 1702256327,
        "model": "mistral-small-latest",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "tool_calls": None},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 16, "completion_tokens": 34, "total_tokens": 50},
    }


def _chunk(content: str, finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
    chunk: dict[str, Any] = {
        "id": "b1c9f3a1",
        "object": "chat.completion.chunk",
        "created": 1702256327,
        "model": "mistral-small-latest",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }
    if usage:
        chunk["usage"] = usage
    return sse_data(chunk)


async def test_the_request_keeps_only_mistral_fields_and_maps_openai_ones(
    upstream: FakeUpstream, client: MistralClient
) -> None:
    upstream.then(Reply.json(200, _answer("Paris.")))
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Answer briefly."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Where is this?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/eiffel.jpg"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_Xy12_long-id",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_Xy12_long-id", "content": "Eiffel tower"},
    ]
    schema = {
        "type": "json_schema",
        "json_schema": {"name": "place", "schema": {"type": "object"}, "strict": True},
    }
    payload = {
        "messages": messages,
        "tools": [TOOL],
        "tool_choice": "required",
        "response_format": schema,
        "seed": 7,
        "max_completion_tokens": 64,
        "user": "alice",
        "stream_options": {"include_usage": True},
        "logprobs": True,
    }
    response = await client.invoke(_call(upstream, payload))

    request = upstream.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    sent = request.json()
    mapped_id = tool_call_id("call_Xy12_long-id")
    assert len(mapped_id) == 9 and mapped_id.isalnum()
    assert sent == {
        "model": "mistral-small-latest",
        "stream": False,
        "messages": [
            messages[0],
            messages[1],
            {**messages[2], "tool_calls": [{**messages[2]["tool_calls"][0], "id": mapped_id}]},
            {**messages[3], "tool_call_id": mapped_id},
        ],
        "tools": [TOOL],
        "tool_choice": "any",
        "response_format": schema,
        "random_seed": 7,
        "max_tokens": 64,
    }
    assert response.body["choices"][0]["message"]["content"] == "Paris."
    assert response.usage == TokenUsage(16, 34)


async def test_a_stream_reads_usage_from_the_last_chunk_and_maps_model_length(
    upstream: FakeUpstream, client: MistralClient
) -> None:
    usage = {"prompt_tokens": 10, "total_tokens": 13, "completion_tokens": 3}
    upstream.then(
        Reply.sse([_chunk("Bon"), _chunk("jour"), _chunk("", "model_length", usage), b"data: [DONE]\n\n"])
    )
    chunks = await drain(client.stream(_call(upstream, {"messages": [{"role": "user", "content": "Hi"}]})))
    sent = upstream.requests[0].json()
    assert sent["stream"] is True and "stream_options" not in sent
    assert text_of(chunks) == "Bonjour"
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["length"]
    assert [c.usage for c in chunks if c.usage] == [TokenUsage(10, 3)]


async def test_a_prefill_is_a_prefix_message_and_an_echoed_prefix_is_not_repeated(
    upstream: FakeUpstream, client: MistralClient
) -> None:
    upstream.then(
        Reply.sse(
            [_chunk("The capital"), _chunk(" of France"), _chunk(" is Paris.", "stop"), b"data: [DONE]\n\n"]
        ),
        Reply.json(200, _answer(" is Paris.")),
    )
    call = _call(
        upstream, {"messages": [{"role": "user", "content": "Capital?"}]}, prefill="The capital of France"
    )
    chunks = await drain(client.stream(call))
    answer = await client.invoke(call)

    assert client.supports_prefill
    assert upstream.requests[0].json()["messages"][-1] == {
        "role": "assistant",
        "content": "The capital of France",
        "prefix": True,
    }
    assert text_of(chunks) == " is Paris."
    assert answer.body["choices"][0]["message"]["content"] == " is Paris."


def test_prefix_echo_passes_a_continuation_through_and_strips_a_repeat() -> None:
    echo = PrefixEcho("Hello wor")
    assert [echo.feed("Hel"), echo.feed("lo"), echo.feed(" world!")] == ["", "", "ld!"]
    other = PrefixEcho("Hello")
    assert [other.feed("He"), other.feed("y!")] == ["", "Hey!"]


async def test_a_finish_in_error_is_a_mid_stream_failure(
    upstream: FakeUpstream, client: MistralClient
) -> None:
    upstream.then(Reply.sse([_chunk("Par"), _chunk("", "error")]))
    received, error = await drain_until_failure(
        client.stream(_call(upstream, {"messages": [{"role": "user", "content": "Hi"}]}))
    )
    assert text_of(received) == "Par"
    assert error.failure.error_class is ErrorClass.SERVER_ERROR
    assert not error.failure.before_first_byte


async def test_completions_are_served_as_chat(upstream: FakeUpstream, client: MistralClient) -> None:
    upstream.then(
        Reply.json(200, _answer("Once upon a time")),
        Reply.sse([_chunk("Once"), _chunk(" upon", "stop"), b"data: [DONE]\n\n"]),
    )
    completion = await client.invoke(_call(upstream, {"prompt": "Begin"}, operation=Operation.COMPLETIONS))
    chunks = await drain(client.stream(_call(upstream, {"prompt": "Begin"}, operation=Operation.COMPLETIONS)))

    assert upstream.requests[0].path == "/v1/chat/completions"
    assert upstream.requests[0].json()["messages"] == [{"role": "user", "content": "Begin"}]
    assert completion.body["object"] == "text_completion"
    assert completion.body["choices"][0]["text"] == "Once upon a time"
    assert [c.data["object"] for c in chunks] == ["text_completion", "text_completion"]
    assert chunks[0].data["choices"][0]["text"] == "Once"
    assert text_of(chunks) == "Once upon"


async def test_embeddings(upstream: FakeUpstream, client: MistralClient) -> None:
    upstream.then(
        Reply.json(
            200,
            {
                "id": "e1",
                "object": "list",
                "data": [{"object": "embedding", "embedding": [-0.016, 0.027], "index": 0}],
                "model": "mistral-embed",
                "usage": {"prompt_tokens": 6, "total_tokens": 6, "completion_tokens": 0},
            },
        )
    )
    response = await client.invoke(
        _call(
            upstream,
            {"input": ["Embed this"], "encoding_format": "base64", "dimensions": 2},
            operation=Operation.EMBEDDINGS,
        )
    )
    assert upstream.requests[0].path == "/v1/embeddings"
    assert upstream.requests[0].json() == {
        "model": "mistral-small-latest",
        "input": ["Embed this"],
        "output_dimension": 2,
    }
    assert response.body["data"][0]["embedding"] == [-0.016, 0.027]
    assert response.usage == TokenUsage(6, 0)


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_class"),
    [
        pytest.param(401, {"message": "Unauthorized", "request_id": "a1b2"}, {}, ErrorClass.AUTH, id="401"),
        pytest.param(
            429,
            {"message": "Requests rate limit exceeded"},
            {"retry-after": "1"},
            ErrorClass.RATE_LIMITED,
            id="429",
        ),
        pytest.param(
            400,
            {
                "object": "error",
                "message": "Prompt contains 40170 tokens and 0 draft tokens, too large for model with 32768 "
                "maximum context length",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            },
            {},
            ErrorClass.CONTEXT_LENGTH,
            id="400-context",
        ),
        pytest.param(
            422,
            {
                "object": "error",
                "message": {
                    "detail": [{"type": "missing", "loc": ["body", "messages"], "msg": "Field required"}]
                },
                "type": "invalid_request_message_error",
                "param": None,
                "code": None,
            },
            {},
            ErrorClass.INVALID_REQUEST,
            id="422",
        ),
        pytest.param(
            503,
            {
                "object": "error",
                "message": "Service unavailable.",
                "type": "internal_server_error",
                "code": "1000",
            },
            {},
            ErrorClass.SERVER_ERROR,
            id="503",
        ),
    ],
)
async def test_mistral_error_bodies_are_classified(
    upstream: FakeUpstream,
    client: MistralClient,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    error_class: ErrorClass,
) -> None:
    upstream.then(Reply.json(status, body, headers))
    with pytest.raises(UpstreamError) as caught:
        await client.invoke(_call(upstream, {"messages": [{"role": "user", "content": "Hi"}]}))
    assert (caught.value.failure.error_class, caught.value.failure.status) == (error_class, status)
