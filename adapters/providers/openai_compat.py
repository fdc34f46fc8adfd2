"""OpenAI, and any OpenAI-compatible server (vLLM, Ollama, Together, Groq, LM Studio) via `api_base`.

`api_base` is the API root with its version path, like the openai SDK's base_url
(https://api.openai.com/v1 by default; e.g. http://localhost:8000/v1 for vLLM).
The caller's body is already OpenAI-shaped: it is sent on with the provider's model name, and
answers and stream chunks are relayed as received (their raw bytes kept, parsed once).
Streams always ask for usage (`stream_options.include_usage`) so every answer can be billed;
`provider_settings.stream_usage: false` turns that off for servers that reject the option.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from adapters.providers import openai_wire as wire
from adapters.providers._http import (
    HttpCall,
    HttpPools,
    decode_json,
    encode_json,
    finish_guard,
    open_stream,
    post,
)
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import Operation, StreamChunk, UpstreamCall, UpstreamResponse

_PATHS = {
    Operation.CHAT: "/chat/completions",
    Operation.COMPLETIONS: "/completions",
    Operation.EMBEDDINGS: "/embeddings",
}
_OBJECTS = {Operation.CHAT: "chat.completion", Operation.COMPLETIONS: "text_completion"}


class OpenAICompatibleClient:
    """The `openai` provider; subclasses change the URL, headers, body or chunk handling."""

    provider = "openai"
    default_base = "https://api.openai.com/v1"
    supports_prefill = False

    def __init__(self, pools: HttpPools) -> None:
        self._pools = pools

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        http_call = self._http_call(call, stream=False)
        answer = await post(self._pools, http_call)
        return self.answer(call, answer.content)

    def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        return finish_guard(self.provider, self._stream(call), call.api_key)

    async def aclose(self) -> None:
        """Pools belong to the registry, which closes them."""

    # --- hooks ---------------------------------------------------------------------------------

    def url(self, call: UpstreamCall) -> str:
        return (call.model.api_base or self.default_base).rstrip("/") + _PATHS[call.operation]

    def headers(self, call: UpstreamCall) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if call.api_key:
            headers["authorization"] = f"Bearer {call.api_key}"
        settings = {**call.model.provider_settings, **call.auth_config}
        for name, header in (("organization", "openai-organization"), ("project", "openai-project")):
            if isinstance(settings.get(name), str):
                headers[header] = settings[name]
        return headers

    def body(self, call: UpstreamCall, *, stream: bool) -> dict[str, Any]:
        if call.prefill is not None:
            raise UpstreamError(
                ProviderFailure(
                    ErrorClass.INVALID_REQUEST,
                    None,
                    f"{self.provider}: continuing a prefill is not supported",
                )
            )
        body = dict(call.payload)
        body["model"] = call.model.model_name
        if call.operation is Operation.EMBEDDINGS:
            body.pop("stream", None)
            return body
        body["stream"] = stream
        if not stream:
            body.pop("stream_options", None)
        elif call.model.provider_settings.get("stream_usage", True):
            options = body.get("stream_options")
            body["stream_options"] = {**(options if isinstance(options, dict) else {}), "include_usage": True}
        return body

    def read_error(self, status: int, headers: Mapping[str, str], content: bytes) -> ProviderFailure:
        return wire.read_error(self.provider, status, headers, content)

    def chunk_reader(self, call: UpstreamCall) -> wire.ChunkReader:
        return wire.ChunkReader(self.provider, call.operation)

    def answer(self, call: UpstreamCall, content: bytes) -> UpstreamResponse:
        """The upstream's answer relayed as is (`raw` = its bytes); only its shape is checked."""
        data = self._parsed(content)
        if call.operation is Operation.EMBEDDINGS:
            if not isinstance(data.get("data"), list):
                raise self._bad_answer("an embeddings answer without 'data'")
        elif not isinstance(data.get("choices"), list):
            raise self._bad_answer(f"a {_OBJECTS[call.operation]} answer without 'choices'")
        return UpstreamResponse(body=data, usage=wire.usage_of(data.get("usage")), raw=content)

    # --- plumbing ------------------------------------------------------------------------------

    def _http_call(self, call: UpstreamCall, *, stream: bool) -> HttpCall:
        return HttpCall(
            provider=self.provider,
            url=self.url(call),
            headers=self.headers(call),
            body=encode_json(self.body(call, stream=stream)),
            timeouts=call.timeouts,
            read_error=self.read_error,
            secret=call.api_key,
        )

    async def _stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported(f"{self.provider}: embeddings cannot be streamed")
        reader = self.chunk_reader(call)
        async with open_stream(self._pools, self._http_call(call, stream=True)) as upstream:
            events = upstream.sse()
            async for event in events:
                if event.data == wire.DONE:
                    return
                # Chunks already received can reach the caller in one write.
                for chunk in reader.read(event.data, more_ready=events.buffered()):
                    yield chunk

    def _parsed(self, content: bytes) -> dict[str, Any]:
        try:
            data = decode_json(content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise self._bad_answer("an answer that is not a JSON object")
        return data

    def _bad_answer(self, what: str) -> UpstreamError:
        return UpstreamError(ProviderFailure(ErrorClass.SERVER_ERROR, None, f"{self.provider}: sent {what}"))
