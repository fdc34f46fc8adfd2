"""The built-in mock provider: deterministic answers, streams, tools, JSON, embeddings, prefill."""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

import pytest

from adapters.providers.mock import MockClient
from core.domain.errors import Unsupported
from ports.provider import Operation, TokenUsage, UpstreamCall
from tests.providers.calls import drain, make_call, text_of

pytestmark = pytest.mark.anyio

client = MockClient()
HELLO = [{"role": "system", "content": "Be nice."}, {"role": "user", "content": "Hello there, mock!"}]


def _call(payload: dict[str, Any], **kwargs: Any) -> UpstreamCall:
    return make_call(payload, provider="mock", model_name="mock-1", api_base=None, api_key=None, **kwargs)


async def test_chat_answers_the_last_user_message_deterministically_with_usage() -> None:
    first = await client.invoke(_call({"messages": HELLO}))
    second = await client.invoke(_call({"messages": HELLO}))
    message = first.body["choices"][0]
    assert first.body["object"] == "chat.completion" and first.body["model"] == "mock-1"
    assert message["message"]["content"] == "Mock answer to: Hello there, mock!"
    assert message["finish_reason"] == "stop"
    assert second.body["choices"] == first.body["choices"]
    assert first.usage.prompt_tokens > 0 and first.usage.completion_tokens > 0
    assert first.body["usage"]["total_tokens"] == first.usage.prompt_tokens + first.usage.completion_tokens
    assert first.raw is not None and json.loads(first.raw) == first.body


async def test_the_reply_template_and_max_tokens_shape_the_answer() -> None:
    response = await client.invoke(
        _call(
            {"messages": HELLO, "max_tokens": 3}, settings={"reply": "Echo {input} and then some more words"}
        )
    )
    choice = response.body["choices"][0]
    assert choice["message"]["content"] == "Echo Hello there,"
    assert choice["finish_reason"] == "length"


async def test_a_stream_sends_the_same_answer_in_several_chunks_then_usage() -> None:
    answer = await client.invoke(_call({"messages": HELLO}))
    chunks = await drain(client.stream(_call({"messages": HELLO, "stream": True})))
    texts = [c.text for c in chunks if c.text]
    assert len(texts) > 3
    assert text_of(chunks) == answer.body["choices"][0]["message"]["content"]
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert chunks[-1].usage == answer.usage
    assert all(json.loads(c.raw) == c.data for c in chunks if c.raw is not None)
    assert chunks[0].data["object"] == "chat.completion.chunk"


async def test_a_prefill_continues_the_same_answer() -> None:
    full = "Mock answer to: Hello there, mock!"
    chunks = await drain(client.stream(_call({"messages": HELLO}, prefill="Mock answer to: Hel")))
    assert "Mock answer to: Hel" + text_of(chunks) == full
    assert client.supports_prefill


async def test_tools_are_called_with_example_arguments_and_results_are_answered() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                "required": ["city", "days"],
            },
        },
    }
    asked = await client.invoke(_call({"messages": HELLO, "tools": [tool], "tool_choice": "required"}))
    choice = asked.body["choices"][0]
    call = choice["message"]["tool_calls"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Hello there, mock!", "days": 42}

    followed = [*HELLO, choice["message"], {"role": "tool", "tool_call_id": call["id"], "content": "18C"}]
    answered = await client.invoke(_call({"messages": followed, "tools": [tool]}))
    assert answered.body["choices"][0]["message"]["content"] == "Tool result: 18C"

    streamed = await drain(client.stream(_call({"messages": HELLO, "tools": [tool]})))
    assert streamed[0].has_tool_calls and streamed[-2].finish_reason == "tool_calls"


async def test_a_json_schema_is_answered_with_a_matching_object() -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["name", "tags"],
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema}}
    response = await client.invoke(_call({"messages": HELLO, "response_format": response_format}))
    content = json.loads(response.body["choices"][0]["message"]["content"])
    assert content == {"name": "Hello there, mock!", "tags": ["Hello there, mock!"]}


async def test_embeddings_are_unit_vectors_of_fixed_dimension_derived_from_the_input() -> None:
    response = await client.invoke(
        _call({"input": ["alpha", "beta", "alpha"]}, operation=Operation.EMBEDDINGS)
    )
    vectors = [item["embedding"] for item in response.body["data"]]
    assert response.body["object"] == "list" and response.body["model"] == "mock-1"
    assert [len(v) for v in vectors] == [16, 16, 16]
    assert vectors[0] == vectors[2] and vectors[0] != vectors[1]
    assert math.isclose(sum(x * x for x in vectors[0]), 1.0)
    assert response.usage == TokenUsage(2 + 1 + 2, 0)  # about four characters a token

    sized = await client.invoke(
        _call(
            {"input": "alpha", "encoding_format": "base64"},
            operation=Operation.EMBEDDINGS,
            settings={"dimensions": 4},
        )
    )
    packed = base64.b64decode(sized.body["data"][0]["embedding"])
    assert len(struct.unpack("<4f", packed)) == 4


async def test_completions_answer_the_prompt_and_embeddings_do_not_stream() -> None:
    response = await client.invoke(_call({"prompt": "Once upon"}, operation=Operation.COMPLETIONS))
    assert response.body["object"] == "text_completion"
    assert response.body["choices"][0]["text"] == "Mock answer to: Once upon"
    chunks = await drain(client.stream(_call({"prompt": "Once upon"}, operation=Operation.COMPLETIONS)))
    assert chunks[0].data["object"] == "text_completion"
    assert text_of(chunks) == "Mock answer to: Once upon"
    with pytest.raises(Unsupported, match="mock"):
        await drain(client.stream(_call({"input": "x"}, operation=Operation.EMBEDDINGS)))
