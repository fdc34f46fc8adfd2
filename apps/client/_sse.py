"""Server-sent events: turning a stream of lines into OpenAI-style chunk dicts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from apps.client._errors import SwitchboardStreamError

DONE = "[DONE]"


def iter_events(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Yield (event name, data) per event; data lines of one event are joined with newlines."""
    name = "message"
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith(":"):
            continue  # a comment, used as keep-alive
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                data.append(value)
            elif field == "event":
                name = value
    if data:
        yield name, "\n".join(data)


def iter_chunks(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Chunk dicts until ``[DONE]``; an error event raises SwitchboardStreamError."""
    for name, data in iter_events(lines):
        if data == DONE:
            return
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            raise SwitchboardStreamError(f"the server sent a malformed stream event: {data[:80]!r}") from None
        if name == "error" or (isinstance(chunk, dict) and "error" in chunk):
            raise _stream_error(chunk)
        if isinstance(chunk, dict):
            yield chunk


def _stream_error(chunk: Any) -> SwitchboardStreamError:
    error = chunk.get("error", chunk) if isinstance(chunk, dict) else chunk
    if isinstance(error, dict):
        return SwitchboardStreamError(
            str(error.get("message", "the stream ended with an error")),
            error_type=error.get("type"),
            code=error.get("code"),
        )
    return SwitchboardStreamError(str(error))
