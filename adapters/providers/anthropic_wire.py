"""Anthropic Messages API wire format: OpenAI chat requests to /v1/messages bodies, answers, errors.

Structured output (`response_format: json_schema`) uses a forced tool whose input schema is
the caller's schema (it works on every Claude model); its input becomes the answer's text.
`provider_settings.structured_output: "native"` sends `output_config.format` instead.
A prefill is a final assistant message (Anthropic rejects trailing whitespace there, so it
is trimmed, and the continuation's leading whitespace trimmed to match).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adapters.providers._http import decode_json, encode_json, http_failure
from adapters.providers.chat_shapes import (
    ChatAnswer,
    Choice,
    ToolCall,
    arguments_object,
    content_parts,
    invalid_request,
    json_schema_of,
    max_tokens_of,
    messages_of,
    parse_data_url,
    stop_list,
    text_of,
    wants_json_object,
)
from core.domain.failures import ErrorClass, ProviderFailure
from ports.provider import TokenUsage, UpstreamCall

PROVIDER = "anthropic"
API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096

FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
ERROR_TYPES = {
    "authentication_error": ErrorClass.AUTH,
    "permission_error": ErrorClass.AUTH,
    "not_found_error": ErrorClass.MODEL_NOT_FOUND,
    "rate_limit_error": ErrorClass.RATE_LIMITED,
    "api_error": ErrorClass.SERVER_ERROR,
    "overloaded_error": ErrorClass.SERVER_ERROR,
    "timeout_error": ErrorClass.TIMEOUT,
}
_JSON_ONLY = "Respond with one JSON object only, and nothing else."
_TOOL_NAME = re.compile(r"[^a-zA-Z0-9_-]")

Json = dict[str, Any]


# --- requests --------------------------------------------------------------------------------


def request_body(call: UpstreamCall, payload: Mapping[str, Any], *, stream: bool) -> tuple[Json, str | None]:
    """The Messages body, and the name of the tool carrying structured output (if one is used)."""
    messages = messages_of(payload, PROVIDER)
    system = [text_of(m.get("content")) for m in messages if m["role"] in ("system", "developer")]
    turns = _turns([m for m in messages if m["role"] not in ("system", "developer")])
    if call.prefill is not None and call.prefill.rstrip():
        _append(turns, "assistant", [{"type": "text", "text": call.prefill.rstrip()}])
    settings = call.model.provider_settings
    max_tokens = max_tokens_of(payload) or int(settings.get("max_tokens", DEFAULT_MAX_TOKENS))
    body: Json = {"model": call.model.model_name, "max_tokens": max_tokens, "messages": turns}
    if stream:
        body["stream"] = True
    _sampling(body, payload)
    if payload.get("tools"):
        body["tools"] = [_tool(t) for t in payload["tools"]]
    choice = _tool_choice(payload.get("tool_choice"), payload.get("parallel_tool_calls"))
    if choice is not None and (body.get("tools") or choice["type"] == "none"):
        body["tool_choice"] = choice
    json_tool = _structured_output(body, payload, settings, system)
    if system:
        body["system"] = "\n\n".join(s for s in system if s)
    return body, json_tool


def _sampling(body: Json, payload: Mapping[str, Any]) -> None:
    temperature = payload.get("temperature")
    if isinstance(temperature, int | float):
        body["temperature"] = min(float(temperature), 1.0)  # OpenAI's range is 0-2, Anthropic's 0-1
    if isinstance(payload.get("top_p"), int | float):
        body["top_p"] = payload["top_p"]
    stops = stop_list(payload.get("stop"))
    if stops:
        body["stop_sequences"] = stops
    if isinstance(payload.get("user"), str):
        body["metadata"] = {"user_id": payload["user"]}


def _structured_output(
    body: Json, payload: Mapping[str, Any], settings: Mapping[str, Any], system: list[str]
) -> str | None:
    response_format = payload.get("response_format")
    schema = json_schema_of(response_format)
    if schema is None:
        if wants_json_object(response_format):
            system.append(_JSON_ONLY)
        return None
    name, json_schema = schema
    if settings.get("structured_output") == "native":
        body["output_config"] = {"format": {"type": "json_schema", "schema": json_schema}}
        return None
    tool_name = _TOOL_NAME.sub("_", name)[:64] or "response"
    description = "Give the answer as this tool's input; it must match the schema."
    body["tools"] = [
        *body.get("tools", []),
        {"name": tool_name, "description": description, "input_schema": json_schema},
    ]
    body["tool_choice"] = {"type": "tool", "name": tool_name}
    return tool_name


def _turns(messages: list[Mapping[str, Any]]) -> list[Json]:
    """Alternating user/assistant turns: tool results are user blocks, neighbours of one role merge."""
    turns: list[Json] = []
    for message in messages:
        role = message["role"]
        if role == "user":
            _append(turns, "user", _user_blocks(message.get("content")))
        elif role == "assistant":
            _append(turns, "assistant", _assistant_blocks(message))
        elif role in ("tool", "function"):
            result = {
                "type": "tool_result",
                "tool_use_id": str(message.get("tool_call_id") or message.get("name") or ""),
                "content": text_of(message.get("content")),
            }
            _append(turns, "user", [result])
        else:
            raise invalid_request(PROVIDER, f"unknown message role '{role}'")
    return turns


def _append(turns: list[Json], role: str, blocks: list[Json]) -> None:
    if not blocks:
        return
    if turns and turns[-1]["role"] == role:
        turns[-1]["content"].extend(blocks)
    else:
        turns.append({"role": role, "content": blocks})


def _user_blocks(content: Any) -> list[Json]:
    blocks: list[Json] = []
    for part in content_parts(content):
        kind = part.get("type")
        if kind == "text" and part.get("text"):
            blocks.append({"type": "text", "text": str(part["text"])})
        elif kind == "image_url":
            blocks.append(_image(part.get("image_url")))
    return blocks


def _image(image_url: Any) -> Json:
    url = image_url.get("url") if isinstance(image_url, Mapping) else image_url
    if not isinstance(url, str):
        raise invalid_request(PROVIDER, "image_url needs a url")
    data_url = parse_data_url(url)
    if data_url is not None:
        media_type, data = data_url
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _assistant_blocks(message: Mapping[str, Any]) -> list[Json]:
    blocks: list[Json] = []
    text = text_of(message.get("content"))
    if text:
        blocks.append({"type": "text", "text": text})
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        blocks.append(
            {
                "type": "tool_use",
                "id": str(call.get("id")),
                "name": str(function.get("name")),
                "input": arguments_object(function.get("arguments"), PROVIDER),
            }
        )
    return blocks


def _tool(tool: Mapping[str, Any]) -> Json:
    function = tool.get("function") if tool.get("type") == "function" else tool
    if not isinstance(function, Mapping) or not function.get("name"):
        raise invalid_request(PROVIDER, "each tool needs a function with a name")
    out: Json = {
        "name": function["name"],
        "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
    }
    if function.get("description"):
        out["description"] = function["description"]
    return out


def _tool_choice(choice: Any, parallel: Any) -> Json | None:
    if choice is None and parallel is None:
        return None
    if choice in (None, "auto"):
        out: Json = {"type": "auto"}
    elif choice == "required":
        out = {"type": "any"}
    elif choice == "none":
        return {"type": "none"}
    elif isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        out = {"type": "tool", "name": choice["function"].get("name")}
    else:
        raise invalid_request(PROVIDER, "unsupported tool_choice")
    if parallel is False:
        out["disable_parallel_tool_use"] = True
    return out


# --- answers ---------------------------------------------------------------------------------


def usage_of(usage: Any) -> TokenUsage:
    if not isinstance(usage, Mapping):
        return TokenUsage()
    prompt = sum(
        int(usage.get(k) or 0)
        for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    )
    return TokenUsage(prompt, int(usage.get("output_tokens") or 0))


def chat_answer(data: Mapping[str, Any], json_tool: str | None, prefill: str | None) -> ChatAnswer:
    """A Messages answer in OpenAI terms (the structured-output tool's input becomes the text)."""
    texts: list[str] = []
    calls: list[ToolCall] = []
    for block in data.get("content") or ():
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "tool_use" and block.get("name") == json_tool:
            texts.append(encode_json(block.get("input", {})).decode())
        elif kind == "tool_use":
            arguments = encode_json(block.get("input", {})).decode()
            calls.append(ToolCall(str(block.get("id")), str(block.get("name")), arguments))
    text = LeadingSpace(prefill).trim("".join(texts))
    finish = FINISH.get(str(data.get("stop_reason")), "stop")
    if json_tool is not None and not calls and finish == "tool_calls":
        finish = "stop"
    choice = Choice(text if texts or not calls else None, finish, tuple(calls))
    return ChatAnswer(
        model=str(data.get("model", "")),
        choices=(choice,),
        usage=usage_of(data.get("usage")),
        id=str(data.get("id")),
    )


class LeadingSpace:
    """Trims a continuation's leading whitespace by as much as was trimmed off the prefill."""

    def __init__(self, prefill: str | None) -> None:
        self._budget = len(prefill) - len(prefill.rstrip()) if prefill else 0

    def trim(self, text: str) -> str:
        if self._budget <= 0 or not text:
            return text
        kept = text.lstrip()
        removable = min(self._budget, len(text) - len(kept))
        self._budget = 0 if kept else self._budget - removable
        return text[removable:]


# --- errors ----------------------------------------------------------------------------------


def error_fields(body: bytes) -> tuple[str, str]:
    """(message, error type) of `{"type": "error", "error": {"type": ..., "message": ...}}`."""
    try:
        data = decode_json(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip(), ""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return str(data), ""
    return str(error.get("message") or ""), str(error.get("type") or "")


def read_error(status: int, headers: Mapping[str, str], body: bytes) -> ProviderFailure:
    message, error_type = error_fields(body)
    known = ERROR_TYPES.get(error_type)
    return http_failure(PROVIDER, status, headers, message, error_type, known)


def stream_error(error: Any) -> ProviderFailure:
    """An `error` event inside a stream (e.g. overloaded_error): the upstream failed mid-answer."""
    message = str(error.get("message") or "") if isinstance(error, Mapping) else ""
    error_type = str(error.get("type") or "") if isinstance(error, Mapping) else ""
    error_class = ERROR_TYPES.get(error_type, ErrorClass.SERVER_ERROR)
    return ProviderFailure(error_class, None, f"{PROVIDER}: {error_type}: {message}".rstrip(": "))
