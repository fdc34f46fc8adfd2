"""AWS Bedrock Runtime client: Converse, ConverseStream (event-stream) and InvokeModel embeddings, SigV4.

The model definition's secret holds the AWS credentials, as JSON
`{"aws_access_key_id": ..., "aws_secret_access_key": ..., "aws_session_token": ...}` (token
optional) or as `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]`. The region comes from the
secret's `auth_config.region`, else the model definition's `provider_settings.region`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from adapters.providers import bedrock_wire as wire
from adapters.providers._http import (
    HttpCall,
    HttpPools,
    decode_json,
    encode_json,
    failure,
    finish_guard,
    open_stream,
    post,
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
from adapters.providers.eventstream import EventStreamDecoder, EventStreamError
from adapters.providers.sigv4 import (
    AwsCredentials,
    CredentialsFormatError,
    parse_aws_credentials,
    sign_headers,
)
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import Operation, StreamChunk, TokenUsage, UpstreamCall, UpstreamResponse

SERVICE = "bedrock"
EVENT_STREAM = "application/vnd.amazon.eventstream"
Now = Callable[[], datetime]
_log = logging.getLogger("switchboard.providers")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BedrockClient:
    """The `bedrock` provider; `api_base` overrides `https://bedrock-runtime.<region>.amazonaws.com`."""

    # Converse takes a trailing assistant message as the start of the answer (a model that
    # refuses one answers ValidationException, which the caller treats as a prefill rejection).
    supports_prefill = True

    def __init__(self, pools: HttpPools, now: Now = _utc_now) -> None:
        self._pools = pools
        self._now = now

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        if call.operation is Operation.EMBEDDINGS:
            return await self._embed(call)
        body = wire.converse_body(chat_payload(call, wire.PROVIDER), call.prefill)
        answer = await post(self._pools, self._signed(call, "converse", body, "application/json"))
        chat = wire.chat_answer(
            parsed_json(wire.PROVIDER, answer.content), call.model.model_name, call.prefill
        )
        out = chat_completion(chat)
        if call.operation is Operation.COMPLETIONS:
            out = text_completion(out)
        return UpstreamResponse(out, chat.usage)

    async def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        if call.operation is Operation.EMBEDDINGS:
            raise Unsupported("bedrock: embeddings cannot be streamed")
        body = wire.converse_body(chat_payload(call, wire.PROVIDER), call.prefill)
        http_call = self._signed(call, "converse-stream", body, EVENT_STREAM)
        async for chunk in finish_guard(wire.PROVIDER, self._chunks(http_call, call), call.api_key):
            yield chunk

    async def _chunks(self, http_call: HttpCall, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        translator = wire.ConverseStream(ChunkWriter(call.model.model_name, call.operation), call.prefill)
        decoder = EventStreamDecoder()
        async with open_stream(self._pools, http_call) as upstream:
            async for piece in upstream.body():
                try:
                    messages = decoder.feed(piece)
                except EventStreamError as exc:
                    # A broken frame cannot be skipped: lengths after it are not trustworthy.
                    raise failure(
                        wire.PROVIDER, ErrorClass.CONNECTION, f"event stream corrupted ({exc})"
                    ) from None
                for message in messages:
                    try:
                        chunks = list(translator.on_message(message))
                    except ValueError:
                        _log.debug(
                            "bedrock: skipped a malformed stream event (%d bytes)", len(message.payload)
                        )
                        continue
                    for chunk in chunks:
                        yield chunk
        if translator.finished:
            for chunk in translator.final():
                yield chunk

    async def aclose(self) -> None:
        """Connections belong to the shared pools, closed by the registry."""

    async def _embed(self, call: UpstreamCall) -> UpstreamResponse:
        texts = embedding_inputs(call.payload, wire.PROVIDER)
        model_id = call.model.model_name
        family = wire.embedding_family(model_id)
        if family is None:
            raise Unsupported(
                f"bedrock: embeddings are served for Titan and Cohere embedding models, not '{model_id}'"
            )
        if family == "titan":
            dimensions = call.payload.get("dimensions")
            answers = await asyncio.gather(
                *(self._invoke_model(call, wire.titan_body(t, dimensions)) for t in texts)
            )
            vectors = [list(a.get("embedding") or []) for a, _ in answers]
            tokens = sum(int(a.get("inputTextTokenCount") or 0) for a, _ in answers)
        else:
            answer, headers = await self._invoke_model(
                call, wire.cohere_embed_body(texts, call.model.provider_settings)
            )
            vectors = wire.cohere_embed_vectors(answer)
            tokens = int(headers.get("x-amzn-bedrock-input-token-count") or 0)
        out = embeddings_body(model_id, vectors, tokens, call.payload.get("encoding_format"))
        return UpstreamResponse(out, TokenUsage(tokens, 0))

    async def _invoke_model(
        self, call: UpstreamCall, body: Any
    ) -> tuple[Mapping[str, Any], Mapping[str, str]]:
        answer = await post(self._pools, self._signed(call, "invoke", body, "application/json"))
        return parsed_json(wire.PROVIDER, answer.content), answer.headers

    def _signed(self, call: UpstreamCall, action: str, body: Any, accept: str) -> HttpCall:
        credentials = _credentials(call)
        region = _region(call)
        base = (call.model.api_base or f"https://bedrock-runtime.{region}.amazonaws.com").rstrip("/")
        url = f"{base}/model/{quote(call.model.model_name, safe='')}/{action}"
        data = encode_json(body)
        headers = sign_headers(
            method="POST",
            url=url,
            headers={"content-type": "application/json", "accept": accept},
            body=data,
            credentials=credentials,
            region=region,
            service=SERVICE,
            now=self._now(),
        )
        return HttpCall(
            provider=wire.PROVIDER,
            url=url,
            headers=headers,
            body=data,
            timeouts=call.timeouts,
            read_error=_read_error,
            secret=credentials.secret_access_key,
        )


def _credentials(call: UpstreamCall) -> AwsCredentials:
    if not call.api_key:
        raise _config_error("no AWS credentials configured")
    try:
        return parse_aws_credentials(call.api_key)
    except CredentialsFormatError as exc:
        raise _config_error(str(exc)) from None


def _region(call: UpstreamCall) -> str:
    settings = call.model.provider_settings
    region = call.auth_config.get("region") or settings.get("region") or settings.get("aws_region")
    if not isinstance(region, str) or not region:
        raise _config_error(
            "no AWS region (set auth_config.region on the secret or provider_settings.region)"
        )
    return region


def _config_error(message: str) -> UpstreamError:
    # Unusable credentials make this model unusable, like a rejected key: another model may serve.
    return UpstreamError(ProviderFailure(ErrorClass.AUTH, None, f"bedrock: {message}"))


def _read_error(status: int, headers: Mapping[str, str], body: bytes) -> ProviderFailure:
    try:
        parsed: Any = decode_json(body)
    except ValueError:
        parsed = {"message": body.decode("utf-8", "replace")[:500]} if body else None
    return wire.classify(status, headers, parsed)
