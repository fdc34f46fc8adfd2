"""A fault-injecting OpenAI-compatible upstream on loopback, scripted per model name.

Each test gives its model definitions unique `model_name`s and scripts, per name, the replies
that upstream model sends in turn (`script`), plus what it sends once the script is used up
(`then`, default: a 599). The server runs on its own event loop in a background thread, so a
`switchboard serve` subprocess can call it while the test waits on the gateway.

    upstream.script("m-1", error(429, "slow down", retry_after="1"), answer("m-1", "hi"))
    ... call the gateway ...
    assert len(upstream.hits("m-1")) == 2
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.providers.upstream import Cut, FakeUpstream, Part, Pause, Received, Reply, sse_data

__all__ = [
    "Cut",
    "Pause",
    "Reply",
    "ScriptedUpstream",
    "answer",
    "chunk",
    "error",
    "sse_data",
    "stream",
    "upstream_thread",
]

_UNSCRIPTED = Reply.json(599, {"error": {"message": "no scripted reply", "type": "test"}})


@dataclass(frozen=True)
class Hit:
    """One request an upstream model received, and when (monotonic seconds)."""

    at: float
    request: Received

    def json(self) -> Any:
        return self.request.json()


class ScriptedUpstream(FakeUpstream):
    """Answers each request with the next reply scripted for the `model` in its JSON body."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Reply]] = {}
        self._then: dict[str, Reply] = {}
        self._hits: dict[str, list[Hit]] = {}

    def script(self, model: str, *replies: Reply, then: Reply | None = None) -> None:
        """Queue `replies` for `model`; `then` answers every request after them."""
        with self._lock:
            self._scripts.setdefault(model, deque()).extend(replies)
            if then is not None:
                self._then[model] = then

    def hits(self, model: str) -> list[Hit]:
        with self._lock:
            return list(self._hits.get(model, ()))

    def next_reply(self, received: Received) -> Reply:
        try:
            model = str(json.loads(received.body).get("model"))
        except (ValueError, AttributeError):
            return _UNSCRIPTED
        with self._lock:
            self._hits.setdefault(model, []).append(Hit(time.monotonic(), received))
            queued = self._scripts.get(model)
            if queued:
                return queued.popleft()
            return self._then.get(model, _UNSCRIPTED)


@contextmanager
def upstream_thread() -> Iterator[ScriptedUpstream]:
    """A ScriptedUpstream serving on an event loop of its own, in a daemon thread."""
    upstream = ScriptedUpstream()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="faulty-upstream", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(upstream.start(), loop).result(timeout=10)
    try:
        yield upstream
    finally:
        asyncio.run_coroutine_threadsafe(upstream.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


# --- OpenAI's wire format --------------------------------------------------------------------


def answer(model: str, text: str, *, usage: tuple[int, int] = (7, 5), finish_reason: str = "stop") -> Reply:
    """A chat.completion answer, as OpenAI sends it."""
    return Reply.json(
        200,
        {
            "id": f"chatcmpl-{model}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": _usage(*usage),
        },
    )


def error(
    status: int, message: str, *, kind: str = "invalid_request_error", code: str | None = None, **headers: str
) -> Reply:
    """An OpenAI error answer: `{"error": {"message", "type", "param", "code"}}`."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Reply.json(status, body, {k.replace("_", "-"): v for k, v in headers.items()})


def chunk(model: str, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
    """One `chat.completion.chunk` event."""
    return sse_data(
        {
            "id": f"chatcmpl-{model}",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
        }
    )


def stream(
    model: str,
    pieces: Sequence[str | Part],
    *,
    finish: bool = True,
    usage: tuple[int, int] | None = (7, 5),
    done: bool = True,
    tail: Iterable[Part] = (),
) -> Reply:
    """A streamed chat answer: a role chunk, one chunk per text piece (Pause/Cut/bytes as given),
    a finish chunk, a usage chunk (`stream_options.include_usage`), `[DONE]`, then `tail`."""
    parts: list[Part] = [chunk(model, {"role": "assistant", "content": ""})]
    for piece in pieces:
        parts.append(chunk(model, {"content": piece}) if isinstance(piece, str) else piece)
    if finish:
        parts.append(chunk(model, {}, "stop"))
    if usage is not None:
        parts.append(
            sse_data(
                {
                    "id": f"chatcmpl-{model}",
                    "object": "chat.completion.chunk",
                    "created": 1_700_000_000,
                    "model": model,
                    "choices": [],
                    "usage": _usage(*usage),
                }
            )
        )
    if done:
        parts.append(b"data: [DONE]\n\n")
    parts.extend(tail)
    return Reply.sse(parts)


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
