"""Streams: fallback before the first byte, rescue after it, honest endings (PRODUCT §2.6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from core.domain.invocation import InvocationFailed
from core.services.invocation.streaming import open_stream
from ports.provider import StreamChunk, UpstreamCall
from tests.fakes.providers import StreamScript, chunk, failure, usage_chunk
from tests.invocation.harness import Gateway, gateway

pytestmark = pytest.mark.anyio

ANSWER = ["The ", "quick ", "brown ", "fox."]


def cut() -> UpstreamError:
    return UpstreamError(ProviderFailure(ErrorClass.CONNECTION, None, "connection cut", None, False))


def whole(model: str) -> StreamScript:
    def script(call: UpstreamCall) -> list[StreamChunk | UpstreamError]:
        parts = ANSWER
        if call.prefill:
            joined = "".join(ANSWER)
            assert joined.startswith(call.prefill)
            parts = [joined[len(call.prefill) :]]
        chunks: list[StreamChunk | UpstreamError] = [chunk(model, p) for p in parts]
        return [*chunks, chunk(model, finish="stop"), usage_chunk(7, len(parts))]

    return script


def broken_after(model: str, n: int) -> StreamScript:
    return lambda call: [*(chunk(model, p) for p in ANSWER[:n]), cut()]


async def collect(gw: Gateway, **payload: object) -> tuple[str, list[dict[str, Any]], bool]:
    session = await open_stream(gw.service, gw.request("chat", True, **payload))
    events = [e async for e in session.events()]
    done = events[-1] == b"data: [DONE]\n\n"
    datas = [json.loads(e[len(b"data: ") :]) for e in events if e != b"data: [DONE]\n\n"]
    text = "".join((c["delta"].get("content") or "") for d in datas for c in d.get("choices", []))
    return text, datas, done


async def test_a_healthy_stream_is_relayed_and_ends_with_done_and_usage() -> None:
    gw = gateway()
    gw.provider.then_stream("a", whole("a"))
    text, datas, done = await collect(gw, stream_options={"include_usage": True})
    assert text == "The quick brown fox." and done
    assert datas[-1]["usage"] == {"prompt_tokens": 7, "completion_tokens": 4, "total_tokens": 11}


async def test_failure_before_the_first_byte_falls_back() -> None:
    gw = gateway(fallbacks=("b",), max_retries=0)
    gw.provider.then_stream("a", lambda call: [failure(ErrorClass.SERVER_ERROR, 503)])
    gw.provider.then_stream("b", whole("b"))
    session = await open_stream(gw.service, gw.request(stream=True))
    assert session.outcome.served is not None and session.outcome.served.name == "b"
    text = "".join([e.decode() async for e in session.events()])
    assert "fox." in text


async def test_a_stream_cut_halfway_is_continued_on_the_fallback_with_a_prefill() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then_stream("a", broken_after("a", 2))
    gw.provider.then_stream("b", whole("b"))
    text, datas, done = await collect(gw)
    assert text == "The quick brown fox." and done
    assert gw.provider.calls[-1].prefill == "The quick "
    assert len({d["id"] for d in datas}) == 1  # one stream id for the caller
    assert datas[-1]["model"] == "b"  # the rescue is visible


async def test_a_fallback_that_rejects_prefill_is_restarted_and_used_when_it_agrees() -> None:
    gw = gateway(fallbacks=("b",), supports_prefill=False)
    gw.provider.then_stream("a", broken_after("a", 2))
    gw.provider.then_stream("b", whole("b"))
    text, _, done = await collect(gw)
    assert text == "The quick brown fox." and done
    assert gw.provider.calls[-1].prefill is None


async def test_a_restarted_answer_that_disagrees_ends_with_an_error_naming_the_original_failure() -> None:
    gw = gateway(fallbacks=("b",), supports_prefill=False)
    gw.provider.then_stream("a", broken_after("a", 2))
    gw.provider.then_stream("b", lambda call: [chunk("b", "A different answer"), chunk("b", finish="stop")])
    text, datas, done = await collect(gw)
    assert text == "The quick " and not done
    error = datas[-1]["error"]
    assert isinstance(error, dict) and "connection cut" in error["message"]
    assert all(c.get("finish_reason") is None for d in datas for c in d.get("choices", []))


async def test_with_nothing_left_to_try_the_stream_ends_with_an_error_event() -> None:
    gw = gateway()
    gw.provider.then_stream("a", broken_after("a", 3))
    text, datas, done = await collect(gw)
    assert text == "The quick brown " and not done
    assert "error" in datas[-1]


async def test_tool_call_streams_are_not_continued() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then_stream("a", lambda call: [chunk("a", tool=True), cut()])
    gw.provider.then_stream("b", whole("b"))
    _, datas, done = await collect(gw)
    assert not done and "error" in datas[-1]
    assert len(gw.provider.calls) == 1


async def test_a_stream_without_done_is_finalised_with_usage() -> None:
    gw = gateway()
    gw.provider.then_stream(
        "a", lambda call: [chunk("a", "hi"), chunk("a", finish="stop"), usage_chunk(3, 1)]
    )
    _, datas, done = await collect(gw, stream_options={"include_usage": True})
    assert done and datas[-1]["usage"]["total_tokens"] == 4


async def test_nothing_answering_raises_before_any_byte() -> None:
    gw = gateway(max_retries=0)
    gw.provider.then_stream("a", lambda call: [failure(ErrorClass.AUTH, 401)])
    with pytest.raises(InvocationFailed) as caught:
        await open_stream(gw.service, gw.request(stream=True))
    assert caught.value.status == 502


async def test_a_continued_stream_bills_each_contributing_model() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then_stream("a", lambda call: [chunk("a", "The "), usage_chunk(7, 1), cut()])
    gw.provider.then_stream("b", whole("b"))
    await collect(gw)
    [record] = gw.usage.records
    assert record.prompt_tokens == 14 and record.completion_tokens == 2
