"""Gemini translation: OpenAI requests to generateContent bodies, answers, stream events and errors back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.providers import gemini_wire as wire
from adapters.providers.chat_shapes import ChunkWriter, chat_completion
from core.domain.failures import ErrorClass, UpstreamError

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def test_system_user_and_image_parts_map_to_system_instruction_and_contents() -> None:
    body = wire.generate_body(
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is this?"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                    ],
                },
            ],
            "temperature": 0.2,
            "top_p": 0.9,
            "max_tokens": 50,
            "stop": "END",
        }
    )
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["contents"] == [
        {
            "role": "user",
            "parts": [
                {"text": "What is this?"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
            ],
        }
    ]
    assert body["generationConfig"] == {
        "temperature": 0.2,
        "topP": 0.9,
        "maxOutputTokens": 50,
        "stopSequences": ["END"],
    }


def test_tool_round_trip_uses_function_call_and_function_response_parts() -> None:
    body = wire.generate_body(
        {
            "messages": [
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        },
                        {
                            "id": "c2",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'},
                        },
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 21}'},
                {"role": "tool", "tool_call_id": "c2", "content": "sunny"},
            ],
            "tools": [WEATHER_TOOL],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        }
    )
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
            {"functionCall": {"name": "get_weather", "args": {"city": "Rome"}}},
        ],
    }
    # Both results share one user turn, each naming its function.
    assert body["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "get_weather", "response": {"temp": 21}}},
            {"functionResponse": {"name": "get_weather", "response": {"content": "sunny"}}},
        ],
    }
    declaration = body["tools"][0]["functionDeclarations"][0]
    assert declaration["name"] == "get_weather"
    assert declaration["parametersJsonSchema"] == WEATHER_TOOL["function"]["parameters"]  # type: ignore[index]
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
    }


@pytest.mark.parametrize(
    ("response_format", "expected"),
    [
        (
            {"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "object"}}},
            {"responseMimeType": "application/json", "responseJsonSchema": {"type": "object"}},
        ),
        ({"type": "json_object"}, {"responseMimeType": "application/json"}),
    ],
)
def test_response_format_uses_gemini_structured_output(response_format: Any, expected: Any) -> None:
    body = wire.generate_body(
        {"messages": [{"role": "user", "content": "x"}], "response_format": response_format}
    )
    assert body["generationConfig"] == expected


def test_prefill_becomes_a_trailing_model_turn() -> None:
    body = wire.generate_body({"messages": [{"role": "user", "content": "Count"}]}, prefill="1, 2,")
    assert body["contents"][-1] == {"role": "model", "parts": [{"text": "1, 2,"}]}


def test_answer_with_text_tool_calls_and_usage() -> None:
    answer = wire.chat_answer(
        {
            "candidates": [
                {
                    "content": {
                        "role": "model",
                        "parts": [
                            {"text": "thinking...", "thought": True},
                            {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                        ],
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 5, "thoughtsTokenCount": 3},
            "modelVersion": "gemini-2.5-flash",
            "responseId": "resp-1",
        },
        "fallback-name",
    )
    body = chat_completion(answer)
    assert body["model"] == "gemini-2.5-flash"
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    message = body["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert body["usage"] == {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20}


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
    ],
)
def test_finish_reasons_map_to_openai(reason: str, expected: str) -> None:
    assert wire.finish_reason(reason, False) == expected


def test_a_blocked_prompt_is_a_content_policy_failure() -> None:
    with pytest.raises(UpstreamError) as caught:
        wire.chat_answer({"promptFeedback": {"blockReason": "SAFETY"}}, "m")
    assert caught.value.failure.error_class is ErrorClass.CONTENT_POLICY


def test_stream_events_become_chunks_then_usage() -> None:
    stream = wire.GeminiStream(ChunkWriter("gemini-2.5-flash"))
    events: list[dict[str, Any]] = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}}]},
        {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "lo"}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 2},
        },
    ]
    chunks = [c for e in events for c in stream.on_event(e)] + list(stream.final())
    assert [c.text for c in chunks] == ["Hel", "lo", "", ""]
    assert chunks[0].data["choices"][0]["delta"] == {"role": "assistant", "content": "Hel"}
    assert chunks[2].finish_reason == "stop"
    assert chunks[3].usage is not None and chunks[3].usage.prompt_tokens == 4
    assert stream.finished


def test_an_error_event_in_the_stream_raises_classified() -> None:
    stream = wire.GeminiStream(ChunkWriter("m"))
    with pytest.raises(UpstreamError) as caught:
        list(
            stream.on_event(
                {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
            )
        )
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR


def _error(code: int, message: str, status: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (429, _error(429, "Resource has been exhausted", "RESOURCE_EXHAUSTED"), ErrorClass.RATE_LIMITED),
        (503, _error(503, "The model is overloaded.", "UNAVAILABLE"), ErrorClass.SERVER_ERROR),
        (403, _error(403, "Permission denied", "PERMISSION_DENIED"), ErrorClass.AUTH),
        (
            400,
            _error(
                400,
                "API key not valid. Please pass a valid API key.",
                "INVALID_ARGUMENT",
                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
            ),
            ErrorClass.AUTH,
        ),
        (
            404,
            _error(404, "models/nope is not found for API version v1beta", "NOT_FOUND"),
            ErrorClass.MODEL_NOT_FOUND,
        ),
        (
            400,
            _error(
                400,
                "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
                "INVALID_ARGUMENT",
            ),
            ErrorClass.CONTEXT_LENGTH,
        ),
        (400, _error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT"), ErrorClass.INVALID_REQUEST),
    ],
)
def test_errors_are_classified(status: int, body: Any, expected: ErrorClass) -> None:
    failure = wire.classify(status, {}, body)
    assert failure.error_class is expected
    assert failure.status == status
    assert failure.message.startswith("gemini: ")


def test_retry_delay_comes_from_retry_info_when_no_header() -> None:
    body = _error(
        429,
        "Quota exceeded",
        "RESOURCE_EXHAUSTED",
        [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"}],
    )
    assert wire.classify(429, {}, body).retry_after_s == 3.0
    assert wire.classify(429, {"retry-after": "2"}, body).retry_after_s == 2.0


def test_embeddings_use_embed_content_for_one_text_and_batch_for_several() -> None:
    assert wire.embed_body("text-embedding-004", ["a"], None) == (
        "embedContent",
        {"content": {"parts": [{"text": "a"}]}},
    )
    method, body = wire.embed_body("text-embedding-004", ["a", "b"], 256)
    assert method == "batchEmbedContents"
    assert body["requests"][1] == {
        "model": "models/text-embedding-004",
        "content": {"parts": [{"text": "b"}]},
        "outputDimensionality": 256,
    }
    assert wire.embed_vectors({"embeddings": [{"values": [0.1]}, {"values": [0.2]}]}) == [[0.1], [0.2]]
    assert json.dumps(wire.embed_vectors({"embedding": {"values": [1.0]}})) == "[[1.0]]"


def test_a_malformed_function_call_is_a_retryable_failure_not_an_answer() -> None:
    candidate = {"content": {"parts": []}, "finishReason": "MALFORMED_FUNCTION_CALL"}
    with pytest.raises(UpstreamError) as caught:
        wire.chat_answer({"candidates": [candidate]}, "m")
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR
