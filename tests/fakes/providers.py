"""A provider whose answers are scripted per model: successes, failures, streams that break."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import StreamChunk, TokenUsage, UpstreamCall, UpstreamResponse


def failure(
    error_class: ErrorClass, status: int | None = None, retry_after: float | None = None
) -> UpstreamError:
    return UpstreamError(ProviderFailure(error_class, status, f"scripted {error_class.value}", retry_after))


def answer(model: str, text: str) -> UpstreamResponse:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": len(text.split())},
    }
    return UpstreamResponse(body, TokenUsage(5, len(text.split())))


def chunk(model: str, text: str = "", finish: str | None = None, tool: bool = False) -> StreamChunk:
    delta: dict[str, object] = {"content": text} if text else {}
    if tool:
        delta["tool_calls"] = [{"index": 0, "function": {"name": "f", "arguments": ""}}]
    data = {
        "id": f"chunk-{model}",
        "object": "chat.completion.chunk",
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return StreamChunk(data=data, text=text, finish_reason=finish, has_tool_calls=tool)


def usage_chunk(prompt: int, completion: int) -> StreamChunk:
    return StreamChunk(data={"choices": []}, usage=TokenUsage(prompt, completion))


Step = UpstreamResponse | UpstreamError
StreamScript = Callable[[UpstreamCall], list[StreamChunk | UpstreamError]]


@dataclass
class ScriptedProvider:
    """Answers by model name from scripts; records every call it receives."""

    supports_prefill: bool = True
    replies: dict[str, list[Step]] = field(default_factory=lambda: defaultdict(list))
    streams: dict[str, list[StreamScript]] = field(default_factory=lambda: defaultdict(list))
    calls: list[UpstreamCall] = field(default_factory=list)

    def then(self, model_name: str, *steps: Step) -> ScriptedProvider:
        self.replies[model_name].extend(steps)
        return self

    def then_stream(self, model_name: str, *scripts: StreamScript) -> ScriptedProvider:
        self.streams[model_name].extend(scripts)
        return self

    async def invoke(self, call: UpstreamCall) -> UpstreamResponse:
        self.calls.append(call)
        steps = self.replies[call.model.model_name]
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if isinstance(step, UpstreamError):
            raise step
        return step

    async def stream(self, call: UpstreamCall) -> AsyncIterator[StreamChunk]:
        self.calls.append(call)
        scripts = self.streams[call.model.model_name]
        script = scripts.pop(0) if len(scripts) > 1 else scripts[0]
        for item in script(call):
            if isinstance(item, UpstreamError):
                raise item
            yield item

    async def aclose(self) -> None:
        return None


class FakeRegistry:
    def __init__(self, **clients: ScriptedProvider) -> None:
        self._clients = clients

    def client_for(self, provider: str) -> ScriptedProvider:
        if provider not in self._clients:
            raise Unsupported(f"unknown provider '{provider}'")
        return self._clients[provider]

    def names(self) -> frozenset[str]:
        return frozenset(self._clients)

    async def aclose(self) -> None:
        return None
