"""Cohere v2 client: /v2/chat (plain and streamed) and /v2/embed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from adapters.providers import cohere_wire as wire
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

DEFAULT_BASE = "https://api.cohere.com"


class CohereClient:
    """The `cohere` provider. `api_base` replaces the host root (paths /v2/chat and /v2/embed follow)."""

    # The v2 chat API does not document continuing a trailing assistant message.
    supports_prefill = False

    def __init__(self, pools: HttpPools) -> None:
        self._pools = pools

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        if call.operation is Operation.EMBEDDINGS:
            return await self._embed(call)
        body = wire.chat_body(chat_payload(call, wire.PROVIDER), call.model.model_name, False, call.prefill)
        answer = await post(self._pools, self._http_call(call, "chat", body))
        chat = wire.chat_answer(parsed_json(wire.PROVIDER, answer.content), call.model.model_name)
        out = chat_completion(chat)
        if call.operation is Operation.COMPLETIONS:
            out = text_completion(out)
        return UpstreamResponse(out, chat.usage)

    async def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported("cohere: embeddings cannot be streamed")
        body = wire.chat_body(chat_payload(call, wire.PROVIDER), call.model.model_name, True, call.prefill)
        http_call = self._http_call(call, "chat", body, accept="text/event-stream")
        async for chunk in finish_guard(wire.PROVIDER, self._chunks(http_call, call), call.api_key):
            yield chunk

    async def _chunks(self, http_call: HttpCall, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        translator = wire.CohereStream(ChunkWriter(call.model.model_name, call.operation))
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
                    break
        if translator.finished:
            for chunk in translator.final():
                yield chunk

    async def aclose(self) -> None:
        """Connections belong to the shared pools, closed by the registry."""

    async def _embed(self, call: UpstreamCall) -> UpstreamResponse:
        texts = embedding_inputs(call.payload, wire.PROVIDER)
        settings = call.model.provider_settings
        body = wire.embed_body(call.model.model_name, texts, settings, call.payload.get("dimensions"))
        answer = await post(self._pools, self._http_call(call, "embed", body))
        vectors, tokens = wire.embed_result(parsed_json(wire.PROVIDER, answer.content))
        out = embeddings_body(call.model.model_name, vectors, tokens, call.payload.get("encoding_format"))
        return UpstreamResponse(out, TokenUsage(tokens, 0))

    def _http_call(
        self, call: UpstreamCall, method: str, body: Any, accept: str = "application/json"
    ) -> HttpCall:
        if not call.api_key:
            raise UpstreamError(ProviderFailure(ErrorClass.AUTH, None, "cohere: no API key configured"))
        base = (call.model.api_base or DEFAULT_BASE).rstrip("/").removesuffix("/v2")
        return HttpCall(
            provider=wire.PROVIDER,
            url=f"{base}/v2/{method}",
            headers={
                "authorization": f"Bearer {call.api_key}",
                "content-type": "application/json",
                "accept": accept,
            },
            body=encode_json(body),
            timeouts=call.timeouts,
            read_error=_read_error,
            secret=call.api_key,
        )


def _read_error(status: int, headers: Mapping[str, str], body: bytes) -> ProviderFailure:
    try:
        parsed: Any = decode_json(body)
    except ValueError:
        parsed = {"message": body.decode("utf-8", "replace")[:500]} if body else None
    return wire.classify(status, headers, parsed)
