"""The gemini adapter against a loopback server speaking the Gemini API wire format."""

from __future__ import annotations

import base64
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.gemini import GeminiClient
from core.domain.audit import Audit
from core.domain.endpoint import Timeouts
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, UpstreamError
from core.domain.model_definition import ModelDefinition
from ports.provider import Operation, ProviderClient, StreamChunk, UpstreamCall
from tests.providers.upstream import Cut, FakeUpstream, Pause, Reply, sse_data

pytestmark = pytest.mark.anyio
KEY = "AIza-test-key-0000"
FAST = Timeouts(connect_s=2, first_byte_s=2, idle_s=0.2, total_s=5)
USER = {"messages": [{"role": "user", "content": "x"}]}


def _call(
    upstream: FakeUpstream, operation: Operation, payload: dict[str, Any], model: str = "gemini-2.5-flash"
) -> UpstreamCall:
    definition = ModelDefinition(
        model_definition_id="md-g",
        name="gem",
        provider="gemini",
        model_name=model,
        api_base=upstream.url,
        audit=Audit.new(0, None),
    )
    return UpstreamCall(operation=operation, payload=payload, model=definition, api_key=KEY, timeouts=FAST)


def _answer(parts: list[dict[str, Any]], finish: str = "STOP") -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 3, "totalTokenCount": 12},
        "modelVersion": "gemini-2.5-flash-001",
        "responseId": "r-1",
    }


def _event(text: str, finish: str | None = None, usage: dict[str, int] | None = None) -> bytes:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    event: dict[str, Any] = {"candidates": [candidate], "modelVersion": "gemini-2.5-flash"}
    if usage:
        event["usageMetadata"] = usage
    return sse_data(event)


async def _collect(chunks: AsyncIterator[StreamChunk]) -> list[StreamChunk]:
    return [c async for c in chunks]


async def test_chat_request_and_answer_in_gemini_shapes(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.json(200, _answer([{"text": "Bonjour"}])))
    payload = {
        "model": "my-endpoint",
        "messages": [{"role": "system", "content": "Be French."}, {"role": "user", "content": "Hello"}],
        "max_tokens": 20,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": {"type": "object"}},
        },
    }
    response = await GeminiClient(pools).invoke(_call(upstream, Operation.CHAT, payload))
    [request] = upstream.requests
    assert request.method == "POST"
    assert request.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert request.headers["x-goog-api-key"] == KEY
    assert request.headers["content-type"] == "application/json"
    sent = request.json()
    assert sent["systemInstruction"] == {"parts": [{"text": "Be French."}]}
    assert sent["contents"] == [{"role": "user", "parts": [{"text": "Hello"}]}]
    assert sent["generationConfig"] == {
        "maxOutputTokens": 20,
        "responseMimeType": "application/json",
        "responseJsonSchema": {"type": "object"},
    }
    assert "model" not in sent
    body = response.body
    assert body["object"] == "chat.completion"
    assert body["model"] == "gemini-2.5-flash-001"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "Bonjour"}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (9, 3)


async def test_a_function_call_answer_becomes_tool_calls(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(
        Reply.json(200, _answer([{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}]))
    )
    payload = {
        "messages": [{"role": "user", "content": "Weather?"}],
        "tools": [
            {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
        ],
        "tool_choice": "required",
    }
    response = await GeminiClient(pools).invoke(_call(upstream, Operation.CHAT, payload))
    sent = upstream.requests[0].json()
    assert sent["tools"] == [
        {"functionDeclarations": [{"name": "get_weather", "parametersJsonSchema": {"type": "object"}}]}
    ]
    assert sent["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    choice = response.body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Oslo"}',
    }


async def test_completions_are_served_as_chat_in_text_completion_shape(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.json(200, _answer([{"text": " world"}], "MAX_TOKENS")))
    call = _call(upstream, Operation.COMPLETIONS, {"prompt": "hello", "max_tokens": 2})
    response = await GeminiClient(pools).invoke(call)
    assert upstream.requests[0].json()["contents"] == [{"role": "user", "parts": [{"text": "hello"}]}]
    assert response.body["object"] == "text_completion"
    assert response.body["choices"][0]["text"] == " world"
    assert response.body["choices"][0]["finish_reason"] == "length"


async def test_stream_uses_alt_sse_and_ends_with_usage(upstream: FakeUpstream, pools: HttpPools) -> None:
    usage = {"promptTokenCount": 5, "candidatesTokenCount": 4, "totalTokenCount": 9}
    upstream.then(Reply.sse([_event("Once "), _event("upon"), _event(" a time", "STOP", usage)]))
    chunks = await _collect(GeminiClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    request = upstream.requests[0]
    assert request.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    assert request.query == {"alt": "sse"}
    assert request.headers["x-goog-api-key"] == KEY
    assert "".join(c.text for c in chunks) == "Once upon a time"
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert chunks[0].data["object"] == "chat.completion.chunk"
    assert chunks[0].data["choices"][0]["delta"] == {"role": "assistant", "content": "Once "}
    last = chunks[-1].usage
    assert last is not None and (last.prompt_tokens, last.completion_tokens) == (5, 4)


async def test_a_malformed_stream_event_is_skipped(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.sse([_event("a"), b"data: {not json\n\n", _event("b", "STOP")]))
    chunks = await _collect(GeminiClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert "".join(c.text for c in chunks) == "ab"


async def test_a_stream_cut_midway_raises_a_mid_stream_connection_failure(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.sse([_event("half an ans"), Cut()]))
    received: list[str] = []
    with pytest.raises(UpstreamError) as caught:
        async for chunk in GeminiClient(pools).stream(_call(upstream, Operation.CHAT, USER)):
            received.append(chunk.text)
    assert received == ["half an ans"]
    assert caught.value.failure.error_class is ErrorClass.CONNECTION
    assert caught.value.failure.before_first_byte is False


async def test_a_stream_ending_without_finish_reason_is_a_cut(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.sse([_event("half")]))
    with pytest.raises(UpstreamError) as caught:
        await _collect(GeminiClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.CONNECTION
    assert caught.value.failure.before_first_byte is False


async def test_a_stalled_stream_times_out_on_the_idle_timeout(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.sse([_event("a"), Pause(1.0), _event("b", "STOP")]))
    with pytest.raises(UpstreamError) as caught:
        await _collect(GeminiClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.TIMEOUT
    assert caught.value.failure.before_first_byte is False


async def test_an_error_before_the_stream_is_classified_before_any_chunk(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(
        Reply.json(
            503, {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
        )
    )
    with pytest.raises(UpstreamError) as caught:
        await _collect(GeminiClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR
    assert caught.value.failure.before_first_byte is True


async def test_an_error_event_mid_stream_is_a_mid_stream_failure(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    error = {"error": {"code": 500, "message": "An internal error has occurred.", "status": "INTERNAL"}}
    upstream.then(Reply.sse([_event("partial"), sse_data(error)]))
    with pytest.raises(UpstreamError) as caught:
        await _collect(GeminiClient(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR
    assert caught.value.failure.before_first_byte is False


def _error(code: int, status: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}
KEY_INVALID = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "retry_after"),
    [
        (
            429,
            _error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [RETRY_INFO]),
            {},
            ErrorClass.RATE_LIMITED,
            1.0,
        ),
        (
            429,
            _error(429, "RESOURCE_EXHAUSTED", "Quota exceeded"),
            {"retry-after": "2"},
            ErrorClass.RATE_LIMITED,
            2.0,
        ),
        (500, _error(500, "INTERNAL", "An internal error has occurred."), {}, ErrorClass.SERVER_ERROR, None),
        (
            400,
            _error(400, "INVALID_ARGUMENT", "API key not valid.", [KEY_INVALID]),
            {},
            ErrorClass.AUTH,
            None,
        ),
        (403, _error(403, "PERMISSION_DENIED", "Permission denied."), {}, ErrorClass.AUTH, None),
        (404, _error(404, "NOT_FOUND", "models/gemini-9 is not found"), {}, ErrorClass.MODEL_NOT_FOUND, None),
        (
            400,
            _error(
                400,
                "INVALID_ARGUMENT",
                "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).",
            ),
            {},
            ErrorClass.CONTEXT_LENGTH,
            None,
        ),
        (
            400,
            _error(400, "INVALID_ARGUMENT", "Invalid value at 'temperature'"),
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
    body: Any,
    headers: dict[str, str],
    expected: ErrorClass,
    retry_after: float | None,
) -> None:
    upstream.then(Reply.json(status, body, headers))
    with pytest.raises(UpstreamError) as caught:
        await GeminiClient(pools).invoke(_call(upstream, Operation.CHAT, USER))
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (expected, status, retry_after)
    assert KEY not in failure.message


async def test_a_blocked_prompt_is_a_content_policy_failure(upstream: FakeUpstream, pools: HttpPools) -> None:
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []},
        "usageMetadata": {"promptTokenCount": 4},
    }
    upstream.then(Reply.json(200, blocked))
    with pytest.raises(UpstreamError) as caught:
        await GeminiClient(pools).invoke(_call(upstream, Operation.CHAT, USER))
    assert caught.value.failure.error_class is ErrorClass.CONTENT_POLICY


async def test_embeddings_single_and_batch(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(
        Reply.json(200, {"embedding": {"values": [0.5, -1.0]}}),
        Reply.json(200, {"embeddings": [{"values": [0.0, 0.25]}, {"values": [1.0, 0.25]}]}),
    )
    client = GeminiClient(pools)
    one = await client.invoke(_call(upstream, Operation.EMBEDDINGS, {"input": "hi"}, "text-embedding-004"))
    payload = {"input": ["a", "b"], "encoding_format": "base64"}
    many = await client.invoke(_call(upstream, Operation.EMBEDDINGS, payload, "text-embedding-004"))
    first, second = upstream.requests
    assert first.path == "/v1beta/models/text-embedding-004:embedContent"
    assert first.json() == {"content": {"parts": [{"text": "hi"}]}}
    assert second.path == "/v1beta/models/text-embedding-004:batchEmbedContents"
    assert [r["model"] for r in second.json()["requests"]] == ["models/text-embedding-004"] * 2
    assert one.body["data"] == [{"object": "embedding", "index": 0, "embedding": [0.5, -1.0]}]
    assert struct.unpack("<2f", base64.b64decode(many.body["data"][1]["embedding"])) == (1.0, 0.25)


async def test_streaming_embeddings_is_unsupported_and_names_the_provider(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    with pytest.raises(Unsupported, match="gemini"):
        await _collect(GeminiClient(pools).stream(_call(upstream, Operation.EMBEDDINGS, {"input": "x"})))
    assert upstream.requests == []


async def test_consecutive_requests_reuse_one_pooled_connection(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(*[Reply.json(200, _answer([{"text": "ok"}])) for _ in range(3)])
    client = GeminiClient(pools)
    for _ in range(3):
        await client.invoke(_call(upstream, Operation.CHAT, USER))
    assert len(upstream.requests) == 3
    assert upstream.connections == 1


async def test_streamed_completions_come_as_text_completion_chunks(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.sse([_event("4", "STOP", {"promptTokenCount": 3, "candidatesTokenCount": 1})]))
    call = _call(upstream, Operation.COMPLETIONS, {"prompt": "2+2=", "stream": True})
    chunks = await _collect(GeminiClient(pools).stream(call))
    assert chunks[0].data["object"] == "text_completion"
    assert chunks[0].data["choices"][0]["text"] == "4"
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]


def test_the_client_satisfies_the_provider_port() -> None:
    client: ProviderClient = GeminiClient(HttpPools())
    assert client.supports_prefill is False
