"""Gemini API wire format: OpenAI-shaped requests to generateContent bodies, answers and errors back."""

from __future__ import annotations

import json
import mimetypes
import re
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
    new_id,
    parse_data_url,
    stop_list,
    text_of,
    tool_names_by_id,
    wants_json_object,
)
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import StreamChunk, TokenUsage

PROVIDER = "gemini"

_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}


# --- request ---------------------------------------------------------------------------------


def generate_body(payload: Mapping[str, Any], prefill: str | None = None) -> JsonObject:
    """The generateContent body for an OpenAI chat payload."""
    messages = messages_of(payload, PROVIDER)
    system = [_text_part(text_of(m.get("content"))) for m in messages if m["role"] in ("system", "developer")]
    contents = _contents([m for m in messages if m["role"] not in ("system", "developer")], messages)
    if prefill:
        contents = _merge(contents, {"role": "model", "parts": [{"text": prefill}]})
    if not contents:
        raise invalid_request(PROVIDER, "a conversation needs at least one user message")
    body: JsonObject = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": system}
    tools = payload.get("tools")
    if tools:
        body["tools"] = [{"functionDeclarations": [_declaration(t) for t in tools]}]
        tool_config = _tool_config(payload.get("tool_choice"))
        if tool_config:
            body["toolConfig"] = tool_config
    config = _generation_config(payload)
    if config:
        body["generationConfig"] = config
    return body


def _contents(messages: list[Mapping[str, Any]], everything: list[Mapping[str, Any]]) -> list[JsonObject]:
    names = tool_names_by_id(everything)
    contents: list[JsonObject] = []
    for message in messages:
        role = message["role"]
        if role == "user":
            entry = {"role": "user", "parts": [_user_part(p) for p in content_parts(message.get("content"))]}
        elif role == "assistant":
            entry = {"role": "model", "parts": _assistant_parts(message)}
        elif role == "tool":
            entry = {"role": "user", "parts": [_function_response(message, names)]}
        else:
            raise invalid_request(PROVIDER, f"unknown message role '{role}'")
        if entry["parts"]:
            contents = _merge(contents, entry)
    return contents


def _merge(contents: list[JsonObject], entry: JsonObject) -> list[JsonObject]:
    # Consecutive turns of one role become one turn (parallel tool results must share a turn).
    if contents and contents[-1]["role"] == entry["role"]:
        contents[-1]["parts"].extend(entry["parts"])
        return contents
    return [*contents, entry]


def _text_part(text: str) -> JsonObject:
    return {"text": text}


def _user_part(part: Mapping[str, Any]) -> JsonObject:
    kind = part.get("type")
    if kind == "text":
        return _text_part(str(part.get("text", "")))
    if kind == "image_url":
        url = str((part.get("image_url") or {}).get("url", ""))
        return _media(url)
    if kind == "input_audio":
        audio = part.get("input_audio") or {}
        return {
            "inlineData": {"mimeType": f"audio/{audio.get('format', 'wav')}", "data": audio.get("data", "")}
        }
    if kind == "file":
        data = str((part.get("file") or {}).get("file_data", ""))
        return _media(data)
    raise invalid_request(PROVIDER, f"unsupported content part type '{kind}'")


def _media(url: str) -> JsonObject:
    inline = parse_data_url(url)
    if inline:
        return {"inlineData": {"mimeType": inline[0], "data": inline[1]}}
    if url.startswith(("http://", "https://", "gs://")):
        mime = mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"
        return {"fileData": {"mimeType": mime, "fileUri": url}}
    raise invalid_request(PROVIDER, "media must be a data: URL or an http(s)/gs URL")


def _assistant_parts(message: Mapping[str, Any]) -> list[JsonObject]:
    parts: list[JsonObject] = []
    text = text_of(message.get("content"))
    if text:
        parts.append(_text_part(text))
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        args = arguments_object(function.get("arguments"), PROVIDER)
        parts.append({"functionCall": {"name": function.get("name", ""), "args": args}})
    return parts


def _function_response(message: Mapping[str, Any], names: Mapping[str, str]) -> JsonObject:
    call_id = str(message.get("tool_call_id", ""))
    name = names.get(call_id) or message.get("name")
    if not name:
        raise invalid_request(PROVIDER, f"tool result '{call_id}' answers no earlier tool call")
    text = text_of(message.get("content"))
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    response = value if isinstance(value, dict) else {"content": text}
    return {"functionResponse": {"name": name, "response": response}}


def _declaration(tool: Mapping[str, Any]) -> JsonObject:
    if tool.get("type") != "function":
        raise invalid_request(PROVIDER, f"unsupported tool type '{tool.get('type')}'")
    function = tool.get("function") or {}
    declaration: JsonObject = {"name": function.get("name", "")}
    if function.get("description"):
        declaration["description"] = function["description"]
    if function.get("parameters"):
        declaration["parametersJsonSchema"] = function["parameters"]
    return declaration


def _tool_config(choice: Any) -> JsonObject | None:
    if choice is None or choice == "auto":
        return None
    if choice == "none":
        return {"functionCallingConfig": {"mode": "NONE"}}
    if choice == "required":
        return {"functionCallingConfig": {"mode": "ANY"}}
    if isinstance(choice, Mapping) and (choice.get("function") or {}).get("name"):
        name = choice["function"]["name"]
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    raise invalid_request(PROVIDER, "unsupported tool_choice")


def _generation_config(payload: Mapping[str, Any]) -> JsonObject:
    config: JsonObject = {}
    for source, target in (
        ("temperature", "temperature"),
        ("top_p", "topP"),
        ("n", "candidateCount"),
        ("presence_penalty", "presencePenalty"),
        ("frequency_penalty", "frequencyPenalty"),
        ("seed", "seed"),
    ):
        if payload.get(source) is not None:
            config[target] = payload[source]
    max_tokens = max_tokens_of(payload)
    if max_tokens is not None:
        config["maxOutputTokens"] = max_tokens
    stops = stop_list(payload.get("stop"))
    if stops:
        config["stopSequences"] = stops
    response_format = payload.get("response_format")
    schema = json_schema_of(response_format)
    if schema:
        config["responseMimeType"] = "application/json"
        config["responseJsonSchema"] = schema[1]
    elif wants_json_object(response_format):
        config["responseMimeType"] = "application/json"
    return config


def embed_body(model: str, texts: list[str], dimensions: Any) -> tuple[str, JsonObject]:
    """(method, body): embedContent for one text, batchEmbedContents for several."""
    extra = {"outputDimensionality": dimensions} if isinstance(dimensions, int) else {}
    if len(texts) == 1:
        return "embedContent", {"content": {"parts": [{"text": texts[0]}]}, **extra}
    requests = [{"model": f"models/{model}", "content": {"parts": [{"text": t}]}, **extra} for t in texts]
    return "batchEmbedContents", {"requests": requests}


def embed_vectors(body: Mapping[str, Any]) -> list[list[float]]:
    if "embedding" in body:
        return [list(body["embedding"].get("values", []))]
    return [list(e.get("values", [])) for e in body.get("embeddings", [])]


# --- answer ----------------------------------------------------------------------------------


def chat_answer(body: Mapping[str, Any], model: str) -> ChatAnswer:
    """The OpenAI answer of a generateContent response; a blocked prompt raises CONTENT_POLICY."""
    candidates = body.get("candidates") or []
    if not candidates:
        raise _blocked(body)
    choices = tuple(_choice(c) for c in candidates)
    return ChatAnswer(
        model=str(body.get("modelVersion") or model),
        choices=choices,
        usage=usage_of(body),
        id=str(body.get("responseId") or new_id()),
    )


def _choice(candidate: Mapping[str, Any]) -> Choice:
    parts = (candidate.get("content") or {}).get("parts") or []
    texts = [str(p["text"]) for p in parts if "text" in p and not p.get("thought")]
    calls = tuple(_tool_call(p["functionCall"]) for p in parts if "functionCall" in p)
    reason = finish_reason(candidate.get("finishReason"), bool(calls))
    return Choice("".join(texts) if texts or not calls else None, reason, calls)


def _tool_call(call: Mapping[str, Any]) -> ToolCall:
    return ToolCall(
        id=str(call.get("id") or new_id("call_")),
        name=str(call.get("name", "")),
        arguments=json.dumps(call.get("args") or {}),
    )


def finish_reason(reason: Any, has_tool_calls: bool) -> str:
    if reason == "MALFORMED_FUNCTION_CALL":
        # No OpenAI finish reason means "the tool call came out malformed"; a retry usually does better.
        message = "gemini: the model produced a malformed function call"
        raise UpstreamError(ProviderFailure(ErrorClass.SERVER_ERROR, None, message))
    if has_tool_calls and reason in (None, "STOP"):
        return "tool_calls"
    return _FINISH.get(str(reason), "stop")


def usage_of(body: Mapping[str, Any]) -> TokenUsage:
    meta = body.get("usageMetadata") or {}
    completion = int(meta.get("candidatesTokenCount", 0)) + int(meta.get("thoughtsTokenCount", 0))
    return TokenUsage(int(meta.get("promptTokenCount", 0)), completion)


def _blocked(body: Mapping[str, Any]) -> UpstreamError:
    reason = (body.get("promptFeedback") or {}).get("blockReason")
    if reason:
        message = f"gemini blocked the prompt ({reason})"
        return UpstreamError(ProviderFailure(ErrorClass.CONTENT_POLICY, 400, message))
    return UpstreamError(ProviderFailure(ErrorClass.SERVER_ERROR, 502, "gemini answered with no candidates"))


# --- stream ----------------------------------------------------------------------------------


class GeminiStream:
    """Turns streamGenerateContent SSE events (each a GenerateContentResponse) into OpenAI chunks."""

    def __init__(self, writer: ChunkWriter) -> None:
        self._writer = writer
        self._usage = TokenUsage()
        self.finished = False

    def on_event(self, event: Mapping[str, Any]) -> Iterator[StreamChunk]:
        if "error" in event:
            raise failure_error(int(event["error"].get("code") or 500), {}, event)
        if event.get("usageMetadata"):
            self._usage = usage_of(event)
        candidates = event.get("candidates") or []
        if not candidates:
            if (event.get("promptFeedback") or {}).get("blockReason"):
                raise _blocked(event)
            return
        candidate = candidates[0]
        for part in (candidate.get("content") or {}).get("parts") or []:
            if part.get("text") and not part.get("thought"):
                yield self._writer.text(str(part["text"]))
            elif "functionCall" in part:
                call = _tool_call(part["functionCall"])
                yield self._writer.tool_call_start(call.id, call.name, call.arguments)
        if candidate.get("finishReason"):
            self.finished = True
            yield self._writer.finish(finish_reason(candidate["finishReason"], self._writer.tool_calls > 0))

    def final(self) -> Iterator[StreamChunk]:
        yield self._writer.usage(self._usage)


# --- errors ----------------------------------------------------------------------------------

_CONTEXT = re.compile(r"(input token count|number of tokens).*exceeds|exceeds the maximum number of tokens")


def classify(status: int, headers: Mapping[str, str], body: Any) -> ProviderFailure:
    """A ProviderFailure from a Gemini error response (`{"error": {code, message, status, details}}`)."""
    error = body.get("error") if isinstance(body, Mapping) else None
    error = error if isinstance(error, Mapping) else {}
    message = str(error.get("message") or f"HTTP {status}")
    details = [d for d in error.get("details") or [] if isinstance(d, Mapping)]
    reasons = {str(d.get("reason", "")) for d in details}
    lowered = message.lower()
    if "API_KEY_INVALID" in reasons or "api key not valid" in lowered:
        error_class = ErrorClass.AUTH
    elif status == 400 and _CONTEXT.search(lowered):
        error_class = ErrorClass.CONTEXT_LENGTH
    else:
        error_class = classify_request_error(status, message)
    retry_after = _retry_after(headers, details) if error_class is ErrorClass.RATE_LIMITED else None
    return ProviderFailure(error_class, status, f"gemini: {message}", retry_after)


def failure_error(status: int, headers: Mapping[str, str], body: Any) -> UpstreamError:
    return UpstreamError(classify(status, headers, body))


def _retry_after(headers: Mapping[str, str], details: list[Mapping[str, Any]]) -> float | None:
    header = retry_after_s(headers)
    if header is not None:
        return header
    for detail in details:
        delay = str(detail.get("retryDelay", ""))
        if str(detail.get("@type", "")).endswith("RetryInfo") and delay.endswith("s"):
            try:
                return max(0.0, float(delay[:-1]))
            except ValueError:
                return None
    return None
