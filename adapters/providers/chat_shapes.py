"""OpenAI-shaped bodies and chunks built from a provider's answer, and reading OpenAI requests.

Shared by the adapters whose provider speaks its own format (gemini, cohere, bedrock, anthropic).
"""

from __future__ import annotations

import base64
import json
import secrets
import struct
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from adapters.providers._http import decode_json
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError, classify_status
from ports.provider import Operation, StreamChunk, TokenUsage, UpstreamCall

JsonObject = dict[str, Any]


def new_id(prefix: str = "chatcmpl-") -> str:
    return prefix + secrets.token_hex(12)


def invalid_request(provider: str, message: str) -> UpstreamError:
    """A request the adapter cannot translate: the caller's fault, returned as is after one attempt."""
    return UpstreamError(ProviderFailure(ErrorClass.INVALID_REQUEST, 400, f"{provider}: {message}"))


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str

    def as_openai(self) -> JsonObject:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True, slots=True)
class Choice:
    text: str | None
    finish_reason: str
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    """A provider's non-streaming answer, already in OpenAI terms."""

    model: str
    choices: tuple[Choice, ...]
    usage: TokenUsage
    id: str = field(default_factory=new_id)


def chat_completion(answer: ChatAnswer) -> JsonObject:
    choices = []
    for index, choice in enumerate(answer.choices):
        message: JsonObject = {"role": "assistant", "content": choice.text}
        if choice.tool_calls:
            message["tool_calls"] = [call.as_openai() for call in choice.tool_calls]
        choices.append(
            {"index": index, "message": message, "finish_reason": choice.finish_reason, "logprobs": None}
        )
    return {
        "id": answer.id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": answer.model,
        "choices": choices,
        "usage": usage_body(answer.usage),
    }


def text_completion(chat: Mapping[str, Any]) -> JsonObject:
    """A `/v1/completions` body from a chat completion body (completions are served as chat)."""
    choices = [
        {
            "index": c["index"],
            "text": c["message"].get("content") or "",
            "finish_reason": c["finish_reason"],
            "logprobs": None,
        }
        for c in chat["choices"]
    ]
    return {
        "id": "cmpl-" + str(chat["id"]).removeprefix("chatcmpl-"),
        "object": "text_completion",
        "created": chat["created"],
        "model": chat["model"],
        "choices": choices,
        "usage": chat["usage"],
    }


def usage_body(usage: TokenUsage) -> JsonObject:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
    }


def completions_as_chat(payload: Mapping[str, Any], provider: str) -> JsonObject:
    """A `/v1/completions` payload restated as chat: the prompt becomes one user message."""
    prompt = payload.get("prompt")
    if isinstance(prompt, list):
        if len(prompt) != 1 or not isinstance(prompt[0], str):
            raise invalid_request(provider, "completions take one prompt string here")
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise invalid_request(provider, "'prompt' must be a string")
    chat = {k: v for k, v in payload.items() if k not in ("prompt", "suffix", "echo", "best_of", "logprobs")}
    chat["messages"] = [{"role": "user", "content": prompt}]
    return chat


def chat_payload(call: UpstreamCall, provider: str) -> Mapping[str, Any]:
    if call.operation is Operation.COMPLETIONS:
        return completions_as_chat(call.payload, provider)
    return call.payload


def messages_of(payload: Mapping[str, Any], provider: str) -> list[Mapping[str, Any]]:
    messages = payload.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid_request(provider, "'messages' must be a non-empty list")
    for message in messages:
        if not isinstance(message, Mapping) or not isinstance(message.get("role"), str):
            raise invalid_request(provider, "each message needs a 'role'")
    return messages


def content_parts(content: Any) -> list[Mapping[str, Any]]:
    """A message's content as a list of OpenAI parts (a plain string is one text part)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [p for p in content if isinstance(p, Mapping)]
    return []


def text_of(content: Any) -> str:
    return "".join(str(p.get("text", "")) for p in content_parts(content) if p.get("type") == "text")


def parse_data_url(url: str) -> tuple[str, str] | None:
    """(mime type, base64 data) of a `data:<mime>;base64,<data>` URL, else None."""
    if not url.startswith("data:"):
        return None
    header, sep, data = url[5:].partition(",")
    if not sep or not header.endswith(";base64"):
        return None
    return header.removesuffix(";base64") or "application/octet-stream", data


def arguments_object(arguments: Any, provider: str) -> JsonObject:
    """A tool call's `arguments` (a JSON string in OpenAI's shape) as an object."""
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if arguments in (None, ""):
        return {}
    try:
        value = json.loads(arguments)
    except (TypeError, ValueError):
        raise invalid_request(provider, "tool call arguments are not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid_request(provider, "tool call arguments must be a JSON object")
    return value


def tool_names_by_id(messages: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Function names of the assistant's earlier tool calls, by call id (tool results name only the id)."""
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            if call.get("id") and function.get("name"):
                names[str(call["id"])] = str(function["name"])
    return names


def parsed_json(provider: str, content: bytes) -> Mapping[str, Any]:
    """A 2xx answer's JSON object; anything else is the upstream's fault (SERVER_ERROR)."""
    try:
        value = decode_json(content)
    except ValueError:
        value = None
    if not isinstance(value, Mapping):
        raise UpstreamError(
            ProviderFailure(ErrorClass.SERVER_ERROR, None, f"{provider}: answer is not a JSON object")
        )
    return value


_BLOCK_MARKERS = (
    "content filter",
    "content_filter",
    "guardrail",
    "blocked",
    "usage guidelines",
    "prohibited",
)


def classify_request_error(status: int, message: str) -> ErrorClass:
    """`classify_status`, plus the wording providers use when a 400 is a content-safety block."""
    error_class = classify_status(status, message)
    if error_class is ErrorClass.INVALID_REQUEST and any(m in message.lower() for m in _BLOCK_MARKERS):
        return ErrorClass.CONTENT_POLICY
    return error_class


def stop_list(stop: Any) -> list[str] | None:
    if stop is None:
        return None
    if isinstance(stop, str):
        return [stop]
    return [str(s) for s in stop]


def max_tokens_of(payload: Mapping[str, Any]) -> int | None:
    value = payload.get("max_completion_tokens", payload.get("max_tokens"))
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def json_schema_of(response_format: Any) -> tuple[str, JsonObject] | None:
    """(name, schema) of a `response_format` of type json_schema."""
    if not isinstance(response_format, Mapping) or response_format.get("type") != "json_schema":
        return None
    spec = response_format.get("json_schema") or {}
    schema = spec.get("schema") or {"type": "object"}
    return str(spec.get("name") or "response"), dict(schema)


def wants_json_object(response_format: Any) -> bool:
    return isinstance(response_format, Mapping) and response_format.get("type") == "json_object"


# --- embeddings ------------------------------------------------------------------------------


def embedding_inputs(payload: Mapping[str, Any], provider: str) -> list[str]:
    value = payload.get("input")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise invalid_request(provider, "'input' must be a string or a non-empty list of strings")


def embeddings_body(
    model: str, vectors: Sequence[Sequence[float]], prompt_tokens: int, encoding_format: Any
) -> JsonObject:
    """An OpenAI embeddings list; base64 is little-endian float32, as the openai SDK asks by default."""
    data = []
    for index, vector in enumerate(vectors):
        embedding: Any = list(vector)
        if encoding_format == "base64":
            embedding = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }


# --- streaming -------------------------------------------------------------------------------


class ChunkWriter:
    """Builds the OpenAI `chat.completion.chunk`s of one streamed answer (or `text_completion` ones)."""

    def __init__(self, model: str, operation: Operation = Operation.CHAT) -> None:
        self.model = model
        self.id = new_id()
        self.created = int(time.time())
        self._completions = operation is Operation.COMPLETIONS
        self._role_sent = False
        self.tool_calls = 0

    def text(self, text: str) -> StreamChunk:
        return self._chunk(self._delta({"content": text}), text=text)

    def tool_call_start(self, call_id: str, name: str, arguments: str = "") -> StreamChunk:
        index = self.tool_calls
        self.tool_calls += 1
        call = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": name, "arguments": arguments},
        }
        return self._chunk(self._delta({"tool_calls": [call]}), tool=True)

    def tool_call_arguments(self, arguments: str) -> StreamChunk:
        call = {"index": max(self.tool_calls - 1, 0), "function": {"arguments": arguments}}
        return self._chunk(self._delta({"tool_calls": [call]}), tool=True)

    def finish(self, reason: str) -> StreamChunk:
        return self._chunk(self._delta({}), finish_reason=reason, tool=self.tool_calls > 0)

    def usage(self, usage: TokenUsage) -> StreamChunk:
        data = self._envelope([])
        data["usage"] = usage_body(usage)
        return StreamChunk(data=data, usage=usage)

    def _delta(self, fields: JsonObject) -> JsonObject:
        if not self._role_sent:
            self._role_sent = True
            return {"role": "assistant", **fields}
        return fields

    def _chunk(
        self, delta: JsonObject, *, text: str = "", finish_reason: str | None = None, tool: bool = False
    ) -> StreamChunk:
        if self._completions:
            choice: JsonObject = {"index": 0, "text": text, "finish_reason": finish_reason, "logprobs": None}
        else:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return StreamChunk(
            data=self._envelope([choice]), text=text, finish_reason=finish_reason, has_tool_calls=tool
        )

    def _envelope(self, choices: list[JsonObject]) -> JsonObject:
        return {
            "id": self.id,
            "object": "text_completion" if self._completions else "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        }
