"""The built-in `mock` provider: deterministic answers computed in process, for demos and tests.

Chat answers `provider_settings.reply` (default "Mock answer to: {input}", where {input} is the
last user message), cut to `max_tokens` words (finish_reason "length"). With tools, the first
user turn calls the named (or first) tool with example arguments built from its schema, and a
tool result is answered with "Tool result: ...". A `response_format` JSON schema is answered
with an example object of that schema. Streams send the answer word by word, then usage.
Embeddings have `provider_settings.dimensions` (default 16) unit-length floats derived from a
hash of the input. A prefill continues the same deterministic answer after the given prefix.
Usage counts roughly one token per four characters, as real tokenizers do for English.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
from collections.abc import AsyncIterator, Mapping
from typing import Any

from adapters.providers._http import encode_json
from adapters.providers.chat_shapes import (
    ChatAnswer,
    Choice,
    ChunkWriter,
    ToolCall,
    chat_completion,
    embedding_inputs,
    embeddings_body,
    json_schema_of,
    text_completion,
    text_of,
    wants_json_object,
)
from core.domain.errors import Unsupported
from ports.provider import Operation, StreamChunk, TokenUsage, UpstreamCall, UpstreamResponse

DEFAULT_REPLY = "Mock answer to: {input}"
DEFAULT_DIMENSIONS = 16
_WORDS = re.compile(r"\s*\S+")


def tokens(text: str) -> int:
    return (len(text) + 3) // 4


class MockClient:
    provider = "mock"
    supports_prefill = True

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        if call.operation is Operation.EMBEDDINGS:
            return _embeddings(call)
        answer = _answer(call)
        body = chat_completion(answer)
        if call.operation is Operation.COMPLETIONS:
            body = text_completion(body)
        return UpstreamResponse(body=body, usage=answer.usage, raw=encode_json(body))

    async def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported("mock: embeddings cannot be streamed")
        answer = _answer(call)
        choice = answer.choices[0]
        writer = ChunkWriter(answer.model, call.operation)
        for tool in choice.tool_calls:
            yield _raw(writer.tool_call_start(tool.id, tool.name, tool.arguments))
        for word in _WORDS.findall(choice.text or ""):
            yield _raw(writer.text(word))
        yield _raw(writer.finish(choice.finish_reason))
        yield writer.usage(answer.usage)

    async def aclose(self) -> None:
        """Nothing to close: no network."""


def _raw(chunk: StreamChunk) -> StreamChunk:
    """The chunk with its JSON pre-encoded (msgspec), so the gateway relays bytes as is."""
    return StreamChunk(
        data=chunk.data,
        raw=encode_json(chunk.data),
        text=chunk.text,
        finish_reason=chunk.finish_reason,
        has_tool_calls=chunk.has_tool_calls,
    )


# --- answers ---------------------------------------------------------------------------------


def _answer(call: UpstreamCall) -> ChatAnswer:
    payload = call.payload
    messages = _messages(call)
    prompt_tokens = sum(tokens(text_of(m.get("content"))) + 4 for m in messages)
    tool = _tool_call(payload, messages)
    if tool is not None:
        choice = Choice(None, "tool_calls", (tool,))
        completion_tokens = tokens(tool.name + tool.arguments)
    else:
        text, finish = _text(call, messages)
        choice = Choice(text, finish)
        completion_tokens = tokens(text)
    return ChatAnswer(
        model=call.model.model_name, choices=(choice,), usage=TokenUsage(prompt_tokens, completion_tokens)
    )


def _messages(call: UpstreamCall) -> list[Mapping[str, Any]]:
    if call.operation is Operation.COMPLETIONS:
        prompt = call.payload.get("prompt")
        text = prompt[0] if isinstance(prompt, list) and prompt else prompt
        return [{"role": "user", "content": str(text or "")}]
    messages = call.payload.get("messages")
    return [m for m in messages if isinstance(m, Mapping)] if isinstance(messages, list) else []


def _text(call: UpstreamCall, messages: list[Mapping[str, Any]]) -> tuple[str, str]:
    full = _full_text(call, messages)
    if call.prefill is not None:
        full = full[len(call.prefill) :] if full.startswith(call.prefill) else full
    limit = call.payload.get("max_completion_tokens", call.payload.get("max_tokens"))
    words = _WORDS.findall(full)
    if isinstance(limit, int) and 0 < limit < len(words):
        return "".join(words[:limit]), "length"
    return full, "stop"


def _full_text(call: UpstreamCall, messages: list[Mapping[str, Any]]) -> str:
    last = messages[-1] if messages else {}
    if last.get("role") == "tool":
        return f"Tool result: {text_of(last.get('content'))}"
    user = next((text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    response_format = call.payload.get("response_format")
    schema = json_schema_of(response_format)
    if schema is not None:
        return json.dumps(example_of(schema[1], user))
    if wants_json_object(response_format):
        return json.dumps({"answer": user})
    template = call.model.provider_settings.get("reply", DEFAULT_REPLY)
    return str(template).replace("{input}", user)


def _tool_call(payload: Mapping[str, Any], messages: list[Mapping[str, Any]]) -> ToolCall | None:
    functions = [t.get("function") for t in payload.get("tools") or () if isinstance(t, Mapping)]
    tools: list[Mapping[str, Any]] = [f for f in functions if isinstance(f, Mapping) and f.get("name")]
    choice = payload.get("tool_choice", "auto")
    if not tools or choice == "none" or not messages or messages[-1].get("role") != "user":
        return None
    tool = tools[0]
    if isinstance(choice, Mapping):
        wanted = (choice.get("function") or {}).get("name")
        tool = next((t for t in tools if t.get("name") == wanted), tool)
    user = text_of(messages[-1].get("content"))
    arguments = json.dumps(example_of(tool.get("parameters") or {}, user))
    digest = hashlib.sha256(f"{tool['name']}:{arguments}".encode()).hexdigest()[:24]
    return ToolCall(f"call_{digest}", str(tool["name"]), arguments)


def example_of(schema: Mapping[str, Any], text: str) -> Any:
    """A value of `schema` (strings are `text`), deterministic: for tool arguments and JSON answers."""
    kind = schema.get("type")
    if schema.get("enum"):
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        required = schema.get("required") or list(properties)
        return {name: example_of(properties.get(name) or {}, text) for name in required}
    if kind == "array":
        return [example_of(schema.get("items") or {}, text)]
    if kind in ("integer", "number"):
        return _within(42, schema.get("minimum"), schema.get("maximum"))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return text


def _within(value: int, low: Any, high: Any) -> int | float:
    """`value` moved into [minimum, maximum] when the schema bounds it (e.g. a 1–5 score answers 5)."""
    result: int | float = value
    if isinstance(high, int | float) and not isinstance(high, bool):
        result = min(result, high)
    if isinstance(low, int | float) and not isinstance(low, bool):
        result = max(result, low)
    return result


# --- embeddings ------------------------------------------------------------------------------


def _embeddings(call: UpstreamCall) -> UpstreamResponse:
    inputs = embedding_inputs(call.payload, "mock")
    dimensions = call.payload.get("dimensions") or call.model.provider_settings.get(
        "dimensions", DEFAULT_DIMENSIONS
    )
    vectors = [embedding(f"{call.model.model_name}\n{text}", int(dimensions)) for text in inputs]
    prompt_tokens = sum(tokens(text) for text in inputs)
    body = embeddings_body(call.model.model_name, vectors, prompt_tokens, call.payload.get("encoding_format"))
    return UpstreamResponse(body=body, usage=TokenUsage(prompt_tokens, 0), raw=encode_json(body))


def embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector derived from a hash of `text`: equal inputs, equal vectors."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        block = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend(v / 2**31 for v in struct.unpack("<8i", block))
        counter += 1
    vector = values[:dimensions]
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]
