"""Cohere v2 client: /v2/chat (plain and streamed) and /v2/embed."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from adapters.providers import cohere_wire as wire
from adapters.providers.chat_shapes import (
    ChunkWriter,
    chat_completion,
    chat_payload,
    embedding_inputs,
    embeddings_body,
    text_completion,
)
from adapters.providers.upstream_http import UpstreamHttp, mid_stream, sse_json
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import Operation, StreamChunk, TokenUsage, UpstreamCall, UpstreamResponse

DEFAULT_BASE = "https://api.cohere.com"
_log = logging.getLogger(__name__)


class CohereClient:
    """The `cohere` provider. `api_base` replaces the host root (paths /v2/chat and /v2/embed follow)."""

    # The v2 chat API does not document continuing a trailing assistant message.
    supports_prefill = False

    def __init__(self, http: UpstreamHttp | None = None) -> None:
        self._http = http or UpstreamHttp(wire.PROVIDER, wire.classify)

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        if call.operation is Operation.EMBEDDINGS:
            return await self._embed(call)
        body = wire.chat_body(chat_payload(call, wire.PROVIDER), call.model.model_name, False, call.prefill)
        answer_body, _ = await self._http.post_json(
            self._url(call, "chat"), self._headers(call), _dump(body), call.timeouts
        )
        answer = wire.chat_answer(answer_body, call.model.model_name)
        out = chat_completion(answer)
        if call.operation is Operation.COMPLETIONS:
            out = text_completion(out)
        return UpstreamResponse(out, answer.usage)

    async def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported("cohere: embeddings cannot be streamed")
        body = wire.chat_body(chat_payload(call, wire.PROVIDER), call.model.model_name, True, call.prefill)
        translator = wire.CohereStream(ChunkWriter(call.model.model_name, call.operation))
        headers = {**self._headers(call), "accept": "text/event-stream"}
        async with self._http.stream(
            self._url(call, "chat"), headers, _dump(body), call.timeouts
        ) as upstream:
            async for _, event in sse_json(upstream, _log):
                try:
                    chunks = list(translator.on_event(event))
                except UpstreamError as exc:
                    raise mid_stream(exc, upstream) from None
                for chunk in chunks:
                    upstream.delivered = True
                    yield chunk
                if translator.finished:
                    break
            if not translator.finished:
                raise upstream.broken(ErrorClass.CONNECTION, "stream ended without message-end")
            for chunk in translator.final():
                yield chunk

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _embed(self, call: UpstreamCall) -> UpstreamResponse:
        texts = embedding_inputs(call.payload, wire.PROVIDER)
        body = wire.embed_body(
            call.model.model_name, texts, call.model.provider_settings, call.payload.get("dimensions")
        )
        answer, _ = await self._http.post_json(
            self._url(call, "embed"), self._headers(call), _dump(body), call.timeouts
        )
        vectors, tokens = wire.embed_result(answer)
        out = embeddings_body(call.model.model_name, vectors, tokens, call.payload.get("encoding_format"))
        return UpstreamResponse(out, TokenUsage(tokens, 0))

    def _url(self, call: UpstreamCall, method: str) -> str:
        base = (call.model.api_base or DEFAULT_BASE).rstrip("/").removesuffix("/v2")
        return f"{base}/v2/{method}"

    def _headers(self, call: UpstreamCall) -> dict[str, str]:
        if not call.api_key:
            raise UpstreamError(ProviderFailure(ErrorClass.AUTH, None, "cohere: no API key configured"))
        return {
            "authorization": f"Bearer {call.api_key}",
            "content-type": "application/json",
            "accept": "application/json",
        }


def _dump(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()
