"""Google Gemini API client: generateContent, streamGenerateContent (SSE), embedContent."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import quote

from adapters.providers import gemini_wire as wire
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

DEFAULT_BASE = "https://generativelanguage.googleapis.com"
_VERSIONED = re.compile(r"/v1(alpha|beta)?\d*$")
_log = logging.getLogger(__name__)


class GeminiClient:
    """The `gemini` provider. `api_base` may be the host root or include the API version."""

    # Gemini may treat a trailing model turn as context rather than continue it word for word.
    supports_prefill = False

    def __init__(self, http: UpstreamHttp | None = None) -> None:
        self._http = http or UpstreamHttp(wire.PROVIDER, wire.classify)

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        if call.operation is Operation.EMBEDDINGS:
            return await self._embed(call)
        payload = chat_payload(call, wire.PROVIDER)
        body = wire.generate_body(payload, call.prefill)
        answer_body, _ = await self._http.post_json(
            self._url(call, "generateContent"), self._headers(call), _dump(body), call.timeouts
        )
        answer = wire.chat_answer(answer_body, call.model.model_name)
        out = chat_completion(answer)
        if call.operation is Operation.COMPLETIONS:
            out = text_completion(out)
        return UpstreamResponse(out, answer.usage)

    async def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported("gemini: embeddings cannot be streamed")
        body = wire.generate_body(chat_payload(call, wire.PROVIDER), call.prefill)
        url = self._url(call, "streamGenerateContent") + "?alt=sse"
        translator = wire.GeminiStream(ChunkWriter(call.model.model_name, call.operation))
        async with self._http.stream(url, self._headers(call), _dump(body), call.timeouts) as upstream:
            async for _, event in sse_json(upstream, _log):
                try:
                    chunks = list(translator.on_event(event))
                except UpstreamError as exc:
                    raise mid_stream(exc, upstream) from None
                for chunk in chunks:
                    upstream.delivered = True
                    yield chunk
            if not translator.finished:
                raise upstream.broken(ErrorClass.CONNECTION, "stream ended without a finishReason")
            for chunk in translator.final():
                yield chunk

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _embed(self, call: UpstreamCall) -> UpstreamResponse:
        texts = embedding_inputs(call.payload, wire.PROVIDER)
        method, body = wire.embed_body(_model_id(call), texts, call.payload.get("dimensions"))
        answer, _ = await self._http.post_json(
            self._url(call, method), self._headers(call), _dump(body), call.timeouts
        )
        vectors = wire.embed_vectors(answer)
        tokens = int((answer.get("usageMetadata") or {}).get("promptTokenCount") or 0)
        out = embeddings_body(call.model.model_name, vectors, tokens, call.payload.get("encoding_format"))
        return UpstreamResponse(out, TokenUsage(tokens, 0))

    def _url(self, call: UpstreamCall, method: str) -> str:
        base = (call.model.api_base or DEFAULT_BASE).rstrip("/")
        if not _VERSIONED.search(base):
            base += "/" + str(call.model.provider_settings.get("api_version") or "v1beta")
        return f"{base}/models/{quote(_model_id(call), safe='')}:{method}"

    def _headers(self, call: UpstreamCall) -> dict[str, str]:
        if not call.api_key:
            raise UpstreamError(ProviderFailure(ErrorClass.AUTH, None, "gemini: no API key configured"))
        return {"x-goog-api-key": call.api_key, "content-type": "application/json"}


def _model_id(call: UpstreamCall) -> str:
    return call.model.model_name.removeprefix("models/")


def _dump(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()
