"""The anthropic adapter against a loopback server speaking the Messages API: requests field by
field, answers, the streaming event sequence, its error bodies and stream faults."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.anthropic import AnthropicClient
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, UpstreamError
from ports.provider import Operation, TokenUsage, UpstreamCall
from tests.providers.calls import SECRET, drain, drain_until_failure, make_call, text_of
from tests.providers.upstream import Cut, FakeUpstream, Pause, Reply, sse_data

pytestmark = pytest.mark.anyio

MODEL = "claude-sonnet-4-5-20250929"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _call(upstream: FakeUpstream, payload: dict[str, Any], **kwargs: Any) -> UpstreamCall:
    return make_call(payload, provider="anthropic", model_name=MODEL, api_base=upstream.url, **kwargs)


@pytest.fixture
def client(pools: HttpPools) -> AnthropicClient:
    return AnthropicClient(pools)


def _message(content: list[dict[str, Any]], stop_reason: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 2095,
            "output_tokens": 503,
            "cache_creation_input_tokens": 5,
            "cache_read_input_tokens": 100,
        },
    }


def _event(name: str, data: dict[str, Any]) -> bytes:
    return sse_data({"type": name, **data}, event=name)


def _stream(*middle: bytes, stop_reason: str = "end_turn", stop: bool = True) -> list[bytes]:
    start: dict[str, Any] = {
        "message": {
            "id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": MODEL,
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 25, "output_tokens": 1},
        }
    }
    end = [
        _event(
            "message_delta",
            {"delta": {"stop_reason": stop_reason, "stop_sequence": None}, "usage": {"output_tokens": 15}},
        ),
    ]
    if stop:
        end.append(_event("message_stop", {}))
    return [_event("message_start", start), *middle, *end]


def _text_block(index: int, *texts: str) -> list[bytes]:
    return [
        _event("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}}),
        _event("ping", {}),
        *[
            _event("content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": t}})
            for t in texts
        ],
        _event("content_block_stop", {"index": index}),
    ]


def _tool_block(index: int, name: str, *pieces: str) -> list[bytes]:
    block = {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": name, "input": {}}
    deltas = [{"index": index, "delta": {"type": "input_json_delta", "partial_json": p}} for p in pieces]
    return [
        _event("content_block_start", {"index": index, "content_block": block}),
        *[_event("content_block_delta", d) for d in deltas],
        _event("content_block_stop", {"index": index}),
    ]


async def test_a_chat_request_is_translated_field_by_field(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    upstream.then(Reply.json(200, _message([{"type": "text", "text": "Sunny."}])))
    payload = {
        "messages": [
            {"role": "system", "content": "You are terse."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Weather where this is?"},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": "Let me check.",
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    },
                    {
                        "id": "toolu_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"},
            {"role": "tool", "tool_call_id": "toolu_2", "content": [{"type": "text", "text": "24C"}]},
        ],
        "tools": [WEATHER_TOOL],
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "stop": "END",
        "temperature": 1.5,
        "top_p": 0.9,
        "user": "alice",
    }
    response = await client.invoke(_call(upstream, payload))

    request = upstream.requests[0]
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.headers["x-api-key"] == SECRET
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in request.headers
    assert request.json() == {
        "model": MODEL,
        "max_tokens": 4096,
        "system": "You are terse.",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Weather where this is?"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"},
                    },
                    {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Let me check."},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
                    {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
                    {"type": "tool_result", "tool_use_id": "toolu_2", "content": "24C"},
                ],
            },
        ],
        "tools": [
            {
                "name": "get_weather",
                "description": "Current weather in a city",
                "input_schema": WEATHER_TOOL["function"]["parameters"],  # type: ignore[index]
            }
        ],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
        "stop_sequences": ["END"],
        "temperature": 1.0,
        "top_p": 0.9,
        "metadata": {"user_id": "alice"},
    }
    assert response.body["object"] == "chat.completion"
    assert response.body["model"] == MODEL
    assert response.body["choices"][0]["message"] == {"role": "assistant", "content": "Sunny."}
    assert response.body["choices"][0]["finish_reason"] == "stop"
    assert response.usage == TokenUsage(2095 + 5 + 100, 503)
    assert response.body["usage"]["prompt_tokens"] == 2200


async def test_tool_use_in_an_answer_becomes_openai_tool_calls(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    content: list[dict[str, Any]] = [
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Oslo"}},
    ]
    upstream.then(Reply.json(200, _message(content, "tool_use")))
    response = await client.invoke(
        _call(
            upstream,
            {"messages": [{"role": "user", "content": "Oslo?"}], "tools": [WEATHER_TOOL], "max_tokens": 99},
        )
    )
    assert upstream.requests[0].json()["max_tokens"] == 99
    choice = response.body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Checking."
    call = choice["message"]["tool_calls"][0]
    assert (call["id"], call["type"], call["function"]["name"]) == ("toolu_01A", "function", "get_weather")
    assert json.loads(call["function"]["arguments"]) == {"city": "Oslo"}


SCHEMA = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
JSON_FORMAT = {"type": "json_schema", "json_schema": {"name": "math answer", "schema": SCHEMA}}


async def test_a_json_schema_is_asked_through_a_forced_tool_and_answered_as_text(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    upstream.then(
        Reply.json(
            200,
            _message(
                [{"type": "tool_use", "id": "toolu_9", "name": "math_answer", "input": {"answer": 4}}],
                "tool_use",
            ),
        ),
        Reply.sse(_stream(*_tool_block(0, "math_answer", "", '{"answer"', ": 4}"), stop_reason="tool_use")),
    )
    payload = {"messages": [{"role": "user", "content": "2+2?"}], "response_format": JSON_FORMAT}
    response = await client.invoke(_call(upstream, payload))
    chunks = await drain(client.stream(_call(upstream, payload)))

    sent = upstream.requests[0].json()
    assert sent["tools"] == [
        {"name": "math_answer", "description": sent["tools"][0]["description"], "input_schema": SCHEMA}
    ]
    assert sent["tool_choice"] == {"type": "tool", "name": "math_answer"}
    message = response.body["choices"][0]
    assert json.loads(message["message"]["content"]) == {"answer": 4}
    assert message["finish_reason"] == "stop"
    assert json.loads(text_of(chunks)) == {"answer": 4}
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert not any(c.has_tool_calls for c in chunks)


async def test_native_structured_output_uses_output_config(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    upstream.then(Reply.json(200, _message([{"type": "text", "text": '{"answer": 4}'}])))
    payload = {"messages": [{"role": "user", "content": "2+2?"}], "response_format": JSON_FORMAT}
    settings = {
        "structured_output": "native",
        "anthropic_beta": ["b-1", "b-2"],
        "anthropic_version": "2024-01-01",
    }
    response = await client.invoke(_call(upstream, payload, settings=settings))
    assert upstream.requests[0].headers["anthropic-beta"] == "b-1,b-2"
    assert upstream.requests[0].headers["anthropic-version"] == "2024-01-01"
    sent = upstream.requests[0].json()
    assert sent["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert "tools" not in sent
    assert response.body["choices"][0]["message"]["content"] == '{"answer": 4}'


async def test_a_stream_becomes_openai_chunks_with_usage(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    upstream.then(Reply.sse(_stream(*_text_block(0, "Hello", " there", "!"))))
    chunks = await drain(client.stream(_call(upstream, {"messages": [{"role": "user", "content": "Hi"}]})))

    assert upstream.requests[0].json()["stream"] is True
    assert text_of(chunks) == "Hello there!"
    first = chunks[0].data
    assert first["object"] == "chat.completion.chunk" and first["model"] == MODEL
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": "Hello"}
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert [c.usage for c in chunks if c.usage] == [TokenUsage(25, 15)]


async def test_a_streamed_tool_call_keeps_its_id_name_and_arguments(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    upstream.then(
        Reply.sse(
            _stream(
                *_text_block(0, "Let me look."),
                *_tool_block(1, "get_weather", "", '{"city": ', '"Oslo"}'),
                stop_reason="tool_use",
            )
        )
    )
    chunks = await drain(
        client.stream(
            _call(upstream, {"messages": [{"role": "user", "content": "Oslo?"}], "tools": [WEATHER_TOOL]})
        )
    )
    calls = [
        c.data["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c.data["choices"] and c.has_tool_calls and c.data["choices"][0]["delta"].get("tool_calls")
    ]
    assert calls[0]["id"] == "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
    assert calls[0]["function"]["name"] == "get_weather"
    assert "".join(c["function"]["arguments"] for c in calls) == '{"city": "Oslo"}'
    assert chunks[-2].finish_reason == "tool_calls"


async def test_a_prefill_is_continued_natively(upstream: FakeUpstream, client: AnthropicClient) -> None:
    upstream.then(
        Reply.sse(_stream(*_text_block(0, " 42", ", of course."))),
        Reply.json(200, _message([{"type": "text", "text": " 42."}])),
    )
    call = _call(
        upstream, {"messages": [{"role": "user", "content": "The answer?"}]}, prefill="The answer is "
    )
    chunks = await drain(client.stream(call))
    answer = await client.invoke(call)

    assert client.supports_prefill
    assert upstream.requests[0].json()["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "The answer is"}],
    }
    assert text_of(chunks) == "42, of course."
    assert answer.body["choices"][0]["message"]["content"] == "42."


async def test_an_error_event_mid_stream_is_a_mid_stream_failure(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    overloaded = _event("error", {"error": {"type": "overloaded_error", "message": "Overloaded"}})
    upstream.then(Reply.sse([_stream()[0], *_text_block(0, "Hel")[:3], overloaded]))
    received, error = await drain_until_failure(
        client.stream(_call(upstream, {"messages": [{"role": "user", "content": "Hi"}]}))
    )
    assert text_of(received) == "Hel"
    assert error.failure.error_class is ErrorClass.SERVER_ERROR
    assert "overloaded_error" in error.failure.message
    assert not error.failure.before_first_byte


async def test_stream_faults(upstream: FakeUpstream, client: AnthropicClient) -> None:
    head = _stream(*_text_block(0, "Hel", "lo"))[:5]
    upstream.then(
        Reply.sse([*head, Cut()]),
        Reply.sse([*head, Pause(3), *_stream()[1:]]),
        Reply.sse(_stream(*_text_block(0, "Hi"), stop=False)),
        Reply.sse(
            [head[0], b"event: content_block_delta\ndata: {not json\n\n", *_stream(*_text_block(0, "ok"))[1:]]
        ),
    )
    call = _call(upstream, {"messages": [{"role": "user", "content": "Hi"}]})
    _, cut = await drain_until_failure(client.stream(call))
    _, stalled = await drain_until_failure(client.stream(call))
    without_stop = await drain(client.stream(call))
    with_garbage = await drain(client.stream(call))

    assert (cut.failure.error_class, cut.failure.before_first_byte) == (ErrorClass.CONNECTION, False)
    assert (stalled.failure.error_class, stalled.failure.before_first_byte) == (ErrorClass.TIMEOUT, False)
    assert text_of(without_stop) == "Hi" and without_stop[-1].usage == TokenUsage(25, 15)
    assert text_of(with_garbage) == "ok"


def _error(error_type: str, message: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy",
    }


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_class", "retry_after"),
    [
        pytest.param(
            529, _error("overloaded_error", "Overloaded"), {}, ErrorClass.SERVER_ERROR, None, id="529"
        ),
        pytest.param(
            429,
            _error("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
            {"retry-after": "12"},
            ErrorClass.RATE_LIMITED,
            12.0,
            id="429",
        ),
        pytest.param(
            400,
            _error("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
            {},
            ErrorClass.CONTEXT_LENGTH,
            None,
            id="400-context",
        ),
        pytest.param(
            400,
            _error("invalid_request_error", "messages: roles must alternate between user and assistant"),
            {},
            ErrorClass.INVALID_REQUEST,
            None,
            id="400-invalid",
        ),
        pytest.param(
            401, _error("authentication_error", "invalid x-api-key"), {}, ErrorClass.AUTH, None, id="401"
        ),
        pytest.param(403, _error("permission_error", "no access"), {}, ErrorClass.AUTH, None, id="403"),
        pytest.param(
            404, _error("not_found_error", "model: claude-9"), {}, ErrorClass.MODEL_NOT_FOUND, None, id="404"
        ),
        pytest.param(
            500, _error("api_error", "Internal server error"), {}, ErrorClass.SERVER_ERROR, None, id="500"
        ),
        pytest.param(
            413,
            _error("request_too_large", "Request exceeds the maximum size"),
            {},
            ErrorClass.INVALID_REQUEST,
            None,
            id="413",
        ),
    ],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
async def test_anthropic_error_bodies_are_classified(
    upstream: FakeUpstream,
    client: AnthropicClient,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    error_class: ErrorClass,
    retry_after: float | None,
    streaming: bool,
) -> None:
    upstream.then(Reply.json(status, body, headers))
    call = _call(upstream, {"messages": [{"role": "user", "content": "Hi"}]})
    with pytest.raises(UpstreamError) as caught:
        if streaming:
            await drain(client.stream(call))
        else:
            await client.invoke(call)
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (error_class, status, retry_after)
    assert body["error"]["message"] in failure.message
    assert failure.before_first_byte


async def test_completions_are_served_as_chat_and_embeddings_are_unsupported(
    upstream: FakeUpstream, client: AnthropicClient
) -> None:
    upstream.then(Reply.json(200, _message([{"type": "text", "text": "upon a time"}], "max_tokens")))
    completion = await client.invoke(
        _call(upstream, {"prompt": "Once", "max_tokens": 3}, operation=Operation.COMPLETIONS)
    )
    assert upstream.requests[0].json()["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Once"}]}
    ]
    assert completion.body["object"] == "text_completion"
    assert completion.body["choices"][0]["text"] == "upon a time"
    assert completion.body["choices"][0]["finish_reason"] == "length"
    with pytest.raises(Unsupported, match="anthropic"):
        await client.invoke(_call(upstream, {"input": "x"}, operation=Operation.EMBEDDINGS))
    with pytest.raises(Unsupported, match="anthropic"):
        await drain(client.stream(_call(upstream, {"input": "x"}, operation=Operation.EMBEDDINGS)))
