"""Building UpstreamCalls for adapter tests, and draining streams."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from core.domain.audit import Audit
from core.domain.endpoint import Timeouts
from core.domain.failures import UpstreamError
from core.domain.model_definition import ModelDefinition
from ports.provider import Operation, StreamChunk, UpstreamCall

SECRET = "sk-live-7f3a9c2e5b1d4f60a8e2"
TIMEOUTS = Timeouts(connect_s=2, first_byte_s=2, idle_s=0.3, total_s=10)


def make_call(
    payload: Mapping[str, Any],
    *,
    provider: str,
    model_name: str,
    api_base: str | None,
    operation: Operation = Operation.CHAT,
    api_key: str | None = SECRET,
    prefill: str | None = None,
    settings: Mapping[str, Any] | None = None,
    auth_config: Mapping[str, Any] | None = None,
    timeouts: Timeouts = TIMEOUTS,
) -> UpstreamCall:
    model = ModelDefinition(
        model_definition_id="md-1",
        name=f"{provider}-def",
        provider=provider,
        model_name=model_name,
        secret_id="s-1",
        api_base=api_base,
        provider_settings=dict(settings or {}),
        audit=Audit.new(0, None),
    )
    return UpstreamCall(
        operation=operation,
        payload={"model": "my-endpoint", **payload},
        model=model,
        api_key=api_key,
        timeouts=timeouts,
        prefill=prefill,
        auth_config=dict(auth_config or {}),
    )


async def drain(chunks: AsyncIterator[StreamChunk]) -> list[StreamChunk]:
    return [chunk async for chunk in chunks]


async def drain_until_failure(chunks: AsyncIterator[StreamChunk]) -> tuple[list[StreamChunk], UpstreamError]:
    """The chunks received before the stream failed, and its failure (the test fails if none)."""
    received: list[StreamChunk] = []
    try:
        async for chunk in chunks:
            received.append(chunk)
    except UpstreamError as exc:
        return received, exc
    raise AssertionError(f"the stream ended normally after {len(received)} chunks")


def text_of(chunks: list[StreamChunk]) -> str:
    return "".join(chunk.text for chunk in chunks)
