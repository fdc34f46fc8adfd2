"""Retries on 429/503 with backoff or Retry-After, timeouts with a clear message, the key kept private."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apps.client import (
    SwitchboardAPIError,
    SwitchboardClient,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardTimeout,
)
from apps.client._transport import parse_retry_after

KEY = "sb-super-secret-key-value-0123456789"


class Upstream:
    """Answers requests from a script of responses and records what the client sent."""

    def __init__(self, *responses: httpx.Response) -> None:
        self._responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._responses.pop(0)


def _client(upstream: Upstream, sleeps: list[float], **options: Any) -> SwitchboardClient:
    return SwitchboardClient(
        "http://gateway.test", KEY, transport=httpx.MockTransport(upstream), sleep=sleeps.append, **options
    )


def _ok() -> httpx.Response:
    return httpx.Response(200, json={"endpoints": [], "next_page_token": None})


def _busy(status: int, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(status, headers=headers, json={"error_code": "BUSY", "message": "try later"})


def test_429_and_503_are_retried_with_exponential_backoff() -> None:
    upstream, sleeps = Upstream(_busy(503), _busy(429), _busy(503), _ok()), list[float]()
    assert _client(upstream, sleeps, backoff_s=0.5).list_endpoints().items == []
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(upstream.requests) == 4


def test_retry_after_is_honoured() -> None:
    upstream, sleeps = Upstream(_busy(429, "3"), _ok()), list[float]()
    _client(upstream, sleeps).list_endpoints()
    assert sleeps == [3.0]


def test_after_max_retries_the_last_error_is_raised() -> None:
    upstream, sleeps = Upstream(_busy(503), _busy(503), _busy(503)), list[float]()
    with pytest.raises(SwitchboardAPIError) as failed:
        _client(upstream, sleeps, max_retries=2).list_endpoints()
    assert (failed.value.status, failed.value.error_code, failed.value.message) == (503, "BUSY", "try later")
    assert len(sleeps) == 2


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    upstream, sleeps = Upstream(_busy(429, "3600"), _ok()), list[float]()
    with pytest.raises(SwitchboardAPIError) as failed:
        _client(upstream, sleeps, max_retry_wait_s=30).list_endpoints()
    assert failed.value.retry_after_s == 3600
    assert sleeps == []


def test_other_errors_are_not_retried() -> None:
    upstream = Upstream(httpx.Response(500, json={"error_code": "INTERNAL_ERROR", "message": "x"}))
    sleeps: list[float] = []
    with pytest.raises(SwitchboardAPIError):
        _client(upstream, sleeps).list_endpoints()
    assert len(upstream.requests) == 1


def test_data_plane_errors_in_openai_shape_are_understood() -> None:
    body = {
        "error": {"message": "endpoint 'x' does not exist", "type": "invalid_request_error", "code": "404"}
    }
    upstream, sleeps = Upstream(httpx.Response(404, json=body)), list[float]()
    with pytest.raises(SwitchboardAPIError) as failed:
        _client(upstream, sleeps).chat("x", [{"role": "user", "content": "hi"}])
    assert failed.value.message == "endpoint 'x' does not exist"


def test_the_key_is_sent_as_bearer_but_never_shown() -> None:
    upstream = Upstream(httpx.Response(401, json={"error_code": "UNAUTHENTICATED", "message": "bad key"}))
    client = _client(upstream, [])
    with pytest.raises(SwitchboardAPIError) as failed:
        client.list_endpoints()
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(client)
    assert KEY not in str(failed.value) and KEY not in repr(failed.value)


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_timeout_says_who_did_not_answer_and_how_long_we_waited(silent_server: str) -> None:
    client = SwitchboardClient(silent_server, KEY, timeout=0.2)
    with client, pytest.raises(SwitchboardTimeout) as timed_out:
        client.list_endpoints()
    assert str(timed_out.value).startswith(f"no answer from {silent_server} within 0.2s")
    assert KEY not in str(timed_out.value)


def test_unreachable_server_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        client = SwitchboardClient(f"http://127.0.0.1:{port}", KEY)
        with client, pytest.raises(SwitchboardConnectionError) as refused:
            client.health()
    assert f"127.0.0.1:{port}" in str(refused.value)


def test_from_env_reads_the_url_and_key() -> None:
    client = SwitchboardClient.from_env(
        {"SWITCHBOARD_URL": "http://gw.test:9000/", "SWITCHBOARD_API_KEY": KEY}
    )
    assert client.base_url == "http://gw.test:9000"
    assert SwitchboardClient.from_env({"SWITCHBOARD_API_KEY": KEY}).base_url == "http://127.0.0.1:8080"
    with pytest.raises(SwitchboardError, match="SWITCHBOARD_API_KEY"):
        SwitchboardClient.from_env({})
