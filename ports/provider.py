"""Provider clients: one upstream call in OpenAI's shape, translated by the adapter."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.domain.endpoint import Timeouts
from core.domain.model_definition import ModelDefinition


class Operation(enum.StrEnum):
    CHAT = "chat"
    COMPLETIONS = "completions"
    EMBEDDINGS = "embeddings"


@dataclass(frozen=True, slots=True)
class TokenUsage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamCall:
    """One call to one model.

    `payload` is the caller's OpenAI-shaped body (its `model` is the endpoint name; the
    adapter sends `model.model_name` instead). `prefill`, when set, is assistant text
    already delivered to the caller that the model should continue from.
    """

    operation: Operation
    payload: Mapping[str, Any]
    model: ModelDefinition
    api_key: str | None = field(repr=False)
    timeouts: Timeouts
    prefill: str | None = None
    auth_config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """An OpenAI-shaped answer; `raw` is that body already serialised when the adapter has it."""

    body: Mapping[str, Any]
    usage: TokenUsage
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """One OpenAI-shaped `chat.completion.chunk`.

    `raw` is the chunk's JSON as received when it is already OpenAI-shaped (so it can be
    forwarded without re-serialising); `text` the content delta; `usage` set on the usage chunk.
    `more_ready` says the next chunk is already received, so the gateway may send both to the
    caller in one write (adapters that cannot tell leave it False).
    """

    data: Mapping[str, Any]
    raw: bytes | None = None
    text: str = ""
    finish_reason: str | None = None
    usage: TokenUsage | None = None
    has_tool_calls: bool = False
    more_ready: bool = False


class ProviderClient(Protocol):
    """Adapter for one provider's API. Failures raise `core.domain.failures.UpstreamError`."""

    supports_prefill: bool

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        """Send a non-streaming request and return the translated answer."""
        ...

    def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        """Stream a chat answer chunk by chunk.

        Raises UpstreamError before the first chunk (classified as usual) or mid-stream
        (`before_first_byte=False`: cut, idle timeout, error event). Ends normally after the
        upstream's final chunk, whether or not it sent `[DONE]`.
        """
        ...

    async def aclose(self) -> None:
        """Close pooled connections."""
        ...


class ProviderRegistry(Protocol):
    def client_for(self, provider: str) -> ProviderClient:
        """The pooled client of a provider; raises core.domain.errors.Unsupported if unknown."""
        ...

    def names(self) -> frozenset[str]: ...

    async def aclose(self) -> None: ...
