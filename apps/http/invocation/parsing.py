"""Reading an invocation body once and checking what the route needs."""

from __future__ import annotations

from typing import Any

import msgspec

from core.domain.errors import InvalidInput
from ports.provider import Operation

_decoder = msgspec.json.Decoder()

REQUIRED = {Operation.CHAT: "messages", Operation.COMPLETIONS: "prompt", Operation.EMBEDDINGS: "input"}


def decode_object(body: bytes) -> dict[str, Any]:
    try:
        payload = _decoder.decode(body)
    except msgspec.DecodeError:
        raise InvalidInput("body", "is not valid JSON") from None
    if not isinstance(payload, dict):
        raise InvalidInput("body", "must be a JSON object")
    return payload


def check_payload(operation: Operation, payload: dict[str, Any]) -> None:
    field = REQUIRED[operation]
    if field not in payload:
        raise InvalidInput(field, f"is required for {operation.value}")
    if operation is Operation.CHAT and (not isinstance(payload[field], list) or not payload[field]):
        raise InvalidInput("messages", "must be a non-empty list of messages")
    stream = payload.get("stream", False)
    if not isinstance(stream, bool):
        raise InvalidInput("stream", "must be true or false")
    if stream and operation is Operation.EMBEDDINGS:
        raise InvalidInput("stream", "is not supported for embeddings")


def endpoint_name(payload: dict[str, Any]) -> str:
    name = payload.get("model")
    if not isinstance(name, str) or not name:
        raise InvalidInput("model", "must name an endpoint")
    return name


def operation_from_body(payload: dict[str, Any]) -> Operation:
    """MLflow's invocations route chooses the operation by the body's shape."""
    for operation, field in REQUIRED.items():
        if field in payload:
            return operation
    raise InvalidInput("body", "needs 'messages' (chat), 'prompt' (completions) or 'input' (embeddings)")
