"""Mistral La Plateforme: OpenAI-like chat and embeddings with Mistral's own rules.

Differences handled here: only the fields Mistral accepts are sent (`seed` becomes
`random_seed`, `tool_choice: "required"` becomes `"any"`); tool call ids must be 9
alphanumerics, so other ids are mapped to stable ones; finish reason `model_length` is
OpenAI's `length`, and `error` a failure; usage arrives on the last chunk without asking.
A prefill is native: a final assistant message with `prefix: true`; an answer that echoes
the prefix back has it removed. Completions are served as chat.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from adapters.providers import openai_wire as wire
from adapters.providers.chat_shapes import completions_as_chat, text_completion
from adapters.providers.openai_compat import OpenAICompatibleClient
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import Operation, UpstreamCall, UpstreamResponse

_CHAT_FIELDS = frozenset(
    {
        "messages",
        "temperature",
        "top_p",
        "max_tokens",
        "stream",
        "stop",
        "random_seed",
        "response_format",
        "tools",
        "tool_choice",
        "presence_penalty",
        "frequency_penalty",
        "n",
        "prediction",
        "parallel_tool_calls",
        "prompt_mode",
        "safe_prompt",
    }
)
_FINISH = {"model_length": "length"}
_TOOL_ID = re.compile(r"^[A-Za-z0-9]{9}$")


def tool_call_id(original: Any) -> str:
    """A Mistral-valid tool call id: kept when already 9 alphanumerics, else a stable digest."""
    text = str(original)
    if _TOOL_ID.match(text):
        return text
    return hashlib.sha256(text.encode()).hexdigest()[:9]


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(message)
    if out.get("tool_calls"):
        out["tool_calls"] = [{**c, "id": tool_call_id(c.get("id"))} for c in out["tool_calls"]]
    if out.get("role") == "tool" and "tool_call_id" in out:
        out["tool_call_id"] = tool_call_id(out["tool_call_id"])
    return out


def _content_text(content: Any) -> str:
    """Mistral may answer with a list of chunks (text, thinking): the text ones, joined."""
    if isinstance(content, list):
        return "".join(
            str(c.get("text", "")) for c in content if isinstance(c, dict) and c.get("type") == "text"
        )
    return content if isinstance(content, str) else ""


class PrefixEcho:
    """Removes a prefill from the start of an answer if the upstream repeats it."""

    def __init__(self, prefix: str | None) -> None:
        self._prefix = prefix or ""
        self._held = ""
        self._settled = not self._prefix

    def feed(self, text: str) -> str:
        if self._settled:
            return text
        held = self._held + text
        if len(held) < len(self._prefix) and self._prefix.startswith(held):
            self._held = held
            return ""
        self._settled, self._held = True, ""
        return held[len(self._prefix) :] if held.startswith(self._prefix) else held

    def flush(self) -> str:
        """Text held back when the answer ended before it could tell."""
        held, self._held, self._settled = self._held, "", True
        return held


class MistralChunkReader(wire.ChunkReader):
    def __init__(self, operation: Operation, prefill: str | None) -> None:
        super().__init__("mistral", Operation.CHAT)
        self._as_completion = operation is Operation.COMPLETIONS
        self._echo = PrefixEcho(prefill)
        self._prefilled = prefill is not None

    def rewrite(
        self, data: dict[str, Any], choice: dict[str, Any], text: Any, finish: Any
    ) -> tuple[dict[str, Any], str, Any] | None:
        if finish == "error":
            raise UpstreamError(
                ProviderFailure(ErrorClass.SERVER_ERROR, None, "mistral: the answer ended in error")
            )
        content = (choice.get("delta") or {}).get("content")
        plain = isinstance(content, str | None)
        if plain and finish not in _FINISH and not self._prefilled and not self._as_completion:
            return None
        text = self._echo.feed(_content_text(content))
        if finish is not None:
            text += self._echo.flush()
        finish = _FINISH.get(finish, finish)
        if self._as_completion:
            new_choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
            return {**data, "object": "text_completion", "choices": [new_choice]}, text, finish
        delta = {**(choice.get("delta") or {}), "content": text}
        return {**data, "choices": [{**choice, "delta": delta, "finish_reason": finish}]}, text, finish


class MistralClient(OpenAICompatibleClient):
    provider = "mistral"
    default_base = "https://api.mistral.ai/v1"
    supports_prefill = True

    def url(self, call: UpstreamCall) -> str:
        path = "/embeddings" if call.operation is Operation.EMBEDDINGS else "/chat/completions"
        return (call.model.api_base or self.default_base).rstrip("/") + path

    def body(self, call: UpstreamCall, *, stream: bool) -> dict[str, Any]:
        if call.operation is Operation.EMBEDDINGS:
            return self._embeddings_body(call)
        payload = call.payload
        if call.operation is Operation.COMPLETIONS:
            payload = completions_as_chat(payload, self.provider)
        body = {k: v for k, v in payload.items() if k in _CHAT_FIELDS}
        body["model"] = call.model.model_name
        body["stream"] = stream
        if "seed" in payload and "random_seed" not in body:
            body["random_seed"] = payload["seed"]
        if "max_completion_tokens" in payload and "max_tokens" not in body:
            body["max_tokens"] = payload["max_completion_tokens"]
        if body.get("tool_choice") == "required":
            body["tool_choice"] = "any"
        messages = [_message(m) for m in body.get("messages") or () if isinstance(m, Mapping)]
        if call.prefill is not None:
            messages.append({"role": "assistant", "content": call.prefill, "prefix": True})
        body["messages"] = messages
        return body

    def _embeddings_body(self, call: UpstreamCall) -> dict[str, Any]:
        body: dict[str, Any] = {"model": call.model.model_name, "input": call.payload.get("input")}
        if "dimensions" in call.payload:
            body["output_dimension"] = call.payload["dimensions"]
        return body

    def chunk_reader(self, call: UpstreamCall) -> wire.ChunkReader:
        return MistralChunkReader(call.operation, call.prefill)

    def answer(self, call: UpstreamCall, content: bytes) -> UpstreamResponse:
        response = super().answer(call, content)
        if call.operation is Operation.EMBEDDINGS:
            return response
        body = dict(response.body)
        body["choices"] = [self._choice(c, call.prefill) for c in body["choices"] if isinstance(c, dict)]
        if call.operation is Operation.COMPLETIONS:
            return UpstreamResponse(body=text_completion(body), usage=response.usage)
        return UpstreamResponse(body=body, usage=response.usage)

    def _choice(self, choice: dict[str, Any], prefill: str | None) -> dict[str, Any]:
        finish = choice.get("finish_reason")
        if finish == "error":
            raise UpstreamError(
                ProviderFailure(ErrorClass.SERVER_ERROR, None, "mistral: the answer ended in error")
            )
        message = dict(choice.get("message") or {})
        content = message.get("content")
        if isinstance(content, list) or (prefill is not None and content is not None):
            echo = PrefixEcho(prefill)
            message["content"] = echo.feed(_content_text(content)) + echo.flush()
        if isinstance(finish, str):
            finish = _FINISH.get(finish, finish)
        return {**choice, "message": message, "finish_reason": finish}
