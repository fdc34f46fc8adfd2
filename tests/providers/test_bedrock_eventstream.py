"""The AWS event-stream decoder on frames built byte by byte per the spec, split anyhow, and corrupted."""

from __future__ import annotations

import struct
import uuid
import zlib

import pytest

from adapters.providers.eventstream import (
    EventMessage,
    EventStreamDecoder,
    EventStreamError,
    HeaderValue,
    encode_message,
)


def _string_header(name: str, value: str) -> bytes:
    raw = value.encode()
    return bytes([len(name)]) + name.encode() + bytes([7]) + struct.pack(">H", len(raw)) + raw


def _frame(headers: bytes, payload: bytes) -> bytes:
    """A message framed by hand: lengths, prelude CRC32, headers, payload, message CRC32."""
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + headers + payload
    return body + struct.pack(">I", zlib.crc32(body))


EVENT = _frame(
    _string_header(":event-type", "contentBlockDelta")
    + _string_header(":content-type", "application/json")
    + _string_header(":message-type", "event"),
    b'{"contentBlockIndex":0,"delta":{"text":"Hi"}}',
)


def test_a_hand_built_frame_decodes_to_its_headers_and_payload() -> None:
    [message] = EventStreamDecoder().feed(EVENT)
    assert message.header(":event-type") == "contentBlockDelta"
    assert message.header(":message-type") == "event"
    assert message.payload == b'{"contentBlockIndex":0,"delta":{"text":"Hi"}}'


def test_frames_split_at_every_byte_boundary_still_decode() -> None:
    data = EVENT + EVENT
    for cut in range(1, len(data)):
        decoder = EventStreamDecoder()
        got = decoder.feed(data[:cut]) + decoder.feed(data[cut:])
        assert [m.payload for m in got] == [EVENT[-4 - 45 : -4]] * 2
        assert not decoder.has_partial_message


def test_a_partial_frame_is_held_until_complete() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(EVENT[:20]) == []
    assert decoder.has_partial_message


def test_a_corrupted_payload_fails_the_message_crc() -> None:
    corrupted = bytearray(EVENT)
    corrupted[-10] ^= 0xFF
    with pytest.raises(EventStreamError, match="message CRC"):
        EventStreamDecoder().feed(bytes(corrupted))


def test_a_corrupted_length_fails_the_prelude_crc() -> None:
    corrupted = bytearray(EVENT)
    corrupted[3] ^= 0x01
    with pytest.raises(EventStreamError, match="prelude CRC"):
        EventStreamDecoder().feed(bytes(corrupted))


def test_an_absurd_length_is_rejected_rather_than_buffered() -> None:
    prelude = struct.pack(">II", 1 << 30, 0)
    prelude += struct.pack(">I", zlib.crc32(prelude))
    with pytest.raises(EventStreamError, match="invalid message length"):
        EventStreamDecoder().feed(prelude)


def test_every_header_type_round_trips_through_the_encoder() -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    headers: dict[str, HeaderValue] = {
        "t": True,
        "f": False,
        "i": -7,
        "b": b"\x00\x01",
        "s": "text",
        "u": ident,
    }
    [message] = EventStreamDecoder().feed(encode_message(headers, b"payload"))
    assert message == EventMessage(headers, b"payload")


def test_the_encoder_matches_the_hand_built_frame() -> None:
    headers = {
        ":event-type": "contentBlockDelta",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert encode_message(headers, b'{"contentBlockIndex":0,"delta":{"text":"Hi"}}') == EVENT
