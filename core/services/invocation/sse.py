"""Server-sent event framing in OpenAI's chunk format."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

DONE = b"data: [DONE]\n\n"


def event(data: Mapping[str, Any]) -> bytes:
    return b"data: " + json.dumps(data, separators=(",", ":")).encode() + b"\n\n"


def raw_event(raw: bytes) -> bytes:
    return b"data: " + raw + b"\n\n"


def error_event(message: str, error_type: str, code: str) -> bytes:
    return event({"error": {"message": message, "type": error_type, "code": code}})
