"""The official `openai` SDK pointed at a running gateway: its calls work, its errors are its own classes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest
from openai import OpenAI
from openai.types.chat import (
    ChatCompletionMessageFunctionToolCall,
    ChatCompletionMessageParam,
    ChatCompletionToolParam,
)
from openai.types.shared_params import ResponseFormatJSONSchema

from tests.e2e.faulty_upstream import Cut, Reply, ScriptedUpstream, error, stream
from tests.e2e.gateway import Endpoint, Gateway

HELLO: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hello there"}]
WEATHER_TOOL: ChatCompletionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city", "unit"],
        },
    },
}
ANSWER_FORMAT: ResponseFormatJSONSchema = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "score": {"type": "integer", "minimum": 1, "maximum": 5},
            },
            "required": ["city", "score"],
            "additionalProperties": False,
        },
    },
}


@pytest.fixture
def sdk(gateway: Gateway) -> Iterator[OpenAI]:
    with OpenAI(base_url=f"{gateway.url}/v1", api_key=gateway.admin_key, max_retries=0, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def mock_endpoint(gateway: Gateway) -> Endpoint:
    """An endpoint on the built-in deterministic mock provider."""
    return gateway.endpoint(gateway.model("mock"))


def test_chat(sdk: OpenAI, mock_endpoint: Endpoint) -> None:
    raw = sdk.chat.completions.with_raw_response.create(model=mock_endpoint.name, messages=HELLO)
    completion = raw.parse()
    assert completion.choices[0].message.content == "Mock answer to: hello there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == mock_endpoint.models[0].model_name
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert raw.headers["x-switchboard-model-definition"] == mock_endpoint.models[0].name


def test_streaming_chat(sdk: OpenAI, mock_endpoint: Endpoint) -> None:
    chunks = list(
        sdk.chat.completions.create(
            model=mock_endpoint.name,
            messages=HELLO,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Mock answer to: hello there"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == [
        "stop"
    ]
    usage = chunks[-1].usage
    assert usage is not None and usage.completion_tokens > 0


def test_tools(sdk: OpenAI, mock_endpoint: Endpoint) -> None:
    question: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Weather in Paris?"}]
    completion = sdk.chat.completions.create(
        model=mock_endpoint.name,
        messages=question,
        tools=[WEATHER_TOOL],
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    (call,) = choice.message.tool_calls
    assert isinstance(call, ChatCompletionMessageFunctionToolCall)
    assert call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    assert set(arguments) == {"city", "unit"} and arguments["unit"] in ("c", "f")

    turn: list[ChatCompletionMessageParam] = [
        *question,
        {
            "role": "assistant",
            "tool_calls": [
                {"id": call.id, "type": "function", "function": call.function.model_dump()}  # type: ignore[typeddict-item]
            ],
        },
        {"role": "tool", "tool_call_id": call.id, "content": "18 C and sunny"},
    ]
    follow_up = sdk.chat.completions.create(model=mock_endpoint.name, messages=turn, tools=[WEATHER_TOOL])
    assert follow_up.choices[0].message.content == "Tool result: 18 C and sunny"


def test_response_format_json_schema(sdk: OpenAI, mock_endpoint: Endpoint) -> None:
    completion = sdk.chat.completions.create(
        model=mock_endpoint.name,
        messages=[{"role": "user", "content": "Rate Paris"}],
        response_format=ANSWER_FORMAT,
    )
    answer = json.loads(completion.choices[0].message.content or "")
    assert set(answer) == {"city", "score"}
    assert 1 <= answer["score"] <= 5


def test_embeddings(sdk: OpenAI, mock_endpoint: Endpoint) -> None:
    result = sdk.embeddings.create(
        model=mock_endpoint.name, input=["first text", "second text"]
    )  # base64 on the wire
    assert [e.index for e in result.data] == [0, 1]
    first, second = (e.embedding for e in result.data)
    assert len(first) == len(second) == 16 and first != second
    assert sum(v * v for v in first) == pytest.approx(1.0)
    as_floats = sdk.embeddings.create(model=mock_endpoint.name, input="first text", encoding_format="float")
    assert as_floats.data[0].embedding == pytest.approx(first)


def test_completions(sdk: OpenAI, mock_endpoint: Endpoint) -> None:
    completion = sdk.completions.create(model=mock_endpoint.name, prompt="Once upon a time")
    assert completion.object == "text_completion"
    assert completion.choices[0].text == "Mock answer to: Once upon a time"
    assert completion.usage is not None and completion.usage.prompt_tokens > 0


def test_models_lists_the_endpoints(sdk: OpenAI, mock_endpoint: Endpoint) -> None:
    assert mock_endpoint.name in {m.id for m in sdk.models.list()}


def test_tools_and_response_format_reach_an_openai_upstream_unchanged(
    sdk: OpenAI, gateway: Gateway, upstream: ScriptedUpstream
) -> None:
    endpoint = gateway.endpoint(gateway.model())
    (model,) = endpoint.models
    call = {
        "id": "call_abc123",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city":"Paris","unit":"c"}'},
    }
    upstream.script(
        model.model_name,
        Reply.json(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1_700_000_000,
                "model": model.model_name,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                        "finish_reason": "tool_calls",
                    }
                ],
                "usage": {"prompt_tokens": 20, "completion_tokens": 9, "total_tokens": 29},
            },
        ),
    )
    completion = sdk.chat.completions.create(
        model=endpoint.name,
        messages=HELLO,
        tools=[WEATHER_TOOL],
        tool_choice="required",
        response_format=ANSWER_FORMAT,
        temperature=0.2,
    )
    tool_calls = completion.choices[0].message.tool_calls
    assert tool_calls is not None and isinstance(tool_calls[0], ChatCompletionMessageFunctionToolCall)
    assert tool_calls[0].function.arguments == '{"city":"Paris","unit":"c"}'
    sent = upstream.hits(model.model_name)[0].json()
    assert sent["model"] == model.model_name
    assert sent["tools"] == [WEATHER_TOOL] and sent["tool_choice"] == "required"
    assert sent["response_format"] == ANSWER_FORMAT and sent["temperature"] == 0.2


# --- errors ----------------------------------------------------------------------------------


def test_a_rejected_request_is_a_bad_request_error(
    sdk: OpenAI, gateway: Gateway, upstream: ScriptedUpstream, mock_endpoint: Endpoint
) -> None:
    with pytest.raises(openai.BadRequestError) as invalid:
        sdk.chat.completions.create(model=mock_endpoint.name, messages=[])
    assert invalid.value.status_code == 400 and "messages" in invalid.value.message

    endpoint = gateway.endpoint(gateway.model())
    upstream.script(
        endpoint.models[0].model_name, error(400, "flagged by the content filter", code="content_filter")
    )
    with pytest.raises(openai.BadRequestError) as filtered:
        sdk.chat.completions.create(model=endpoint.name, messages=HELLO)
    assert "flagged by the content filter" in filtered.value.message


def test_a_bad_key_is_an_authentication_error(gateway: Gateway, mock_endpoint: Endpoint) -> None:
    stranger = OpenAI(base_url=f"{gateway.url}/v1", api_key="sb-not-a-key", max_retries=0)
    with stranger, pytest.raises(openai.AuthenticationError) as refused:
        stranger.chat.completions.create(model=mock_endpoint.name, messages=HELLO)
    assert refused.value.status_code == 401


def test_an_unknown_endpoint_is_a_not_found_error(sdk: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.chat.completions.create(model="no-such-endpoint", messages=HELLO)
    assert "no-such-endpoint" in missing.value.message


def test_a_limit_is_a_rate_limit_error_with_retry_after(sdk: OpenAI, gateway: Gateway) -> None:
    endpoint = gateway.endpoint(gateway.model("mock"))
    gateway.api(
        "PUT",
        f"/api/v1/endpoints/{endpoint.endpoint_id}/limits",
        {"limits": [{"renewal_period": "hour", "calls": 0}]},
    )
    gateway.wait_until_limited(endpoint.name)
    with pytest.raises(openai.RateLimitError) as limited:
        sdk.chat.completions.create(model=endpoint.name, messages=HELLO)
    assert limited.value.status_code == 429
    assert int(limited.value.response.headers["retry-after"]) > 0


def test_a_stream_that_cannot_be_rescued_is_an_api_error_after_what_arrived(
    sdk: OpenAI, gateway: Gateway, upstream: ScriptedUpstream
) -> None:
    endpoint = gateway.endpoint(gateway.model())  # no fallback to continue on
    model = endpoint.models[0]
    upstream.script(model.model_name, stream(model.model_name, ["Half an", " answ", Cut()], finish=False))
    received: list[str] = []
    with pytest.raises(openai.APIError, match="stream"):
        for chunk in sdk.chat.completions.create(model=endpoint.name, messages=HELLO, stream=True):
            assert chunk.choices[0].finish_reason is None  # never a made-up finish
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "Half an answ"


def test_an_endpoint_outside_the_keys_scope_is_a_permission_denied_error(
    gateway: Gateway, mock_endpoint: Endpoint
) -> None:
    other = gateway.endpoint(gateway.model("mock"))
    key = gateway.api(
        "POST", "/api/v1/keys", {"name": "scoped-app", "role": "user", "endpoints": [other.name]}
    )
    gateway.wait_until_key_accepted(key["key"])
    scoped = OpenAI(base_url=f"{gateway.url}/v1", api_key=key["key"], max_retries=0)
    with scoped:
        assert scoped.chat.completions.create(model=other.name, messages=HELLO).choices
        assert [m.id for m in scoped.models.list()] == [other.name]
        with pytest.raises(openai.PermissionDeniedError):
            scoped.chat.completions.create(model=mock_endpoint.name, messages=HELLO)
