"""Chat streaming: SSE events become chunk dicts; an error event ends the stream with an exception."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from apps.client import SwitchboardClient, SwitchboardConnectionError, SwitchboardStreamError
from apps.client._sse import iter_chunks, iter_events


def _sse(*events: str) -> httpx.MockTransport:
    body = "".join(events).encode()
    return httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    )


def _chunk(text: str) -> str:
    return 'data: {"choices": [{"index": 0, "delta": {"content": "' + text + '"}}]}\n\n'


def test_chunks_arrive_in_order_until_done() -> None:
    client = SwitchboardClient(
        "http://g.test",
        "k",
        transport=_sse(_chunk("Hel"), ": keep-alive\n\n", _chunk("lo"), "data: [DONE]\n\n", _chunk("after")),
    )
    pieces = [
        c["choices"][0]["delta"]["content"]
        for c in client.chat_stream("chat", [{"role": "user", "content": "hi"}])
    ]
    assert pieces == ["Hel", "lo"]


def test_an_error_event_raises_with_the_servers_reason() -> None:
    error = (
        'data: {"error": {"message": "upstream cut the stream", "type": "upstream_error", "code": "502"}}\n\n'
    )
    client = SwitchboardClient("http://g.test", "k", transport=_sse(_chunk("Hel"), error))
    received = []
    with pytest.raises(SwitchboardStreamError) as failed:
        for chunk in client.chat_stream("chat", [{"role": "user", "content": "hi"}]):
            received.append(chunk)
    assert len(received) == 1
    assert failed.value.message == "upstream cut the stream"
    assert failed.value.error_type == "upstream_error"


def test_the_request_asks_for_a_stream_of_the_endpoint() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"data: [DONE]\n\n")

    client = SwitchboardClient("http://g.test", "k", transport=httpx.MockTransport(answer))
    assert list(client.chat_stream("chat", [{"role": "user", "content": "hi"}], temperature=0)) == []
    body = seen[0].read().decode()
    assert '"stream":true' in body.replace(" ", "") and '"model":"chat"' in body.replace(" ", "")


def test_event_parsing_joins_data_lines_and_reads_event_names() -> None:
    lines = ["event: error", 'data: {"a":', "data: 1}", "", "data: x", ""]
    assert list(iter_events(lines)) == [("error", '{"a":\n1}'), ("message", "x")]


def test_named_error_event_raises() -> None:
    with pytest.raises(SwitchboardStreamError):
        list(iter_chunks(["event: error", 'data: {"message": "boom"}', ""]))


def test_malformed_event_is_an_error_not_a_crash() -> None:
    with pytest.raises(SwitchboardStreamError):
        list(iter_chunks(["data: {not json", ""]))


@pytest.fixture
def cutting_server() -> Iterator[str]:
    """A loopback HTTP server that starts a chunked SSE answer, sends one event, and hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve_one() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            event = _chunk("Hel").encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                + f"{len(event):x}\r\n".encode()
                + event
                + b"\r\n"
            )

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    thread.join()
    listener.close()


def test_a_stream_cut_by_the_network_raises_after_what_arrived(cutting_server: str) -> None:
    received = []
    client = SwitchboardClient(cutting_server, "k", timeout=5)
    with client, pytest.raises(SwitchboardConnectionError) as cut:
        for chunk in client.chat_stream("chat", [{"role": "user", "content": "hi"}]):
            received.append(chunk)
    assert len(received) == 1
    assert "broke during the stream" in str(cut.value)
