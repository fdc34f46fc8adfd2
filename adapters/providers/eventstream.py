"""AWS event-stream framing (application/vnd.amazon.eventstream): decoder with CRC checks, and encoder.

A message is: total length (u32) | headers length (u32) | prelude CRC32 | headers | payload |
message CRC32, big-endian, the CRCs over the bytes before them. A header is: name length (u8) |
name | value type (u8) | value.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

PRELUDE_LEN = 12
CRC_LEN = 4
MIN_MESSAGE_LEN = PRELUDE_LEN + CRC_LEN
MAX_MESSAGE_LEN = 16 * 1024 * 1024

HeaderValue = bool | int | bytes | str | uuid.UUID

_BOOL_TRUE, _BOOL_FALSE, _BYTE, _SHORT, _INT, _LONG, _BYTES, _STRING, _TIMESTAMP, _UUID = range(10)
_FIXED = {_BYTE: ">b", _SHORT: ">h", _INT: ">i", _LONG: ">q", _TIMESTAMP: ">q"}


class EventStreamError(Exception):
    """The byte stream is not valid event-stream framing (bad length or CRC)."""


@dataclass(frozen=True, slots=True)
class EventMessage:
    headers: Mapping[str, HeaderValue]
    payload: bytes

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value if isinstance(value, str) else None


class EventStreamDecoder:
    """Incremental decoder: feed it bytes as they arrive, get back the complete messages."""

    def __init__(self, max_message_len: int = MAX_MESSAGE_LEN) -> None:
        self._buffer = bytearray()
        self._max = max_message_len

    @property
    def has_partial_message(self) -> bool:
        return bool(self._buffer)

    def feed(self, data: bytes) -> list[EventMessage]:
        self._buffer += data
        messages = []
        while len(self._buffer) >= PRELUDE_LEN:
            total, headers_len, prelude_crc = struct.unpack_from(">III", self._buffer)
            if zlib.crc32(bytes(self._buffer[:8])) != prelude_crc:
                raise EventStreamError("prelude CRC mismatch")
            if total < MIN_MESSAGE_LEN or total > self._max or headers_len > total - MIN_MESSAGE_LEN:
                raise EventStreamError(f"invalid message length {total} (headers {headers_len})")
            if len(self._buffer) < total:
                break
            frame = bytes(self._buffer[:total])
            del self._buffer[:total]
            messages.append(_decode_frame(frame, headers_len))
        return messages


def _decode_frame(frame: bytes, headers_len: int) -> EventMessage:
    (message_crc,) = struct.unpack_from(">I", frame, len(frame) - CRC_LEN)
    if zlib.crc32(frame[:-CRC_LEN]) != message_crc:
        raise EventStreamError("message CRC mismatch")
    headers_end = PRELUDE_LEN + headers_len
    headers = _decode_headers(frame[PRELUDE_LEN:headers_end])
    return EventMessage(headers, frame[headers_end:-CRC_LEN])


def _decode_headers(data: bytes) -> dict[str, HeaderValue]:
    headers: dict[str, HeaderValue] = {}
    pos = 0
    try:
        while pos < len(data):
            name_len = data[pos]
            name = data[pos + 1 : pos + 1 + name_len].decode()
            pos += 1 + name_len
            kind = data[pos]
            pos += 1
            headers[name], pos = _decode_value(kind, data, pos)
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise EventStreamError(f"malformed header block: {exc}") from None
    if pos != len(data):
        raise EventStreamError("header block overruns its length")
    return headers


def _decode_value(kind: int, data: bytes, pos: int) -> tuple[HeaderValue, int]:
    if kind == _BOOL_TRUE:
        return True, pos
    if kind == _BOOL_FALSE:
        return False, pos
    if kind in _FIXED:
        fmt = _FIXED[kind]
        (number,) = struct.unpack_from(fmt, data, pos)
        return int(number), pos + struct.calcsize(fmt)
    if kind in (_BYTES, _STRING):
        (length,) = struct.unpack_from(">H", data, pos)
        raw = data[pos + 2 : pos + 2 + length]
        if len(raw) != length:
            raise EventStreamError("header value is truncated")
        return (raw.decode() if kind == _STRING else raw), pos + 2 + length
    if kind == _UUID:
        raw = data[pos : pos + 16]
        if len(raw) != 16:
            raise EventStreamError("uuid header is truncated")
        return uuid.UUID(bytes=raw), pos + 16
    raise EventStreamError(f"unknown header value type {kind}")


def encode_message(headers: Mapping[str, HeaderValue], payload: bytes) -> bytes:
    """One framed message (used by the fake Bedrock upstream in tests, and kept next to the decoder)."""
    block = b"".join(_encode_header(name, value) for name, value in headers.items())
    total = PRELUDE_LEN + len(block) + len(payload) + CRC_LEN
    prelude = struct.pack(">II", total, len(block))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + block + payload
    return body + struct.pack(">I", zlib.crc32(body))


def _encode_header(name: str, value: HeaderValue) -> bytes:
    raw_name = name.encode()
    head = struct.pack(">B", len(raw_name)) + raw_name
    if isinstance(value, bool):
        return head + struct.pack(">B", _BOOL_TRUE if value else _BOOL_FALSE)
    if isinstance(value, int):
        return head + struct.pack(">Bi", _INT, value)
    if isinstance(value, uuid.UUID):
        return head + struct.pack(">B", _UUID) + value.bytes
    raw = value.encode() if isinstance(value, str) else value
    kind = _STRING if isinstance(value, str) else _BYTES
    return head + struct.pack(">BH", kind, len(raw)) + raw
