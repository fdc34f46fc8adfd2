"""Cohere v2 wire format: OpenAI-shaped requests to /v2/chat and /v2/embed bodies, answers and errors back."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from adapters.providers._http import retry_after_s
from adapters.providers.chat_shapes import (
    ChatAnswer,
    Choice,
    ChunkWriter,
    JsonObject,
    ToolCall,
    classify_request_error,
    content_parts,
    invalid_request,
    json_schema_of,
    max_tokens_of,
    messages_of,
    new_id,
    stop_list,
    text_of,
    wants_json_object,
)
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import StreamChunk, TokenUsage

PROVIDER = "cohere"

_FINISH = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length", "TOOL_CALL": "tool_calls"}


# --- request ---------------------------------------------------------------------------------


def chat_body(payload: Mapping[str, Any], model: str, stream: bool, prefill: str | None = None) -> JsonObject:
    if payload.get("n") not in (None, 1):
        raise invalid_request(PROVIDER, "cohere answers one choice per request (n must be 1)")
    messages = [_message(m) for m in messages_of(payload, PROVIDER)]
    if prefill:
        messages.append({"role": "assistant", "content": prefill})
    body: JsonObject = {"model": model, "messages": messages, "stream": stream}
    tools = payload.get("tools")
    choice = payload.get("tool_choice")
    if tools:
        body["tools"] = _tools(tools, choice)
        if choice == "required" or isinstance(choice, Mapping):
            body["tool_choice"] = "REQUIRED"
        elif choice == "none":
            body["tool_choice"] = "NONE"
    for source, target in (
        ("temperature", "temperature"),
        ("top_p", "p"),
        ("seed", "seed"),
        ("frequency_penalty", "frequency_penalty"),
        ("presence_penalty", "presence_penalty"),
    ):
        if payload.get(source) is not None:
            body[target] = payload[source]
    max_tokens = max_tokens_of(payload)
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    stops = stop_list(payload.get("stop"))
    if stops:
        body["stop_sequences"] = stops
    response_format = payload.get("response_format")
    schema = json_schema_of(response_format)
    if schema:
        body["response_format"] = {"type": "json_object", "json_schema": schema[1]}
    elif wants_json_object(response_format):
        body["response_format"] = {"type": "json_object"}
    return body


def _message(message: Mapping[str, Any]) -> JsonObject:
    role = message["role"]
    if role in ("system", "developer"):
        return {"role": "system", "content": text_of(message.get("content"))}
    if role == "user":
        content = message.get("content")
        if isinstance(content, str):
            return {"role": "user", "content": content}
        return {"role": "user", "content": [_user_part(p) for p in content_parts(content)]}
    if role == "assistant":
        out: JsonObject = {"role": "assistant"}
        text = text_of(message.get("content"))
        calls = message.get("tool_calls") or []
        if calls:
            out["tool_calls"] = [_tool_call_out(c) for c in calls]
        if text:
            # Beside tool calls, Cohere carries the assistant's words as its tool plan.
            out["tool_plan" if calls else "content"] = text
        return out
    if role == "tool":
        return {
            "role": "tool",
            "tool_call_id": str(message.get("tool_call_id", "")),
            "content": text_of(message.get("content")),
        }
    raise invalid_request(PROVIDER, f"unknown message role '{role}'")


def _user_part(part: Mapping[str, Any]) -> JsonObject:
    kind = part.get("type")
    if kind == "text":
        return {"type": "text", "text": str(part.get("text", ""))}
    if kind == "image_url":
        return {"type": "image_url", "image_url": {"url": str((part.get("image_url") or {}).get("url", ""))}}
    raise invalid_request(PROVIDER, f"unsupported content part type '{kind}'")


def _tool_call_out(call: Mapping[str, Any]) -> JsonObject:
    function = call.get("function") or {}
    arguments = function.get("arguments")
    return {
        "id": str(call.get("id", "")),
        "type": "function",
        "function": {
            "name": str(function.get("name", "")),
            "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments or {}),
        },
    }


def _tools(tools: list[Mapping[str, Any]], choice: Any) -> list[JsonObject]:
    out: list[JsonObject] = []
    for tool in tools:
        if tool.get("type") != "function":
            raise invalid_request(PROVIDER, f"unsupported tool type '{tool.get('type')}'")
        function = tool.get("function") or {}
        entry: JsonObject = {"name": function.get("name", "")}
        for key in ("description", "parameters"):
            if function.get(key):
                entry[key] = function[key]
        out.append({"type": "function", "function": entry})
    if isinstance(choice, Mapping):
        # Cohere cannot name the tool to call; offering only that tool with REQUIRED has the same effect.
        name = (choice.get("function") or {}).get("name")
        out = [t for t in out if t["function"]["name"] == name]
        if not out:
            raise invalid_request(PROVIDER, f"tool_choice names unknown function '{name}'")
    return out


def embed_body(model: str, texts: list[str], settings: Mapping[str, Any], dimensions: Any) -> JsonObject:
    body: JsonObject = {
        "model": model,
        "texts": texts,
        "input_type": str(settings.get("input_type") or "search_document"),
        "embedding_types": ["float"],
    }
    if isinstance(dimensions, int):
        body["output_dimension"] = dimensions
    return body


def embed_result(body: Mapping[str, Any]) -> tuple[list[list[float]], int]:
    embeddings = body.get("embeddings") or {}
    vectors = embeddings.get("float", []) if isinstance(embeddings, Mapping) else embeddings
    billed = ((body.get("meta") or {}).get("billed_units") or {}).get("input_tokens", 0)
    return [list(v) for v in vectors], int(billed or 0)


# --- answer ----------------------------------------------------------------------------------


def chat_answer(body: Mapping[str, Any], model: str) -> ChatAnswer:
    reason = str(body.get("finish_reason", "COMPLETE"))
    _raise_on_error_finish(reason, body)
    message = body.get("message") or {}
    texts = [str(p.get("text", "")) for p in message.get("content") or [] if p.get("type") == "text"]
    calls = tuple(_tool_call_in(c) for c in message.get("tool_calls") or [])
    choice = Choice("".join(texts) if texts or not calls else None, finish_reason(reason, bool(calls)), calls)
    return ChatAnswer(
        model=model, choices=(choice,), usage=usage_of(body.get("usage")), id=str(body.get("id") or new_id())
    )


def _tool_call_in(call: Mapping[str, Any]) -> ToolCall:
    function = call.get("function") or {}
    arguments = function.get("arguments")
    return ToolCall(
        id=str(call.get("id") or new_id("call_")),
        name=str(function.get("name", "")),
        arguments=arguments if isinstance(arguments, str) else json.dumps(arguments or {}),
    )


def finish_reason(reason: str, has_tool_calls: bool) -> str:
    if has_tool_calls and reason == "COMPLETE":
        return "tool_calls"
    return _FINISH.get(reason, "stop")


def _raise_on_error_finish(reason: str, body: Mapping[str, Any]) -> None:
    # ERROR / TIMEOUT are not answers: raising keeps them from reaching the caller as complete ones.
    if reason == "ERROR":
        raise UpstreamError(
            ProviderFailure(ErrorClass.SERVER_ERROR, None, "cohere: generation ended with ERROR")
        )
    if reason == "TIMEOUT":
        raise UpstreamError(
            ProviderFailure(ErrorClass.TIMEOUT, None, "cohere: generation timed out upstream")
        )


def usage_of(usage: Any) -> TokenUsage:
    """Token counts (`tokens`, what the model processed), else the billed units."""
    if not isinstance(usage, Mapping):
        return TokenUsage()
    counts = usage.get("tokens") or usage.get("billed_units") or {}
    return TokenUsage(int(counts.get("input_tokens") or 0), int(counts.get("output_tokens") or 0))


# --- stream ----------------------------------------------------------------------------------


class CohereStream:
    """Turns /v2/chat stream events (message-start … message-end) into OpenAI chunks."""

    def __init__(self, writer: ChunkWriter) -> None:
        self._writer = writer
        self._usage = TokenUsage()
        self.finished = False

    def on_event(self, event: Mapping[str, Any]) -> Iterator[StreamChunk]:
        kind = event.get("type")
        message = (event.get("delta") or {}).get("message") or {}
        if kind == "content-delta":
            text = str((message.get("content") or {}).get("text") or "")
            if text:
                yield self._writer.text(text)
        elif kind == "tool-call-start":
            call = _tool_call_in(message.get("tool_calls") or {})
            yield self._writer.tool_call_start(call.id, call.name, call.arguments)
        elif kind == "tool-call-delta":
            arguments = ((message.get("tool_calls") or {}).get("function") or {}).get("arguments")
            if arguments:
                yield self._writer.tool_call_arguments(str(arguments))
        elif kind == "message-end":
            delta = event.get("delta") or {}
            reason = str(delta.get("finish_reason") or "COMPLETE")
            _raise_on_error_finish(reason, event)
            self._usage = usage_of(delta.get("usage"))
            self.finished = True
            yield self._writer.finish(finish_reason(reason, self._writer.tool_calls > 0))

    def final(self) -> Iterator[StreamChunk]:
        yield self._writer.usage(self._usage)


# --- errors ----------------------------------------------------------------------------------


def classify(status: int, headers: Mapping[str, str], body: Any) -> ProviderFailure:
    """A ProviderFailure from a Cohere error response (`{"id": ..., "message": ...}`)."""
    message = str(body.get("message") or f"HTTP {status}") if isinstance(body, Mapping) else f"HTTP {status}"
    lowered = message.lower()
    if status in (402, 498):
        error_class = ErrorClass.AUTH  # no credit left on that key / invalid token: another model may serve
    elif status == 499:
        error_class = ErrorClass.CONNECTION  # "request cancelled" upstream; Cohere documents it as retryable
    elif status == 400 and lowered.startswith("too many tokens") and "max tokens must be" in lowered:
        error_class = ErrorClass.INVALID_REQUEST  # the caller's max_tokens, not the context window
    else:
        error_class = classify_request_error(status, message)
    retry_after = retry_after_s(headers) if error_class is ErrorClass.RATE_LIMITED else None
    return ProviderFailure(error_class, status, f"cohere: {message}", retry_after)
