"""Bedrock translation: OpenAI requests to Converse bodies, stream exceptions and AWS error types."""

from __future__ import annotations

import pytest

from adapters.providers import bedrock_wire as wire
from adapters.providers.eventstream import EventMessage
from core.domain.failures import ErrorClass, UpstreamError


def test_images_and_parallel_tool_results_map_to_content_blocks() -> None:
    body = wire.converse_body(
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Compare"},
                        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
                    ],
                },
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                        {"id": "b", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}},
                    ],
                },
                {"role": "tool", "tool_call_id": "a", "content": "A"},
                {"role": "tool", "tool_call_id": "b", "content": [{"type": "text", "text": "B"}]},
                {"role": "user", "content": "and?"},
            ]
        }
    )
    assert body["messages"][0]["content"][1] == {"image": {"format": "jpeg", "source": {"bytes": "/9j/4AAQ"}}}
    # Both results and the next user text share one user turn: Converse wants turns to alternate.
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {"toolResult": {"toolUseId": "a", "content": [{"text": "A"}]}},
            {"toolResult": {"toolUseId": "b", "content": [{"text": "B"}]}},
            {"text": "and?"},
        ],
    }


def test_an_image_by_http_url_is_an_invalid_request() -> None:
    with pytest.raises(UpstreamError) as caught:
        wire.converse_body(
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}],
                    }
                ]
            }
        )
    assert caught.value.failure.error_class is ErrorClass.INVALID_REQUEST


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("required", {"any": {}}),
        ({"type": "function", "function": {"name": "f"}}, {"tool": {"name": "f"}}),
    ],
)
def test_tool_choice(choice: object, expected: object) -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    body = wire.converse_body(
        {"messages": [{"role": "user", "content": "x"}], "tools": tools, "tool_choice": choice}
    )
    assert body["toolConfig"]["toolChoice"] == expected
    assert body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"] == {
        "json": {"type": "object", "properties": {}}
    }


def test_json_object_asks_for_json_in_the_system_prompt() -> None:
    body = wire.converse_body(
        {"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}}
    )
    assert body["system"] == [{"text": wire.JSON_OBJECT_INSTRUCTION}]


@pytest.mark.parametrize(
    ("stop", "expected"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("content_filtered", "content_filter"),
        ("guardrail_intervened", "content_filter"),
    ],
)
def test_stop_reasons(stop: str, expected: str) -> None:
    answer = wire.chat_answer({"output": {"message": {"content": [{"text": "x"}]}}, "stopReason": stop}, "m")
    assert answer.choices[0].finish_reason == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {":message-type": "exception", ":exception-type": "modelStreamErrorException"},
            ErrorClass.SERVER_ERROR,
        ),
        ({":message-type": "exception", ":exception-type": "throttlingException"}, ErrorClass.RATE_LIMITED),
        (
            {":message-type": "error", ":error-code": "InternalFailure", ":error-message": "boom"},
            ErrorClass.SERVER_ERROR,
        ),
    ],
)
def test_stream_exceptions(headers: dict[str, str], expected: ErrorClass) -> None:
    failure = wire.stream_failure(EventMessage(dict(headers), b'{"message": "m"}'))
    assert failure.error_class is expected


def test_a_validation_exception_about_length_in_a_stream_is_context_length() -> None:
    headers = {":message-type": "exception", ":exception-type": "validationException"}
    failure = wire.stream_failure(
        EventMessage(headers, b'{"message": "Input is too long for requested model."}')
    )
    assert failure.error_class is ErrorClass.CONTEXT_LENGTH


def test_error_type_from_header_or_body() -> None:
    header = {"x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    assert wire.error_type(header, {}) == "ThrottlingException"
    assert wire.error_type({}, {"__type": "com.amazon.coral.service#ServiceUnavailableException"}) == (
        "ServiceUnavailableException"
    )


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("amazon.titan-embed-text-v2:0", "titan"),
        ("amazon.titan-embed-text-v1", "titan"),
        ("cohere.embed-multilingual-v3", "cohere"),
        ("anthropic.claude-3-haiku-20240307-v1:0", None),
    ],
)
def test_embedding_families(model: str, family: str | None) -> None:
    assert wire.embedding_family(model) == family


@pytest.mark.parametrize(
    ("prefill", "pieces", "expected"),
    [
        ("Once upon ", [" a", " time"], ["a", " time"]),
        ("Once upon ", ["a", " time"], ["a", " time"]),
        ("Line one\n\n", ["\n", "\nNext", " line"], ["", "Next", " line"]),
        ("no trailing space", [" more"], [" more"]),
        (None, [" x"], [" x"]),
    ],
)
def test_the_prefill_seam_drops_only_whitespace_the_caller_already_has(
    prefill: str | None, pieces: list[str], expected: list[str]
) -> None:
    seam = wire.PrefillSeam(prefill)
    assert [seam(p) for p in pieces] == expected


def test_a_prefill_is_sent_without_its_trailing_whitespace() -> None:
    body = wire.converse_body({"messages": [{"role": "user", "content": "x"}]}, prefill="Once upon ")
    assert body["messages"][-1] == {"role": "assistant", "content": [{"text": "Once upon"}]}
    only_space = wire.converse_body({"messages": [{"role": "user", "content": "x"}]}, prefill="  ")
    assert only_space["messages"][-1]["role"] == "user"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("This request has been blocked by our content filters.", ErrorClass.CONTENT_POLICY),
        ("Input is too long for requested model.", ErrorClass.CONTEXT_LENGTH),
        ("Malformed input request: #/messages/0: expected type: JSONObject", ErrorClass.INVALID_REQUEST),
    ],
)
def test_validation_exceptions_are_told_apart(message: str, expected: ErrorClass) -> None:
    headers = {"x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    assert wire.classify(400, headers, {"message": message}).error_class is expected
