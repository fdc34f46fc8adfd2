"""Google Gemini API client: generateContent, streamGenerateContent (SSE), embedContent."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

from adapters.providers import gemini_wire as wire
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
    embedding_inputs,
    embeddings_body,
    parsed_json,
    text_completion,
)
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import Operation, StreamChunk, TokenUsage, UpstreamCall, UpstreamResponse

DEFAULT_BASE = "https://generativelanguage.googleapis.com"
_VERSIONED = re.compile(r"/v1(alpha|beta)?\d*$")


class GeminiClient:
    """The `gemini` provider. `api_base` may be the host root or include the API version."""

    # Gemini may treat a trailing model turn as context rather than continue it word for word.
    supports_prefill = False

    def __init__(self, pools: HttpPools) -> None:
        self._pools = pools

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        if call.operation is Operation.EMBEDDINGS:
            return await self._embed(call)
        body = wire.generate_body(chat_payload(call, wire.PROVIDER), call.prefill)
        answer = await post(self._pools, self._http_call(call, "generateContent", body))
        chat = wire.chat_answer(parsed_json(wire.PROVIDER, answer.content), call.model.model_name)
        out = chat_completion(chat)
        if call.operation is Operation.COMPLETIONS:
            out = text_completion(out)
        return UpstreamResponse(out, chat.usage)

    async def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported("gemini: embeddings cannot be streamed")
        body = wire.generate_body(chat_payload(call, wire.PROVIDER), call.prefill)
        http_call = self._http_call(call, "streamGenerateContent", body, "?alt=sse")
        async for chunk in finish_guard(wire.PROVIDER, self._chunks(http_call, call), call.api_key):
            yield chunk

    async def _chunks(self, http_call: HttpCall, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        translator = wire.GeminiStream(ChunkWriter(call.model.model_name, call.operation))
        async with open_stream(self._pools, http_call) as upstream:
            async for event in upstream.sse():
                try:
                    data = decode_json(event.data)
                except ValueError:
                    skip_malformed(wire.PROVIDER, event)
                    continue
                for chunk in translator.on_event(data):
                    yield chunk
        if translator.finished:
            for chunk in translator.final():
                yield chunk

    async def aclose(self) -> None:
        """Connections belong to the shared pools, closed by the registry."""

    async def _embed(self, call: UpstreamCall) -> UpstreamResponse:
        texts = embedding_inputs(call.payload, wire.PROVIDER)
        method, body = wire.embed_body(_model_id(call), texts, call.payload.get("dimensions"))
        answer = parsed_json(
            wire.PROVIDER, (await post(self._pools, self._http_call(call, method, body))).content
        )
        tokens = int((answer.get("usageMetadata") or {}).get("promptTokenCount") or 0)
        out = embeddings_body(
            call.model.model_name, wire.embed_vectors(answer), tokens, call.payload.get("encoding_format")
        )
        return UpstreamResponse(out, TokenUsage(tokens, 0))

    def _http_call(self, call: UpstreamCall, method: str, body: Any, query: str = "") -> HttpCall:
        if not call.api_key:
            raise UpstreamError(ProviderFailure(ErrorClass.AUTH, None, "gemini: no API key configured"))
        base = (call.model.api_base or DEFAULT_BASE).rstrip("/")
        if not _VERSIONED.search(base):
            base += "/" + str(call.model.provider_settings.get("api_version") or "v1beta")
        return HttpCall(
            provider=wire.PROVIDER,
            url=f"{base}/models/{quote(_model_id(call), safe='')}:{method}{query}",
            headers={"x-goog-api-key": call.api_key, "content-type": "application/json"},
            body=encode_json(body),
            timeouts=call.timeouts,
            read_error=_read_error,
            secret=call.api_key,
        )


def _read_error(status: int, headers: Mapping[str, str], body: bytes) -> ProviderFailure:
    try:
        parsed: Any = decode_json(body)
    except ValueError:
        parsed = {"error": {"message": body.decode("utf-8", "replace")[:500]}} if body else None
    return wire.classify(status, headers, parsed)


def _model_id(call: UpstreamCall) -> str:
    return call.model.model_name.removeprefix("models/")
