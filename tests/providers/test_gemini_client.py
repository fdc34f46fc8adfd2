"""The gemini adapter against a loopback server speaking the Gemini API wire format."""

from __future__ import annotations

import base64
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.providers.gemini import GeminiClient
from core.domain.audit import Audit
from core.domain.endpoint import Timeouts
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, UpstreamError
from core.domain.model_definition import ModelDefinition
from ports.provider import Operation, StreamChunk, UpstreamCall
from tests.providers.loopback import Recorded, Reply, serving, sse

pytestmark = pytest.mark.anyio
KEY = "AIza-test-key-0000"
FAST = Timeouts(connect_s=2, first_byte_s=2, idle_s=0.2, total_s=5)


def _call(
    base: str, operation: Operation, payload: dict[str, Any], model: str = "gemini-2.5-flash"
) -> UpstreamCall:
    definition = ModelDefinition(
        model_definition_id="md-g",
        name="gem",
        provider="gemini",
        model_name=model,
        api_base=base,
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


async def _collect(chunks: AsyncIterator[StreamChunk]) -> list[StreamChunk]:
    return [c async for c in chunks]


async def test_chat_request_and_answer_in_gemini_shapes() -> None:
    async with serving(lambda r: Reply.json(_answer([{"text": "Bonjour"}]))) as server:
        client = GeminiClient()
        payload = {
            "model": "my-endpoint",
            "messages": [{"role": "system", "content": "Be French."}, {"role": "user", "content": "Hello"}],
            "max_tokens": 20,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object"}},
            },
        }
        response = await client.invoke(_call(server.url, Operation.CHAT, payload))
        await client.aclose()
    [request] = server.requests
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


async def test_a_function_call_answer_becomes_tool_calls() -> None:
    answer = _answer([{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}])
    async with serving(lambda r: Reply.json(answer)) as server:
        client = GeminiClient()
        payload = {
            "messages": [{"role": "user", "content": "Weather?"}],
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
            ],
            "tool_choice": "required",
        }
        response = await client.invoke(_call(server.url, Operation.CHAT, payload))
        await client.aclose()
    sent = server.requests[0].json()
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


async def test_completions_are_served_as_chat_in_text_completion_shape() -> None:
    async with serving(lambda r: Reply.json(_answer([{"text": " world"}], "MAX_TOKENS"))) as server:
        client = GeminiClient()
        response = await client.invoke(
            _call(server.url, Operation.COMPLETIONS, {"prompt": "hello", "max_tokens": 2})
        )
        await client.aclose()
    assert server.requests[0].json()["contents"] == [{"role": "user", "parts": [{"text": "hello"}]}]
    assert response.body["object"] == "text_completion"
    assert response.body["choices"][0]["text"] == " world"
    assert response.body["choices"][0]["finish_reason"] == "length"


async def test_stream_uses_alt_sse_and_ends_with_usage() -> None:
    events = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "Once "}]}}]},
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "upon"}]}}]},
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": " a time"}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 4},
        },
    ]
    reply = Reply(headers={"content-type": "text/event-stream"}, chunks=sse(*events))
    async with serving(lambda r: reply) as server:
        client = GeminiClient()
        chunks = await _collect(
            client.stream(
                _call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "Tell"}]})
            )
        )
        await client.aclose()
    request = server.requests[0]
    assert request.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    assert request.query == {"alt": ["sse"]}
    assert "".join(c.text for c in chunks) == "Once upon a time"
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert chunks[0].data["object"] == "chat.completion.chunk"
    usage = chunks[-1].usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (5, 4)


async def test_a_malformed_stream_event_is_skipped() -> None:
    frames = sse({"candidates": [{"content": {"parts": [{"text": "a"}]}}]}, "{not json")
    frames += sse({"candidates": [{"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP"}]})
    async with serving(lambda r: Reply(chunks=frames)) as server:
        client = GeminiClient()
        chunks = await _collect(
            client.stream(_call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "x"}]}))
        )
        await client.aclose()
    assert "".join(c.text for c in chunks) == "ab"


async def test_a_stream_cut_midway_raises_a_mid_stream_connection_failure() -> None:
    frames = sse({"candidates": [{"content": {"parts": [{"text": "half an ans"}]}}]})
    async with serving(lambda r: Reply(chunks=frames, cut=True)) as server:
        client = GeminiClient()
        received: list[str] = []
        with pytest.raises(UpstreamError) as caught:
            async for chunk in client.stream(
                _call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "x"}]})
            ):
                received.append(chunk.text)
        await client.aclose()
    assert received == ["half an ans"]
    assert caught.value.failure.error_class is ErrorClass.CONNECTION
    assert caught.value.failure.before_first_byte is False


async def test_a_stalled_stream_times_out_on_the_idle_timeout() -> None:
    frames = sse(
        {"candidates": [{"content": {"parts": [{"text": "a"}]}}]},
        {"candidates": [{"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP"}]},
    )
    async with serving(lambda r: Reply(chunks=frames, stall_s=0.8)) as server:
        client = GeminiClient()
        with pytest.raises(UpstreamError) as caught:
            await _collect(
                client.stream(
                    _call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "x"}]})
                )
            )
        await client.aclose()
    assert caught.value.failure.error_class is ErrorClass.TIMEOUT
    assert caught.value.failure.before_first_byte is False


async def test_an_error_before_the_stream_is_classified_before_any_chunk() -> None:
    body = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    async with serving(lambda r: Reply.json(body, 503)) as server:
        client = GeminiClient()
        with pytest.raises(UpstreamError) as caught:
            await _collect(
                client.stream(
                    _call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "x"}]})
                )
            )
        await client.aclose()
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR
    assert caught.value.failure.before_first_byte is True


def _error(code: int, status: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "retry_after"),
    [
        (
            429,
            _error(
                429,
                "RESOURCE_EXHAUSTED",
                "Quota exceeded",
                [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}],
            ),
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
            _error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
            ),
            {},
            ErrorClass.AUTH,
            None,
        ),
        (
            403,
            _error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers."),
            {},
            ErrorClass.AUTH,
            None,
        ),
        (
            404,
            _error(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"),
            {},
            ErrorClass.MODEL_NOT_FOUND,
            None,
        ),
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
            _error(400, "INVALID_ARGUMENT", "Invalid value at 'generation_config.temperature'"),
            {},
            ErrorClass.INVALID_REQUEST,
            None,
        ),
    ],
)
async def test_error_bodies_are_classified(
    status: int, body: Any, headers: dict[str, str], expected: ErrorClass, retry_after: float | None
) -> None:
    async with serving(lambda r: Reply.json(body, status, headers)) as server:
        client = GeminiClient()
        with pytest.raises(UpstreamError) as caught:
            await client.invoke(
                _call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "x"}]})
            )
        await client.aclose()
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (expected, status, retry_after)
    assert KEY not in failure.message


async def test_a_blocked_prompt_is_a_content_policy_failure() -> None:
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []},
        "usageMetadata": {"promptTokenCount": 4},
    }
    async with serving(lambda r: Reply.json(blocked)) as server:
        client = GeminiClient()
        with pytest.raises(UpstreamError) as caught:
            await client.invoke(
                _call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "x"}]})
            )
        await client.aclose()
    assert caught.value.failure.error_class is ErrorClass.CONTENT_POLICY


def _embed_handler(request: Recorded) -> Reply:
    if request.path.endswith(":embedContent"):
        return Reply.json({"embedding": {"values": [0.5, -1.0]}})
    count = len(request.json()["requests"])
    return Reply.json({"embeddings": [{"values": [float(i), 0.25]} for i in range(count)]})


async def test_embeddings_single_and_batch() -> None:
    async with serving(_embed_handler) as server:
        client = GeminiClient()
        one = await client.invoke(
            _call(server.url, Operation.EMBEDDINGS, {"input": "hi"}, "text-embedding-004")
        )
        many = await client.invoke(
            _call(
                server.url,
                Operation.EMBEDDINGS,
                {"input": ["a", "b"], "encoding_format": "base64"},
                "text-embedding-004",
            )
        )
        await client.aclose()
    first, second = server.requests
    assert first.path == "/v1beta/models/text-embedding-004:embedContent"
    assert first.json() == {"content": {"parts": [{"text": "hi"}]}}
    assert second.path == "/v1beta/models/text-embedding-004:batchEmbedContents"
    assert [r["model"] for r in second.json()["requests"]] == ["models/text-embedding-004"] * 2
    assert one.body["data"] == [{"object": "embedding", "index": 0, "embedding": [0.5, -1.0]}]
    decoded = base64.b64decode(many.body["data"][1]["embedding"])
    assert struct.unpack("<2f", decoded) == (1.0, 0.25)


async def test_streaming_embeddings_is_unsupported_and_names_the_provider() -> None:
    client = GeminiClient()
    with pytest.raises(Unsupported, match="gemini"):
        await _collect(client.stream(_call("http://127.0.0.1:9", Operation.EMBEDDINGS, {"input": "x"})))
    await client.aclose()


async def test_one_pooled_connection_serves_consecutive_requests() -> None:
    async with serving(lambda r: Reply.json(_answer([{"text": "ok"}]))) as server:
        client = GeminiClient()
        for _ in range(3):
            await client.invoke(
                _call(server.url, Operation.CHAT, {"messages": [{"role": "user", "content": "x"}]})
            )
        await client.aclose()
    assert len(server.requests) == 3
    assert server.connections == 1
