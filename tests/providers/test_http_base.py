"""The shared HTTP transport: pooling, timeouts, SSE framing, failure classes, no secret leaks."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from adapters.providers._http import (
    HttpCall,
    HttpPools,
    SseEvent,
    SseParser,
    http_failure,
    open_stream,
    post,
    retry_after_s,
)
from core.domain.endpoint import Timeouts
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from tests.providers.upstream import Cut, FakeUpstream, Pause, Reply

pytestmark = pytest.mark.anyio

SECRET = "sk-test-0123456789abcdef"
FAST = Timeouts(connect_s=1, first_byte_s=0.3, idle_s=0.3, total_s=5)


def _read_error(status: int, headers: Mapping[str, str], body: bytes) -> ProviderFailure:
    return http_failure("testprov", status, headers, body.decode())


def _call(upstream: FakeUpstream, timeouts: Timeouts = FAST) -> HttpCall:
    return HttpCall(
        provider="testprov",
        url=upstream.url + "/v1/thing",
        headers={"authorization": f"Bearer {SECRET}", "content-type": "application/json"},
        body=b'{"a":1}',
        timeouts=timeouts,
        read_error=_read_error,
        secret=SECRET,
    )


async def test_consecutive_calls_reuse_one_pooled_connection(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.json(200, {"n": 1}), Reply.json(200, {"n": 2}))
    first = await post(pools, _call(upstream))
    second = await post(pools, _call(upstream))
    assert (first.content, second.content) == (b'{"n": 1}', b'{"n": 2}')
    assert upstream.connections == 1
    assert pools.origins() == {upstream.url}
    assert upstream.requests[0].body == b'{"a":1}'


async def test_an_http_error_goes_through_the_reader_with_retry_after_and_no_secret(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.body(429, f"slow down, key {SECRET}".encode(), {"retry-after": "2"}))
    with pytest.raises(UpstreamError) as caught:
        await post(pools, _call(upstream))
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (ErrorClass.RATE_LIMITED, 429, 2.0)
    assert SECRET not in str(caught.value) and SECRET[:8] not in failure.message
    assert SECRET not in repr(_call(upstream))


async def test_a_reset_before_any_byte_is_a_connection_failure(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.reset_connection())
    with pytest.raises(UpstreamError) as caught:
        await post(pools, _call(upstream))
    assert caught.value.failure.error_class is ErrorClass.CONNECTION
    assert caught.value.failure.before_first_byte


async def test_no_answer_is_a_timeout_after_first_byte_s(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.no_answer())
    with pytest.raises(UpstreamError) as caught:
        await post(pools, _call(upstream))
    assert caught.value.failure.error_class is ErrorClass.TIMEOUT


async def test_nothing_listening_is_a_connection_failure(pools: HttpPools) -> None:
    call = HttpCall(
        provider="testprov",
        url="http://127.0.0.1:9/v1",
        headers={},
        body=b"",
        timeouts=FAST,
        read_error=_read_error,
    )
    with pytest.raises(UpstreamError) as caught:
        await post(pools, call)
    assert caught.value.failure.error_class is ErrorClass.CONNECTION


async def test_a_stream_that_stalls_past_idle_s_times_out(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.sse([b"data: 1\n\n", Pause(5), b"data: 2\n\n"]))
    seen: list[bytes] = []
    with pytest.raises(UpstreamError) as caught:
        async with open_stream(pools, _call(upstream)) as stream:
            async for event in stream.sse():
                seen.append(event.data)
    assert seen == [b"1"]
    assert caught.value.failure.error_class is ErrorClass.TIMEOUT


async def test_a_stream_cut_midway_is_a_connection_failure(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.sse([b"data: 1\n\n", Cut()]))
    seen: list[bytes] = []
    with pytest.raises(UpstreamError) as caught:
        async with open_stream(pools, _call(upstream)) as stream:
            async for event in stream.sse():
                seen.append(event.data)
    assert seen == [b"1"]
    assert caught.value.failure.error_class is ErrorClass.CONNECTION


async def test_a_stream_error_status_is_read_before_any_event(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.body(503, b"overloaded"))
    with pytest.raises(UpstreamError) as caught:
        async with open_stream(pools, _call(upstream)):
            pass
    assert (caught.value.failure.error_class, caught.value.failure.status) == (ErrorClass.SERVER_ERROR, 503)


def test_sse_parser_handles_split_pieces_crlf_names_multiline_and_a_missing_final_blank_line() -> None:
    parser = SseParser()
    events = parser.feed(b'event: ping\r\ndata: {}\r\n\r\n: comment\n\ndata: {"a"')
    events += parser.feed(b":1}\n\ndata: line1\ndata: line2\n\ndata: [DONE]")
    events += parser.end()
    assert events == [
        SseEvent("ping", b"{}"),
        SseEvent("", b'{"a":1}'),
        SseEvent("", b"line1\nline2"),
        SseEvent("", b"[DONE]"),
    ]


def test_retry_after_accepts_seconds_milliseconds_and_http_dates() -> None:
    assert retry_after_s({"retry-after": "3"}) == 3.0
    assert retry_after_s({"retry-after-ms": "1500", "retry-after": "3"}) == 1.5
    assert retry_after_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_s({"retry-after": "soon"}) is None
    assert retry_after_s({}) is None
