"""Bedrock Runtime wire format: Converse(Stream) bodies and events, InvokeModel embeddings, errors."""

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
    arguments_object,
    classify_request_error,
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
from adapters.providers.eventstream import EventMessage
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError, classify_status
from ports.provider import StreamChunk, TokenUsage

PROVIDER = "bedrock"

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}
_IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}
_DOC_FORMATS = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "text/plain": "txt",
    "text/html": "html",
    "text/markdown": "md",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
JSON_OBJECT_INSTRUCTION = "Answer with one JSON object and nothing else."


# --- request ---------------------------------------------------------------------------------


def converse_body(payload: Mapping[str, Any], prefill: str | None = None) -> JsonObject:
    """The Converse (and ConverseStream) body for an OpenAI chat payload."""
    if payload.get("n") not in (None, 1):
        raise invalid_request(PROVIDER, "bedrock answers one choice per request (n must be 1)")
    messages = messages_of(payload, PROVIDER)
    system = [{"text": text_of(m.get("content"))} for m in messages if m["role"] in ("system", "developer")]
    turns = _turns([m for m in messages if m["role"] not in ("system", "developer")])
    sent = (prefill or "").rstrip()
    if sent:
        turns = _merge(turns, {"role": "assistant", "content": [{"text": sent}]})
    if not turns:
        raise invalid_request(PROVIDER, "a conversation needs at least one user message")
    body: JsonObject = {"messages": turns}
    response_format = payload.get("response_format")
    if wants_json_object(response_format):
        system.append({"text": JSON_OBJECT_INSTRUCTION})
    if system:
        body["system"] = system
    schema = json_schema_of(response_format)
    if schema:
        definition = {"schema": json.dumps(schema[1]), "name": schema[0]}
        body["outputConfig"] = {
            "textFormat": {"type": "json_schema", "structure": {"jsonSchema": definition}}
        }
    tools = payload.get("tools")
    if tools:
        body["toolConfig"] = _tool_config(tools, payload.get("tool_choice"))
    inference = _inference_config(payload)
    if inference:
        body["inferenceConfig"] = inference
    return body


def _turns(messages: list[Mapping[str, Any]]) -> list[JsonObject]:
    turns: list[JsonObject] = []
    for message in messages:
        role = message["role"]
        if role == "user":
            blocks = [_user_block(p) for p in content_parts(message.get("content"))]
            entry: JsonObject = {"role": "user", "content": [b for b in blocks if b]}
        elif role == "assistant":
            entry = {"role": "assistant", "content": _assistant_blocks(message)}
        elif role == "tool":
            result = {
                "toolUseId": str(message.get("tool_call_id", "")),
                "content": [{"text": text_of(message.get("content"))}],
            }
            entry = {"role": "user", "content": [{"toolResult": result}]}
        else:
            raise invalid_request(PROVIDER, f"unknown message role '{role}'")
        if entry["content"]:
            turns = _merge(turns, entry)
    return turns


def _merge(turns: list[JsonObject], entry: JsonObject) -> list[JsonObject]:
    # Converse wants user and assistant turns to alternate; parallel tool results share one turn.
    if turns and turns[-1]["role"] == entry["role"]:
        turns[-1]["content"].extend(entry["content"])
        return turns
    return [*turns, entry]


def _user_block(part: Mapping[str, Any]) -> JsonObject | None:
    kind = part.get("type")
    if kind == "text":
        text = str(part.get("text", ""))
        return {"text": text} if text else None
    if kind == "image_url":
        inline = parse_data_url(str((part.get("image_url") or {}).get("url", "")))
        if not inline or inline[0] not in _IMAGE_FORMATS:
            raise invalid_request(PROVIDER, "images must be data: URLs of png, jpeg, gif or webp")
        return {"image": {"format": _IMAGE_FORMATS[inline[0]], "source": {"bytes": inline[1]}}}
    if kind == "file":
        file = part.get("file") or {}
        inline = parse_data_url(str(file.get("file_data", "")))
        if not inline or inline[0] not in _DOC_FORMATS:
            raise invalid_request(PROVIDER, "files must be data: URLs of a supported document type")
        name = str(file.get("filename") or "document").rsplit(".", 1)[0]
        return {"document": {"format": _DOC_FORMATS[inline[0]], "name": name, "source": {"bytes": inline[1]}}}
    raise invalid_request(PROVIDER, f"unsupported content part type '{kind}'")


def _assistant_blocks(message: Mapping[str, Any]) -> list[JsonObject]:
    blocks: list[JsonObject] = []
    text = text_of(message.get("content"))
    if text:
        blocks.append({"text": text})
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        tool_use = {
            "toolUseId": str(call.get("id", "")),
            "name": str(function.get("name", "")),
            "input": arguments_object(function.get("arguments"), PROVIDER),
        }
        blocks.append({"toolUse": tool_use})
    return blocks


def _tool_config(tools: list[Mapping[str, Any]], choice: Any) -> JsonObject:
    specs = []
    for tool in tools:
        if tool.get("type") != "function":
            raise invalid_request(PROVIDER, f"unsupported tool type '{tool.get('type')}'")
        function = tool.get("function") or {}
        spec: JsonObject = {
            "name": function.get("name", ""),
            "inputSchema": {"json": function.get("parameters") or {"type": "object", "properties": {}}},
        }
        if function.get("description"):
            spec["description"] = function["description"]
        specs.append({"toolSpec": spec})
    config: JsonObject = {"tools": specs}
    if choice == "auto":
        config["toolChoice"] = {"auto": {}}
    elif choice == "required":
        config["toolChoice"] = {"any": {}}
    elif isinstance(choice, Mapping):
        config["toolChoice"] = {"tool": {"name": (choice.get("function") or {}).get("name", "")}}
    # "none" has no Converse equivalent; the tools stay declared since earlier turns may use them.
    return config


def _inference_config(payload: Mapping[str, Any]) -> JsonObject:
    config: JsonObject = {}
    max_tokens = max_tokens_of(payload)
    if max_tokens is not None:
        config["maxTokens"] = max_tokens
    if payload.get("temperature") is not None:
        config["temperature"] = payload["temperature"]
    if payload.get("top_p") is not None:
        config["topP"] = payload["top_p"]
    stops = stop_list(payload.get("stop"))
    if stops:
        config["stopSequences"] = stops
    return config


class PrefillSeam:
    """Joins a continuation to a prefill whose trailing whitespace was not sent.

    Claude models on Converse refuse a final assistant message ending in whitespace, so the
    prefill goes without it; the model then usually starts with that whitespace again, which the
    caller already has.
    """

    def __init__(self, prefill: str | None) -> None:
        text = prefill or ""
        self._pending = text[len(text.rstrip()) :]

    def __call__(self, text: str) -> str:
        if not self._pending:
            return text
        shared = 0
        while shared < min(len(text), len(self._pending)) and text[shared] == self._pending[shared]:
            shared += 1
        # Keep eating on the next piece only when this one was all repeated whitespace.
        self._pending = self._pending[shared:] if shared == len(text) else ""
        return text[shared:]


# --- embeddings through InvokeModel ----------------------------------------------------------


def embedding_family(model_id: str) -> str | None:
    """'titan' or 'cohere' for the embedding models InvokeModel serves here, else None."""
    if "titan-embed" in model_id:
        return "titan"
    if "cohere.embed" in model_id:
        return "cohere"
    return None


def titan_body(text: str, dimensions: Any) -> JsonObject:
    body: JsonObject = {"inputText": text}
    if isinstance(dimensions, int):
        body["dimensions"] = dimensions
    return body


def cohere_embed_body(texts: list[str], settings: Mapping[str, Any]) -> JsonObject:
    return {"texts": texts, "input_type": str(settings.get("input_type") or "search_document")}


def cohere_embed_vectors(body: Mapping[str, Any]) -> list[list[float]]:
    embeddings = body.get("embeddings") or []
    if isinstance(embeddings, Mapping):
        embeddings = embeddings.get("float", [])
    return [list(v) for v in embeddings]


# --- answer ----------------------------------------------------------------------------------


def chat_answer(body: Mapping[str, Any], model: str, prefill: str | None = None) -> ChatAnswer:
    message = (body.get("output") or {}).get("message") or {}
    blocks = message.get("content") or []
    seam = PrefillSeam(prefill)
    texts = [seam(str(b["text"])) for b in blocks if "text" in b]
    calls = tuple(_tool_call(b["toolUse"]) for b in blocks if "toolUse" in b)
    reason = _FINISH.get(str(body.get("stopReason")), "stop")
    choice = Choice("".join(texts) if texts or not calls else None, reason, calls)
    return ChatAnswer(model=model, choices=(choice,), usage=usage_of(body.get("usage")))


def _tool_call(tool_use: Mapping[str, Any]) -> ToolCall:
    return ToolCall(
        id=str(tool_use.get("toolUseId", "")),
        name=str(tool_use.get("name", "")),
        arguments=json.dumps(tool_use.get("input") or {}),
    )


def usage_of(usage: Any) -> TokenUsage:
    if not isinstance(usage, Mapping):
        return TokenUsage()
    return TokenUsage(int(usage.get("inputTokens") or 0), int(usage.get("outputTokens") or 0))


# --- stream ----------------------------------------------------------------------------------


class ConverseStream:
    """Turns ConverseStream event-stream messages into OpenAI chunks."""

    def __init__(self, writer: ChunkWriter, prefill: str | None = None) -> None:
        self._writer = writer
        self._seam = PrefillSeam(prefill)
        self._usage = TokenUsage()
        self.finished = False

    def on_message(self, message: EventMessage) -> Iterator[StreamChunk]:
        kind = message.header(":message-type") or "event"
        if kind != "event":
            raise UpstreamError(stream_failure(message))
        event = json.loads(message.payload or b"{}")
        name = message.header(":event-type")
        if name == "contentBlockStart":
            tool_use = ((event.get("start") or {}).get("toolUse")) or {}
            if tool_use:
                yield self._writer.tool_call_start(
                    str(tool_use.get("toolUseId", "")), str(tool_use.get("name", ""))
                )
        elif name == "contentBlockDelta":
            delta = event.get("delta") or {}
            text = self._seam(str(delta["text"])) if delta.get("text") else ""
            if text:
                yield self._writer.text(text)
            elif "toolUse" in delta and delta["toolUse"].get("input"):
                yield self._writer.tool_call_arguments(str(delta["toolUse"]["input"]))
        elif name == "messageStop":
            self.finished = True
            yield self._writer.finish(_FINISH.get(str(event.get("stopReason")), "stop"))
        elif name == "metadata":
            self._usage = usage_of(event.get("usage"))

    def final(self) -> Iterator[StreamChunk]:
        yield self._writer.usage(self._usage)


_STREAM_EXCEPTIONS = {
    "throttlingException": (ErrorClass.RATE_LIMITED, 429),
    "serviceUnavailableException": (ErrorClass.SERVER_ERROR, 503),
    "internalServerException": (ErrorClass.SERVER_ERROR, 500),
    "modelStreamErrorException": (ErrorClass.SERVER_ERROR, 424),
    "validationException": (ErrorClass.INVALID_REQUEST, 400),
}


def stream_failure(message: EventMessage) -> ProviderFailure:
    """An exception (or error) message inside a ConverseStream."""
    name = message.header(":exception-type") or message.header(":error-code") or "unknown"
    try:
        text = str(json.loads(message.payload or b"{}").get("message", ""))
    except (ValueError, AttributeError):
        text = ""
    text = text or message.header(":error-message") or name
    error_class, status = _STREAM_EXCEPTIONS.get(name, (ErrorClass.SERVER_ERROR, 500))
    if error_class is ErrorClass.INVALID_REQUEST:
        error_class = classify_status(400, text)
    return ProviderFailure(error_class, status, f"bedrock: {name}: {text}")


# --- errors ----------------------------------------------------------------------------------

_BY_TYPE = {
    "ThrottlingException": ErrorClass.RATE_LIMITED,
    "ModelNotReadyException": ErrorClass.RATE_LIMITED,
    "ServiceQuotaExceededException": ErrorClass.RATE_LIMITED,
    "AccessDeniedException": ErrorClass.AUTH,
    "UnrecognizedClientException": ErrorClass.AUTH,
    "InvalidSignatureException": ErrorClass.AUTH,
    "ExpiredTokenException": ErrorClass.AUTH,
    "ResourceNotFoundException": ErrorClass.MODEL_NOT_FOUND,
    "ModelTimeoutException": ErrorClass.TIMEOUT,
    "ModelErrorException": ErrorClass.SERVER_ERROR,
    "InternalServerException": ErrorClass.SERVER_ERROR,
    "ServiceUnavailableException": ErrorClass.SERVER_ERROR,
}


def error_type(headers: Mapping[str, str], body: Any) -> str:
    """The AWS error type: `x-amzn-errortype` header (before any ':'), else the body's `__type`/`code`."""
    raw = headers.get("x-amzn-errortype") or ""
    if not raw and isinstance(body, Mapping):
        raw = str(body.get("__type") or body.get("code") or "")
    return raw.split(":", 1)[0].rsplit("#", 1)[-1]


def classify(status: int, headers: Mapping[str, str], body: Any) -> ProviderFailure:
    """A ProviderFailure from a Bedrock error (`x-amzn-ErrorType` header, body `{"message": ...}`)."""
    kind = error_type(headers, body)
    message = ""
    if isinstance(body, Mapping):
        message = str(body.get("message") or body.get("Message") or "")
    message = message or f"HTTP {status}"
    error_class = _BY_TYPE.get(kind) or classify_request_error(status, message)
    if kind == "ValidationException" and _is_context_length(message):
        error_class = ErrorClass.CONTEXT_LENGTH
    retry_after = retry_after_s(headers) if error_class is ErrorClass.RATE_LIMITED else None
    label = f"{kind}: " if kind else ""
    return ProviderFailure(error_class, status, f"bedrock: {label}{message}", retry_after)


def _is_context_length(message: str) -> bool:
    lowered = message.lower()
    return classify_status(400, message) is ErrorClass.CONTEXT_LENGTH or "too many input tokens" in lowered
