"""Streaming with rescue: fall back before the first byte, continue on the next model after it.

Before any byte reaches the caller a failure is handled like a non-streaming one. After it,
a broken upstream stream (cut, stalled, error event) is continued on the next model of the
plan: with a prefill of the text already delivered when the model supports one, otherwise by
a fresh answer used only if it begins with exactly that text (PRODUCT §2.6). When nothing can
rescue it, the stream ends with an SSE error event naming the original failure, never with a
made-up finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from functools import partial
from typing import Any

from core.domain.endpoint import ModelMapping
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError, is_fallback_eligible
from core.domain.invocation import AttemptRecord, InvocationFailed, final_error
from core.domain.model_definition import ModelDefinition
from core.services.invocation import sse
from core.services.invocation.calls import build_call
from core.services.invocation.outcome import Outcome
from core.services.invocation.service import InvocationRequest, InvocationService
from ports.provider import StreamChunk

log = logging.getLogger(__name__)

# After the finishing chunk, how long to wait for the usage chunk or the end of the stream.
TAIL_WAIT_S = 1.0

Opened = tuple[AsyncIterator[StreamChunk], StreamChunk]


class StreamSession:
    """A stream whose first chunk is in hand, so response headers can name the served model."""

    def __init__(self, service: InvocationService, request: InvocationRequest, outcome: Outcome) -> None:
        self._svc = service
        self._request = request
        self.outcome = outcome
        self._deadline = outcome.started + outcome.endpoint.timeouts.total_s
        self._plan: list[ModelMapping] = []
        self._next = 0
        self._delivered: list[str] = []
        self._tool_calls = False
        self._stream_id: str | None = None
        options = request.payload.get("stream_options") or {}
        self._include_usage = bool(isinstance(options, dict) and options.get("include_usage"))
        self._current: Opened | None = None

    async def open(self) -> None:
        """Find a model that starts answering; raises InvocationFailed if none does."""
        self._plan = await self._svc.plan(self.outcome.endpoint)
        self.outcome.first_planned = self._plan[0].model_definition.model_definition_id
        last: ProviderFailure | None = None
        while (model := self._take_next()) is not None:
            try:
                self._current = await self._open_with_retries(model, None)
            except UpstreamError as exc:
                last = exc.failure
                if not is_fallback_eligible(last.error_class) or self._past_deadline():
                    break
                continue
            await self._svc.on_success(model)
            self.outcome.served = model
            self._stream_id = str(self._current[1].data.get("id", self.outcome.request_id))
            return
        assert last is not None
        raise final_error(last, self.outcome.attempts)

    async def events(self) -> AsyncIterator[bytes]:
        """SSE bytes for the caller, ending in `[DONE]` or an error event."""
        assert self._current is not None, "open() first"
        chunks, first = self._current
        rewrite = False
        pending: list[StreamChunk] = [first]
        try:
            while True:
                try:
                    async for out in self._relay(chunks, pending, rewrite):
                        yield out
                    break
                except UpstreamError as exc:
                    await _close(chunks)
                    rescued = await self._rescue(exc.failure)
                    if rescued is None:
                        yield self._error_event(exc.failure)
                        return
                    chunks, pending = rescued
                    rewrite = True
            if self._include_usage:
                yield self._usage_event()
            yield sse.DONE
        finally:
            await _close(chunks)
            await self._svc.settle(self.outcome)

    async def _relay(
        self, chunks: AsyncIterator[StreamChunk], pending: list[StreamChunk], rewrite: bool
    ) -> AsyncIterator[bytes]:
        """Forward one upstream's chunks; raises UpstreamError if it breaks before finishing.

        Chunks the upstream marks `more_ready` are joined with the next into one write.
        """
        finished = False
        ready = True  # whether the next chunk is known to be already received
        batch: list[bytes] = []
        iterator = _prepend(pending, chunks)
        while True:
            try:
                if finished and not ready:  # bound the wait for a usage chunk or the end
                    chunk = await asyncio.wait_for(anext(iterator), TAIL_WAIT_S)
                else:
                    chunk = await anext(iterator)
            except (StopAsyncIteration, TimeoutError):
                break
            except UpstreamError:
                if batch:  # what was received before the break still reaches the caller
                    yield b"".join(batch)
                raise
            ready = chunk.more_ready
            if chunk.usage is not None:
                self.outcome.add_usage(chunk.usage)
                if finished:
                    break
                continue
            finished = finished or chunk.finish_reason is not None
            out = self._absorb(chunk, rewrite)
            if out is not None:
                batch.append(out)
            if batch and not chunk.more_ready:
                yield batch[0] if len(batch) == 1 else b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)
        if not finished:
            raise UpstreamError(
                ProviderFailure(
                    ErrorClass.CONNECTION, None, "upstream stream ended before finishing", None, False
                )
            )

    def _absorb(self, chunk: StreamChunk, rewrite: bool) -> bytes | None:
        """Note what a content chunk tells (text, tool calls); its bytes for the caller, if any."""
        if chunk.has_tool_calls:
            self._tool_calls = True
        if chunk.text:
            self._delivered.append(chunk.text)
        return self._encode(chunk, rewrite) if chunk.data.get("choices") else None

    async def _rescue(
        self, failure: ProviderFailure
    ) -> tuple[AsyncIterator[StreamChunk], list[StreamChunk]] | None:
        """Continue the answer on the next model, or None when nothing can."""
        await self._mark_broken(failure)
        if self._tool_calls or not is_fallback_eligible(failure.error_class):
            return None
        delivered = "".join(self._delivered)
        while (model := self._take_next()) is not None and not self._past_deadline():
            client = self._svc.providers.client_for(model.provider)
            try:
                if client.supports_prefill:
                    try:
                        chunks, first = await self._open_with_retries(model, delivered)
                        self.outcome.served = model
                        return chunks, [first]
                    except UpstreamError as exc:
                        if exc.failure.error_class is not ErrorClass.INVALID_REQUEST:
                            raise
                restarted = await self._restart(model, delivered)
            except UpstreamError as exc:
                if not is_fallback_eligible(exc.failure.error_class):
                    return None
                continue
            if restarted is None:
                return None
            self.outcome.served = model
            return restarted
        return None

    async def _restart(
        self, model: ModelDefinition, delivered: str
    ) -> tuple[AsyncIterator[StreamChunk], list[StreamChunk]] | None:
        """Ask for a fresh answer; usable only if it begins with exactly what was delivered."""
        chunks, first = await self._open_with_retries(model, None)
        iterator = _prepend([first], chunks)
        seen = ""
        async for chunk in iterator:
            if chunk.usage is not None:
                self.outcome.add_usage(chunk.usage)
            seen += chunk.text
            if len(seen) >= len(delivered) or chunk.finish_reason is not None:
                if not seen.startswith(delivered):
                    return None
                rest = seen[len(delivered) :]
                return iterator, [_with_text(chunk, rest)]
        return None

    async def _open_with_retries(self, model: ModelDefinition, prefill: str | None) -> Opened:
        opener = partial(self._open_one, model, prefill)
        return await self._svc.retries.run(
            model, self.outcome.endpoint, self.outcome, self._deadline, opener, self._svc.on_failure
        )

    async def _open_one(self, model: ModelDefinition, prefill: str | None) -> Opened:
        request = self._request
        call = build_call(
            model, self.outcome.endpoint, request.operation, request.payload, self._svc.secrets, prefill
        )
        chunks = aiter(self._svc.providers.client_for(model.provider).stream(call))
        try:
            first = await anext(chunks)
        except StopAsyncIteration:
            raise UpstreamError(
                ProviderFailure(ErrorClass.CONNECTION, None, "upstream stream ended before any chunk")
            ) from None
        return chunks, first

    def _take_next(self) -> ModelDefinition | None:
        if self._next >= len(self._plan):
            return None
        self._next += 1
        return self._plan[self._next - 1].model_definition

    def _past_deadline(self) -> bool:
        return self._svc.clock.monotonic() >= self._deadline

    async def _mark_broken(self, failure: ProviderFailure) -> None:
        served = self.outcome.served
        if served is None:
            return
        attempts = self.outcome.attempts
        opened = attempts[-1] if attempts else None
        if opened is not None and opened.model_definition == served.name and opened.error_class is None:
            # The call that broke was recorded when it opened: still one upstream call, now failed.
            attempts[-1] = replace(opened, error_class=failure.error_class, status=failure.status)
        else:
            attempts.append(
                AttemptRecord(
                    served.name,
                    served.provider,
                    failure.error_class,
                    failure.status,
                    self._svc.clock.monotonic(),
                )
            )
        await self._svc.on_failure(served, failure)

    def _encode(self, chunk: StreamChunk, rewrite: bool) -> bytes:
        if not rewrite and chunk.raw is not None:
            return sse.raw_event(chunk.raw)
        data: dict[str, Any] = dict(chunk.data)
        if rewrite and self._stream_id is not None:
            data["id"] = self._stream_id
        return sse.event(data)

    def _usage_event(self) -> bytes:
        served = self.outcome.served
        usage = self.outcome.usage
        return sse.event(
            {
                "id": self._stream_id,
                "object": "chat.completion.chunk",
                "model": served.model_name if served else None,
                "choices": [],
                "usage": {
                    "prompt_tokens": usage.prompt_tokens,
                    "completion_tokens": usage.completion_tokens,
                    "total_tokens": usage.prompt_tokens + usage.completion_tokens,
                },
            }
        )

    def _error_event(self, failure: ProviderFailure) -> bytes:
        self.outcome.status = 502
        log.warning("stream %s ended with an error: %s", self.outcome.request_id, failure.error_class.value)
        message = (
            f"the upstream stream broke ({failure.error_class.value}: {failure.message}) "
            "and could not be continued"
        )
        return sse.error_event(message, "upstream_error", failure.error_class.value)


async def open_stream(service: InvocationService, request: InvocationRequest) -> StreamSession:
    """Start a stream; raises InvocationFailed (nothing sent yet) when no model answers."""
    outcome = service.begin(request)
    await service.admit(outcome)
    session = StreamSession(service, request, outcome)
    try:
        await session.open()
    except InvocationFailed as exc:
        outcome.status = exc.status
        service.account(outcome)
        raise
    return session


async def _close(chunks: AsyncIterator[StreamChunk]) -> None:
    """Release the upstream connection of a stream we stop reading."""
    closer = getattr(chunks, "aclose", None)
    if closer is not None:
        with contextlib.suppress(RuntimeError, UpstreamError):  # already running or broken
            await closer()


async def _prepend(first: list[StreamChunk], rest: AsyncIterator[StreamChunk]) -> AsyncIterator[StreamChunk]:
    for chunk in first:
        yield chunk
    async for chunk in rest:
        yield chunk


def _with_text(chunk: StreamChunk, text: str) -> StreamChunk:
    """The chunk that carries the part of a restarted answer after what was already delivered."""
    data = dict(chunk.data)
    choices = [dict(c) for c in data.get("choices", [])] or [{"index": 0}]
    delta = dict(choices[0].get("delta") or {})
    delta["content"] = text
    choices[0]["delta"] = delta
    data["choices"] = choices
    return StreamChunk(data=data, text=text, finish_reason=chunk.finish_reason)
