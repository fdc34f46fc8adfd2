"""Anthropic Messages API client: chat and completions (served as chat), streaming, native prefill.

Headers: `x-api-key`, `anthropic-version` (provider_settings `anthropic_version`, default
2023-06-01) and, when configured, `anthropic-beta`. `api_base` is the API root like the
Anthropic SDK's base_url (https://api.anthropic.com; a trailing /v1 is tolerated).
Anthropic has no embeddings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from adapters.providers import anthropic_wire as wire
from adapters.providers._http import (
    HttpCall,
    HttpPools,
    decode_json,
    encode_json,
    finish_guard,
    open_stream,
    post,
    skip_malformed,
)
from adapters.providers.chat_shapes import (
    ChunkWriter,
    chat_completion,
    chat_payload,
    parsed_json,
    text_completion,
)
from core.domain.errors import Unsupported
from core.domain.failures import UpstreamError
from ports.provider import Operation, StreamChunk, UpstreamCall, UpstreamResponse

DEFAULT_BASE = "https://api.anthropic.com"


class AnthropicClient:
    provider = wire.PROVIDER
    supports_prefill = True

    def __init__(self, pools: HttpPools) -> None:
        self._pools = pools

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        self._check(call)
        body, json_tool = wire.request_body(call, chat_payload(call, self.provider), stream=False)
        answer = await post(self._pools, self._http_call(call, body))
        data = parsed_json(self.provider, answer.content)
        translated = wire.chat_answer(data, json_tool, call.prefill)
        chat = chat_completion(translated)
        result = text_completion(chat) if call.operation is Operation.COMPLETIONS else chat
        return UpstreamResponse(body=result, usage=translated.usage)

    def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        return finish_guard(self.provider, self._stream(call), call.api_key)

    async def aclose(self) -> None:
        """Pools belong to the registry, which closes them."""

    async def _stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        self._check(call)
        body, json_tool = wire.request_body(call, chat_payload(call, self.provider), stream=True)
        events = StreamTranslator(call, json_tool)
        async with open_stream(self._pools, self._http_call(call, body)) as upstream:
            async for event in upstream.sse():
                try:
                    data = decode_json(event.data)
                except ValueError:
                    data = None
                if not isinstance(data, dict):
                    skip_malformed(self.provider, event)
                    continue
                for chunk in events.read(data):
                    yield chunk
                if events.stopped:
                    return

    def _check(self, call: UpstreamCall) -> None:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported(f"{self.provider} does not offer embeddings")

    def _http_call(self, call: UpstreamCall, body: dict[str, Any]) -> HttpCall:
        settings = call.model.provider_settings
        headers = {
            "content-type": "application/json",
            "anthropic-version": str(settings.get("anthropic_version") or wire.API_VERSION),
        }
        if call.api_key:
            headers["x-api-key"] = call.api_key
        beta = settings.get("anthropic_beta")
        if beta:
            headers["anthropic-beta"] = ",".join(beta) if isinstance(beta, list) else str(beta)
        return HttpCall(
            provider=self.provider,
            url=(call.model.api_base or DEFAULT_BASE).rstrip("/").removesuffix("/v1") + "/v1/messages",
            headers=headers,
            body=encode_json(body),
            timeouts=call.timeouts,
            read_error=wire.read_error,
            secret=call.api_key,
        )


class StreamTranslator:
    """Turns one stream's Messages events into OpenAI chunks."""

    def __init__(self, call: UpstreamCall, json_tool: str | None) -> None:
        self._operation = call.operation
        self._json_tool = json_tool
        self._space = wire.LeadingSpace(call.prefill)
        self._writer: ChunkWriter | None = None
        self._blocks: dict[int, str] = {}  # block index -> "text" | "tool" | "json" | "other"
        self._input_usage: Any = {}
        self.stopped = False

    def read(self, event: dict[str, Any]) -> list[StreamChunk]:
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            self._writer = ChunkWriter(str(message.get("model", "")), self._operation)
            self._input_usage = message.get("usage") or {}
            return []
        if kind == "error":
            raise UpstreamError(wire.stream_error(event.get("error")))
        if kind == "message_stop":
            self.stopped = True
            return []
        writer = self._writer
        if writer is None:
            return []
        if kind == "content_block_start":
            return self._block_start(writer, event)
        if kind == "content_block_delta":
            return self._delta(writer, event)
        if kind == "message_delta":
            return self._message_delta(writer, event)
        return []  # ping, content_block_stop, and event types added later

    def _block_start(self, writer: ChunkWriter, event: dict[str, Any]) -> list[StreamChunk]:
        block = event.get("content_block") or {}
        index = int(event.get("index", 0))
        kind = block.get("type")
        if kind == "tool_use" and block.get("name") == self._json_tool:
            self._blocks[index] = "json"
        elif kind == "tool_use":
            self._blocks[index] = "tool"
            return [writer.tool_call_start(str(block.get("id")), str(block.get("name")))]
        elif kind == "text":
            self._blocks[index] = "text"
            if block.get("text"):
                return self._text(writer, str(block["text"]))
        else:
            self._blocks[index] = "other"  # thinking and server-tool blocks are not relayed
        return []

    def _delta(self, writer: ChunkWriter, event: dict[str, Any]) -> list[StreamChunk]:
        delta = event.get("delta") or {}
        block = self._blocks.get(int(event.get("index", 0)), "text")
        kind = delta.get("type")
        if kind == "text_delta" and block == "text":
            return self._text(writer, str(delta.get("text", "")))
        if kind == "input_json_delta" and block == "json":
            return self._text(writer, str(delta.get("partial_json", "")))
        if kind == "input_json_delta" and block == "tool":
            return [writer.tool_call_arguments(str(delta.get("partial_json", "")))]
        return []

    def _text(self, writer: ChunkWriter, text: str) -> list[StreamChunk]:
        text = self._space.trim(text)
        return [writer.text(text)] if text else []

    def _message_delta(self, writer: ChunkWriter, event: dict[str, Any]) -> list[StreamChunk]:
        reason = (event.get("delta") or {}).get("stop_reason")
        if reason is None:
            return []
        finish = wire.FINISH.get(str(reason), "stop")
        if finish == "tool_calls" and writer.tool_calls == 0:
            finish = "stop"  # the structured-output tool, relayed as text
        usage = {**self._input_usage, **(event.get("usage") or {})}
        return [writer.finish(finish), writer.usage(wire.usage_of(usage))]
