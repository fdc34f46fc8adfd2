"""Translated answers parse as the official openai SDK's own types (what SDK users will receive)."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types import Completion, CreateEmbeddingResponse
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from adapters.providers._http import HttpPools
from adapters.providers.anthropic import AnthropicClient
from adapters.providers.mock import MockClient
from ports.provider import Operation, UpstreamCall
from tests.providers.calls import drain, make_call
from tests.providers.upstream import FakeUpstream, Reply, sse_data

pytestmark = pytest.mark.anyio

TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
HELLO = [{"role": "user", "content": "Hello"}]


def _mock(payload: dict[str, Any], operation: Operation = Operation.CHAT) -> UpstreamCall:
    return make_call(payload, provider="mock", model_name="mock-1", api_base=None, operation=operation)


async def test_mock_answers_parse_as_sdk_types() -> None:
    mock = MockClient()
    chat = await mock.invoke(_mock({"messages": HELLO}))
    tools = await mock.invoke(_mock({"messages": HELLO, "tools": [TOOL]}))
    completion = await mock.invoke(_mock({"prompt": "Hi"}, Operation.COMPLETIONS))
    embeddings = await mock.invoke(_mock({"input": ["a", "b"]}, Operation.EMBEDDINGS))
    chunks = await drain(mock.stream(_mock({"messages": HELLO, "tools": [TOOL]})))
    text_chunks = await drain(mock.stream(_mock({"messages": HELLO})))

    assert ChatCompletion.model_validate(chat.body).choices[0].message.content == "Mock answer to: Hello"
    tool_call = ChatCompletion.model_validate(tools.body).choices[0].message.tool_calls
    assert tool_call is not None and tool_call[0].model_dump()["function"]["name"] == "f"
    assert Completion.model_validate(completion.body).choices[0].text == "Mock answer to: Hello".replace(
        "Hello", "Hi"
    )
    assert len(CreateEmbeddingResponse.model_validate(embeddings.body).data) == 2
    for chunk in [*chunks, *text_chunks]:
        ChatCompletionChunk.model_validate(chunk.data)


async def test_anthropic_translations_parse_as_sdk_types(upstream: FakeUpstream) -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-haiku-4-5",
        "content": [
            {"type": "text", "text": "Calling."},
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"x": 1}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 7},
    }
    start = {"type": "message_start", "message": {**message, "content": [], "stop_reason": None}}
    events = [
        sse_data(start, "message_start"),
        sse_data({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        sse_data({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}),
        sse_data(
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}}
        ),
    ]
    upstream.then(Reply.json(200, message), Reply.sse(events))
    pools = HttpPools()
    client = AnthropicClient(pools)
    call = make_call(
        {"messages": HELLO, "tools": [TOOL]}, provider="anthropic", model_name="c", api_base=upstream.url
    )
    try:
        answer = await client.invoke(call)
        chunks = await drain(client.stream(call))
    finally:
        await pools.aclose()
    parsed = ChatCompletion.model_validate(answer.body)
    assert parsed.choices[0].finish_reason == "tool_calls"
    assert parsed.usage is not None and parsed.usage.total_tokens == 12
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk.data)
