"""The openai adapter against a loopback server speaking OpenAI's Chat Completions, Completions
and Embeddings wire format: requests field by field, answers, SSE streams, errors and faults."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.openai_compat import OpenAICompatibleClient
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, UpstreamError
from ports.provider import Operation, TokenUsage, UpstreamCall
from tests.providers.calls import SECRET, drain, drain_until_failure, make_call, text_of
from tests.providers.upstream import Cut, FakeUpstream, Pause, Reply, sse_data

pytestmark = pytest.mark.anyio

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        ],
    },
]


def _call(upstream: FakeUpstream, payload: dict[str, Any], **kwargs: Any) -> UpstreamCall:
    kwargs.setdefault("operation", Operation.CHAT)
    return make_call(
        payload, provider="openai", model_name="gpt-4o-mini", api_base=upstream.url + "/v1", **kwargs
    )


def _completion(content: str | None = "A red bicycle.", **message: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None, **message},
                "logprobs": None,
                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 19,
            "completion_tokens": 10,
            "total_tokens": 29,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_06737a9306",
    }


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-123",
        "object": "chat.completion.chunk",
        "created": 1694268190,
        "model": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        "usage": None,
    }


USAGE_CHUNK = {
    "id": "chatcmpl-123",
    "object": "chat.completion.chunk",
    "created": 1694268190,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [],
    "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
}
HELLO_STREAM = [
    sse_data(_chunk({"role": "assistant", "content": "", "refusal": None})),
    sse_data(_chunk({"content": "Hello"})),
    sse_data(_chunk({"content": " there"})),
    sse_data(_chunk({}, "stop")),
    sse_data(USAGE_CHUNK),
    b"data: [DONE]\n\n",
]


@pytest.fixture
def client(pools: HttpPools) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(pools)


async def test_chat_request_goes_out_field_by_field_and_the_answer_is_relayed_as_received(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.json(200, _completion()))
    payload = {
        "messages": MESSAGES,
        "tools": [WEATHER_TOOL],
        "tool_choice": "auto",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
        },
        "temperature": 0.2,
        "max_tokens": 50,
    }
    response = await client.invoke(_call(upstream, payload))

    request = upstream.requests[0]
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.headers["content-type"] == "application/json"
    sent = request.json()
    assert sent == {**payload, "model": "gpt-4o-mini", "stream": False}
    assert response.body["model"] == "gpt-4o-mini-2024-07-18"
    assert response.body["choices"][0]["message"]["content"] == "A red bicycle."
    assert response.raw == json.dumps(_completion()).encode()
    assert response.usage == TokenUsage(19, 10)


async def test_organization_and_project_headers_come_from_the_settings(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.json(200, _completion()))
    settings = {"organization": "org-42", "project": "proj_7"}
    await client.invoke(_call(upstream, {"messages": MESSAGES}, settings=settings))
    headers = upstream.requests[0].headers
    assert (headers["openai-organization"], headers["openai-project"]) == ("org-42", "proj_7")


async def test_tool_calls_in_an_answer_reach_the_caller(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    call_json = {
        "id": "call_abc123",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    }
    upstream.then(Reply.json(200, _completion(None, tool_calls=[call_json])))
    response = await client.invoke(_call(upstream, {"messages": MESSAGES, "tools": [WEATHER_TOOL]}))
    choice = response.body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"] == [call_json]


async def test_embeddings_and_completions_use_their_own_routes(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    embeddings = {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.0023064255, -0.009327292]}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 8, "total_tokens": 8},
    }
    completion = {
        "id": "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7",
        "object": "text_completion",
        "created": 1589478378,
        "model": "gpt-3.5-turbo-instruct",
        "choices": [{"text": "\n\nThis is a test.", "index": 0, "logprobs": None, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
    }
    upstream.then(Reply.json(200, embeddings), Reply.json(200, completion))

    embedded = await client.invoke(
        _call(upstream, {"input": "The food was delicious"}, operation=Operation.EMBEDDINGS)
    )
    completed = await client.invoke(
        _call(upstream, {"prompt": "Say this is a test", "max_tokens": 7}, operation=Operation.COMPLETIONS)
    )

    assert [r.path for r in upstream.requests] == ["/v1/embeddings", "/v1/completions"]
    assert upstream.requests[0].json() == {"input": "The food was delicious", "model": "gpt-4o-mini"}
    assert upstream.requests[1].json()["prompt"] == "Say this is a test"
    assert embedded.body["data"][0]["embedding"] == [0.0023064255, -0.009327292]
    assert embedded.usage == TokenUsage(8, 0)
    assert completed.body["choices"][0]["text"] == "\n\nThis is a test."
    assert completed.usage == TokenUsage(5, 7)


async def test_a_stream_asks_for_usage_and_relays_each_chunk_with_its_raw_bytes(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.sse(HELLO_STREAM))
    chunks = await drain(client.stream(_call(upstream, {"messages": MESSAGES, "stream": True})))

    sent = upstream.requests[0].json()
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert text_of(chunks) == "Hello there"
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert chunks[1].raw == json.dumps(_chunk({"content": "Hello"})).encode()
    assert chunks[1].data["object"] == "chat.completion.chunk"
    assert [c.usage for c in chunks if c.usage] == [TokenUsage(12, 3)]


async def test_chunks_received_together_say_that_more_is_ready(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    # The gateway sends chunks already received to its caller in one write; one that waited
    # for the network is flagged as the last of its batch, so it is never held back.
    together = b"".join(HELLO_STREAM[:3])
    upstream.then(Reply.sse([together, Pause(0.05), *HELLO_STREAM[3:]]))
    chunks = await drain(client.stream(_call(upstream, {"messages": MESSAGES, "stream": True})))

    assert text_of(chunks) == "Hello there"
    assert [c.more_ready for c in chunks[:3]] == [True, True, False]
    assert [c.usage for c in chunks if c.usage] == [TokenUsage(12, 3)]


async def test_a_streamed_tool_call_is_flagged(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    first = {
        "index": 0,
        "id": "call_9",
        "type": "function",
        "function": {"name": "get_weather", "arguments": ""},
    }
    upstream.then(
        Reply.sse(
            [
                sse_data(_chunk({"role": "assistant", "content": None, "tool_calls": [first]})),
                sse_data(
                    _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":"Oslo"}'}}]})
                ),
                sse_data(_chunk({}, "tool_calls")),
                b"data: [DONE]\n\n",
            ]
        )
    )
    chunks = await drain(client.stream(_call(upstream, {"messages": MESSAGES, "tools": [WEATHER_TOOL]})))
    assert [c.has_tool_calls for c in chunks] == [True, True, False]
    assert chunks[-1].finish_reason == "tool_calls"


async def test_a_streamed_completion_reads_choice_text(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    def piece(text: str, finish: str | None = None) -> bytes:
        body = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "gpt-3.5-turbo-instruct"}
        return sse_data(
            {**body, "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}]}
        )

    upstream.then(Reply.sse([piece("Once"), piece(" upon"), piece("", "length"), b"data: [DONE]\n\n"]))
    chunks = await drain(client.stream(_call(upstream, {"prompt": "Tell"}, operation=Operation.COMPLETIONS)))
    assert upstream.requests[0].path == "/v1/completions"
    assert text_of(chunks) == "Once upon"
    assert chunks[-1].finish_reason == "length"


async def test_a_stream_without_done_after_its_finish_ends_normally(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.sse(HELLO_STREAM[:-1]))
    chunks = await drain(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert text_of(chunks) == "Hello there"
    assert [c.usage for c in chunks if c.usage] == [TokenUsage(12, 3)]


async def test_a_stream_that_ends_without_any_finish_was_cut(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.sse(HELLO_STREAM[:3]))
    received, error = await drain_until_failure(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert text_of(received) == "Hello there"
    assert error.failure.error_class is ErrorClass.CONNECTION
    assert not error.failure.before_first_byte


async def test_a_connection_cut_halfway_is_a_mid_stream_connection_failure(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.sse([*HELLO_STREAM[:2], Cut()]))
    received, error = await drain_until_failure(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert text_of(received) == "Hello"
    assert error.failure.error_class is ErrorClass.CONNECTION
    assert not error.failure.before_first_byte


async def test_a_malformed_chunk_is_skipped(upstream: FakeUpstream, client: OpenAICompatibleClient) -> None:
    upstream.then(Reply.sse([HELLO_STREAM[1], b'data: {"id": "chatcmpl-123", "choi\n\n', *HELLO_STREAM[2:]]))
    chunks = await drain(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert text_of(chunks) == "Hello there"


async def test_a_stream_that_stalls_times_out_mid_stream(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.sse([*HELLO_STREAM[:2], Pause(3), *HELLO_STREAM[2:]]))
    received, error = await drain_until_failure(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert text_of(received) == "Hello"
    assert error.failure.error_class is ErrorClass.TIMEOUT
    assert not error.failure.before_first_byte


async def test_an_error_event_mid_stream_is_a_mid_stream_server_error(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    error_event = {
        "error": {"message": "The server had an error processing your request.", "type": "server_error"}
    }
    upstream.then(Reply.sse([*HELLO_STREAM[:2], sse_data(error_event)]))
    received, error = await drain_until_failure(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert text_of(received) == "Hello"
    assert error.failure.error_class is ErrorClass.SERVER_ERROR
    assert not error.failure.before_first_byte


async def test_an_error_event_quoting_the_key_never_carries_it_on(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    error_event = {"error": {"message": f"Incorrect API key provided: {SECRET}", "type": "server_error"}}
    upstream.then(Reply.sse([*HELLO_STREAM[:2], sse_data(error_event)]))
    _, error = await drain_until_failure(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert SECRET not in error.failure.message and SECRET not in str(error)
    assert "Incorrect API key provided" in error.failure.message


def _error(message: str, error_type: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


ERRORS = [
    pytest.param(
        429,
        _error(
            "Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3.",
            "requests",
            "rate_limit_exceeded",
        ),
        {"retry-after": "20"},
        ErrorClass.RATE_LIMITED,
        20.0,
        id="429-retry-after",
    ),
    pytest.param(
        500,
        _error(
            "The server had an error while processing your request. Sorry about that!", "server_error", None
        ),
        {},
        ErrorClass.SERVER_ERROR,
        None,
        id="500",
    ),
    pytest.param(
        503,
        _error("The engine is currently overloaded, please try again later.", "server_error", None),
        {},
        ErrorClass.SERVER_ERROR,
        None,
        id="503",
    ),
    pytest.param(
        400,
        _error(
            "This model's maximum context length is 128000 tokens. However, your messages resulted in "
            "130412 tokens. Please reduce the length of the messages.",
            "invalid_request_error",
            "context_length_exceeded",
            "messages",
        ),
        {},
        ErrorClass.CONTEXT_LENGTH,
        None,
        id="400-context-length",
    ),
    pytest.param(
        400,
        _error(
            "Your request was rejected as a result of our safety system.",
            "invalid_request_error",
            "content_policy_violation",
        ),
        {},
        ErrorClass.CONTENT_POLICY,
        None,
        id="400-content-policy",
    ),
    pytest.param(
        400,
        _error(
            "Invalid value for 'temperature': expected a number.",
            "invalid_request_error",
            None,
            "temperature",
        ),
        {},
        ErrorClass.INVALID_REQUEST,
        None,
        id="400-invalid",
    ),
    pytest.param(
        401,
        _error(
            f"Incorrect API key provided: {SECRET}. You can find your API key at https://platform.openai.com.",
            "invalid_request_error",
            "invalid_api_key",
        ),
        {},
        ErrorClass.AUTH,
        None,
        id="401",
    ),
    pytest.param(
        404,
        _error(
            "The model `gpt-9` does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        ),
        {},
        ErrorClass.MODEL_NOT_FOUND,
        None,
        id="404-model",
    ),
]


@pytest.mark.parametrize(("status", "body", "headers", "error_class", "retry_after"), ERRORS)
@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
async def test_error_answers_are_classified_without_leaking_the_key(
    upstream: FakeUpstream,
    client: OpenAICompatibleClient,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    error_class: ErrorClass,
    retry_after: float | None,
    streaming: bool,
) -> None:
    upstream.then(Reply.json(status, body, headers))
    call = _call(upstream, {"messages": MESSAGES})
    with pytest.raises(UpstreamError) as caught:
        if streaming:
            await drain(client.stream(call))
        else:
            await client.invoke(call)
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (error_class, status, retry_after)
    assert failure.before_first_byte
    assert body["error"]["message"].split(":")[0] in failure.message
    assert SECRET not in str(caught.value)


async def test_prefill_is_refused_without_calling_the_upstream(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    assert client.supports_prefill is False
    with pytest.raises(UpstreamError) as caught:
        await drain(client.stream(_call(upstream, {"messages": MESSAGES}, prefill="Hello")))
    assert caught.value.failure.error_class is ErrorClass.INVALID_REQUEST
    assert upstream.requests == []


async def test_embeddings_cannot_be_streamed(upstream: FakeUpstream, client: OpenAICompatibleClient) -> None:
    with pytest.raises(Unsupported, match="openai"):
        await drain(client.stream(_call(upstream, {"input": "x"}, operation=Operation.EMBEDDINGS)))


async def test_a_compatible_server_without_a_key_and_with_its_own_error_shape(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    # Ollama's OpenAI-compatible endpoint: no auth, and errors as {"error": {"message": ...}} or text.
    upstream.then(
        Reply.json(
            404, {"error": {"message": 'model "llama9" not found, try pulling it first', "type": "api_error"}}
        ),
        Reply.json(
            400,
            {
                "object": "error",
                "message": "This model's maximum context length is 4096 tokens.",
                "type": "BadRequestError",
                "param": None,
                "code": 400,
            },
        ),
    )
    call = make_call(
        {"messages": MESSAGES},
        provider="openai",
        model_name="llama9",
        api_base=upstream.url + "/v1/",
        api_key=None,
    )
    with pytest.raises(UpstreamError) as missing:
        await client.invoke(call)
    with pytest.raises(UpstreamError) as too_long:
        await client.invoke(call)
    assert "authorization" not in upstream.requests[0].headers
    assert upstream.requests[0].path == "/v1/chat/completions"
    assert missing.value.failure.error_class is ErrorClass.MODEL_NOT_FOUND
    assert too_long.value.failure.error_class is ErrorClass.CONTEXT_LENGTH


async def test_consecutive_calls_share_one_pooled_connection(
    upstream: FakeUpstream, client: OpenAICompatibleClient
) -> None:
    upstream.then(Reply.json(200, _completion()), Reply.sse(HELLO_STREAM), Reply.json(200, _completion()))
    await client.invoke(_call(upstream, {"messages": MESSAGES}))
    await drain(client.stream(_call(upstream, {"messages": MESSAGES})))
    await client.invoke(_call(upstream, {"messages": MESSAGES}))
    assert len(upstream.requests) == 3
    assert upstream.connections == 1


async def test_a_skipped_chunk_is_logged_without_its_content_or_the_key(
    upstream: FakeUpstream, client: OpenAICompatibleClient, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = f'data: {{"oops {SECRET}\n\n'.encode()
    upstream.then(Reply.sse([HELLO_STREAM[1], garbage, *HELLO_STREAM[2:]]))
    with caplog.at_level("DEBUG"):
        chunks = await drain(client.stream(_call(upstream, {"messages": MESSAGES})))
    assert text_of(chunks) == "Hello there"
    assert "skipped a malformed stream event" in caplog.text
    assert SECRET not in caplog.text and "oops" not in caplog.text
