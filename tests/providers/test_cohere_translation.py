"""Cohere v2 translation: OpenAI requests to /v2/chat bodies, answers, stream events and errors back."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.providers import cohere_wire as wire
from adapters.providers.chat_shapes import ChunkWriter
from core.domain.failures import ErrorClass, UpstreamError

TOOL = {
    "type": "function",
    "function": {"name": "lookup", "description": "Find a fact", "parameters": {"type": "object"}},
}


def test_messages_tools_and_parameters_map_to_v2_chat() -> None:
    body = wire.chat_body(
        {
            "messages": [
                {"role": "system", "content": "Be exact."},
                {"role": "user", "content": [{"type": "text", "text": "Find it"}]},
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        {"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
                    ],
                },
                {"role": "tool", "tool_call_id": "t1", "content": "42"},
            ],
            "tools": [TOOL],
            "tool_choice": "required",
            "temperature": 0.3,
            "top_p": 0.5,
            "max_completion_tokens": 64,
            "stop": ["\n\n"],
            "seed": 7,
        },
        "command-a-03-2025",
        stream=False,
    )
    assert body["model"] == "command-a-03-2025"
    assert body["stream"] is False
    assert body["messages"] == [
        {"role": "system", "content": "Be exact."},
        {"role": "user", "content": [{"type": "text", "text": "Find it"}]},
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "42"},
    ]
    assert body["tools"] == [
        {
            "type": "function",
            "function": {"name": "lookup", "description": "Find a fact", "parameters": {"type": "object"}},
        }
    ]
    assert body["tool_choice"] == "REQUIRED"
    assert (body["temperature"], body["p"], body["max_tokens"], body["stop_sequences"], body["seed"]) == (
        0.3,
        0.5,
        64,
        ["\n\n"],
        7,
    )


def test_json_schema_response_format_uses_cohere_json_object_with_schema() -> None:
    body = wire.chat_body(
        {
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "v", "schema": {"type": "object"}},
            },
        },
        "m",
        stream=False,
    )
    assert body["response_format"] == {"type": "json_object", "json_schema": {"type": "object"}}


def test_a_named_tool_choice_offers_only_that_tool_as_required() -> None:
    other = {"type": "function", "function": {"name": "other"}}
    body = wire.chat_body(
        {
            "messages": [{"role": "user", "content": "x"}],
            "tools": [TOOL, other],
            "tool_choice": {"type": "function", "function": {"name": "other"}},
        },
        "m",
        stream=False,
    )
    assert [t["function"]["name"] for t in body["tools"]] == ["other"]
    assert body["tool_choice"] == "REQUIRED"


def test_more_than_one_choice_is_an_invalid_request() -> None:
    with pytest.raises(UpstreamError) as caught:
        wire.chat_body({"messages": [{"role": "user", "content": "x"}], "n": 2}, "m", stream=False)
    assert caught.value.failure.error_class is ErrorClass.INVALID_REQUEST


@pytest.mark.parametrize(
    ("reason", "tools", "expected"),
    [
        ("COMPLETE", False, "stop"),
        ("STOP_SEQUENCE", False, "stop"),
        ("MAX_TOKENS", False, "length"),
        ("TOOL_CALL", True, "tool_calls"),
    ],
)
def test_finish_reasons(reason: str, tools: bool, expected: str) -> None:
    assert wire.finish_reason(reason, tools) == expected


def test_an_error_finish_is_not_presented_as_an_answer() -> None:
    with pytest.raises(UpstreamError) as caught:
        wire.chat_answer({"finish_reason": "ERROR", "message": {"role": "assistant", "content": []}}, "m")
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR


def test_stream_events_including_tool_calls() -> None:
    stream = wire.CohereStream(ChunkWriter("command-a"))
    events: list[dict[str, Any]] = [
        {"type": "message-start", "id": "m1", "delta": {"message": {"role": "assistant"}}},
        {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will look"}}},
        {
            "type": "tool-call-start",
            "index": 0,
            "delta": {
                "message": {
                    "tool_calls": {
                        "id": "lookup_1",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": ""},
                    }
                }
            },
        },
        {
            "type": "tool-call-delta",
            "index": 0,
            "delta": {"message": {"tool_calls": {"function": {"arguments": '{"q":'}}}},
        },
        {
            "type": "tool-call-delta",
            "index": 0,
            "delta": {"message": {"tool_calls": {"function": {"arguments": '"x"}'}}}},
        },
        {"type": "tool-call-end", "index": 0},
        {
            "type": "message-end",
            "delta": {
                "finish_reason": "TOOL_CALL",
                "usage": {
                    "billed_units": {"input_tokens": 10, "output_tokens": 6},
                    "tokens": {"input_tokens": 1200, "output_tokens": 30},
                },
            },
        },
    ]
    chunks = [c for e in events for c in stream.on_event(e)] + list(stream.final())
    calls = [
        c.data["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c.has_tool_calls and c.data["choices"][0]["delta"]
    ]
    assert calls[0] == {
        "index": 0,
        "id": "lookup_1",
        "type": "function",
        "function": {"name": "lookup", "arguments": ""},
    }
    assert "".join(c["function"]["arguments"] for c in calls) == '{"q":"x"}'
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["tool_calls"]
    assert chunks[-1].usage is not None and chunks[-1].usage.prompt_tokens == 1200


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (
            429,
            "You are using a Trial key, which is limited to 10 API calls / minute.",
            ErrorClass.RATE_LIMITED,
        ),
        (401, "invalid api token", ErrorClass.AUTH),
        (402, "Please add or update your payment method", ErrorClass.AUTH),
        (
            404,
            "model 'command-z' not found, make sure the correct model ID was used",
            ErrorClass.MODEL_NOT_FOUND,
        ),
        (
            400,
            "too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292.",
            ErrorClass.CONTEXT_LENGTH,
        ),
        (
            400,
            "too many tokens: max tokens must be less than or equal to 4096, the maximum output",
            ErrorClass.INVALID_REQUEST,
        ),
        (400, "invalid request: message must not be empty in a turn", ErrorClass.INVALID_REQUEST),
        (499, "request cancelled", ErrorClass.CONNECTION),
        (
            400,
            "blocked output: this generation is in violation of our usage guidelines",
            ErrorClass.CONTENT_POLICY,
        ),
        (500, "internal server error, this has been reported to our developers", ErrorClass.SERVER_ERROR),
    ],
)
def test_errors_are_classified(status: int, message: str, expected: ErrorClass) -> None:
    failure = wire.classify(status, {}, {"id": "e1", "message": message})
    assert failure.error_class is expected
    assert failure.message == f"cohere: {message}"


def test_assistant_text_beside_tool_calls_becomes_the_tool_plan() -> None:
    call = {"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    body = wire.chat_body(
        {
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "assistant", "content": "I will look it up.", "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "t1", "content": "found"},
            ]
        },
        "m",
        stream=False,
    )
    assert body["messages"][1] == {
        "role": "assistant",
        "tool_calls": [call],
        "tool_plan": "I will look it up.",
    }
