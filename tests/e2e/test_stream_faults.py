"""Streams that break after the first byte, through a running gateway (PRODUCT §2.6).

A broken stream is continued on the next model: by prefill where the provider has one
(`mistral`: a final assistant message with `prefix: true`), else by a fresh answer used only
when it begins with exactly what the caller already has. Nothing is ever made up: a stream
that cannot be rescued ends with an SSE error event, without `[DONE]` or a finish_reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.faulty_upstream import Cut, Pause, Reply, ScriptedUpstream, chunk, error, sse_data, stream
from tests.e2e.gateway import Endpoint, Gateway

QUESTION = [{"role": "user", "content": "Say hello"}]


@dataclass(frozen=True)
class Streamed:
    """What the caller received: the chunks, the error event if any, and whether [DONE] came."""

    headers: httpx.Headers
    chunks: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    done: bool

    @property
    def text(self) -> str:
        return "".join(c["choices"][0]["delta"].get("content") or "" for c in self.chunks if c.get("choices"))

    @property
    def finish_reasons(self) -> list[str]:
        return [
            c["choices"][0]["finish_reason"]
            for c in self.chunks
            if c.get("choices") and c["choices"][0]["finish_reason"]
        ]

    @property
    def usage(self) -> dict[str, int] | None:
        return next((c["usage"] for c in self.chunks if c.get("usage")), None)


def stream_chat(caller: httpx.Client, endpoint: Endpoint) -> Streamed:
    body = {
        "model": endpoint.name,
        "messages": QUESTION,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    chunks: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    done = False
    with caller.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            data = line[len("data: ") :]
            assert not done, "nothing may follow [DONE]"
            if data == "[DONE]":
                done = True
                continue
            event = json.loads(data)
            (errors if "error" in event else chunks).append(event)
    return Streamed(response.headers, chunks, errors, done)


def complete(streamed: Streamed, text: str) -> None:
    """The caller received the whole answer, properly finished."""
    assert streamed.errors == []
    assert streamed.text == text
    assert streamed.finish_reasons == ["stop"]
    assert streamed.done


def test_a_whole_stream_is_relayed_with_usage(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model())
    (model,) = endpoint.models
    upstream.script(model.model_name, stream(model.model_name, ["Hello", " world"], usage=(9, 2)))
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "Hello world")
    assert streamed.usage == {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}
    assert streamed.headers["x-switchboard-model-definition"] == model.name
    assert upstream.hits(model.model_name)[0].json()["stream_options"] == {"include_usage": True}


def test_a_stream_cut_halfway_is_continued_on_the_fallback_by_prefill(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model("mistral"))
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, stream(primary.model_name, ["Hello", " wor", Cut()], finish=False))
    upstream.script(fallback.model_name, stream(fallback.model_name, ["ld, how", " are you?"], usage=(12, 4)))
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "Hello world, how are you?")
    continued = upstream.hits(fallback.model_name)[0].json()["messages"]
    assert continued[:-1] == QUESTION
    assert continued[-1] == {"role": "assistant", "content": "Hello wor", "prefix": True}
    assert streamed.usage is not None and streamed.usage["completion_tokens"] == 4  # only what was produced


def test_a_cut_stream_whose_fallback_rejects_prefill_is_restarted_there(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model("mistral"))
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, stream(primary.model_name, ["Hello", " wor", Cut()], finish=False))
    upstream.script(
        fallback.model_name,
        error(400, "Assistant message with prefix is not supported for this model"),
        stream(fallback.model_name, ["Hello world", ", how are you?"]),
    )
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "Hello world, how are you?")
    prefilled, fresh = upstream.hits(fallback.model_name)
    assert prefilled.json()["messages"][-1]["prefix"] is True
    assert fresh.json()["messages"] == QUESTION


def test_a_cut_stream_is_restarted_on_an_openai_compatible_fallback(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, stream(primary.model_name, ["Hello", " wor", Cut()], finish=False))
    upstream.script(fallback.model_name, stream(fallback.model_name, ["Hel", "lo world", ", how are you?"]))
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "Hello world, how are you?")
    assert upstream.hits(fallback.model_name)[0].json()["messages"] == QUESTION  # no prefill sent


def test_a_cut_stream_whose_fresh_answer_differs_ends_with_an_error_event(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, stream(primary.model_name, ["Hello", " wor", Cut()], finish=False))
    upstream.script(fallback.model_name, stream(fallback.model_name, ["Hi there", ", friend"]))
    streamed = stream_chat(caller, endpoint)
    assert streamed.text == "Hello wor"  # what was delivered stays, nothing of the other answer
    assert streamed.finish_reasons == []  # never a made-up finish
    assert not streamed.done  # never a truncated answer presented as complete
    (failure,) = streamed.errors
    assert "stream" in failure["error"]["message"] and failure["error"]["code"] == "connection_error"
    assert "prefill" not in failure["error"]["message"]


def test_a_stream_that_stalls_past_the_idle_timeout_is_continued(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model("mistral"), timeouts={"idle_s": 0.5})
    primary, fallback = endpoint.models
    upstream.script(
        primary.model_name, stream(primary.model_name, ["Hello", " wor", Pause(30)], finish=False)
    )
    upstream.script(fallback.model_name, stream(fallback.model_name, ["ld!"]))
    streamed = stream_chat(caller, endpoint)  # the caller would give up after 10 s
    complete(streamed, "Hello world!")
    assert upstream.hits(fallback.model_name)[0].json()["messages"][-1]["content"] == "Hello wor"


def test_a_malformed_chunk_is_skipped(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    garbage = b'data: {"id": "chatcmpl-x", "choices": [{"delta": {"content": "lost\n\n'
    upstream.script(primary.model_name, stream(primary.model_name, ["Hello", garbage, " world"]))
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "Hello world")
    assert not upstream.hits(fallback.model_name)


def test_a_stream_without_done_is_finalised_promptly_with_usage(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model())
    (model,) = endpoint.models
    # The upstream finishes the answer and its usage but never sends [DONE] nor closes the body;
    # the caller, who gives up after 10 s, still gets the whole answer, usage and [DONE].
    upstream.script(
        model.model_name,
        stream(model.model_name, ["All", " done"], usage=(3, 2), done=False, tail=[Pause(60)]),
    )
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "All done")
    assert streamed.usage == {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}


def test_a_stream_without_done_or_usage_is_finalised_after_its_finish(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model())
    (model,) = endpoint.models
    upstream.script(
        model.model_name, stream(model.model_name, ["All", " done"], usage=None, done=False, tail=[Pause(60)])
    )
    complete(stream_chat(caller, endpoint), "All done")


def test_a_stream_failing_before_its_first_byte_falls_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), retry_policy={"max_retries": 0})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, error(503, "overloaded", kind="server_error"))
    upstream.script(fallback.model_name, stream(fallback.model_name, ["Fine", " here"]))
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "Fine here")
    assert streamed.headers["x-switchboard-model-definition"] == fallback.name
    assert streamed.headers["x-switchboard-attempts"] == "2"


def test_a_stream_whose_first_token_comes_too_late_falls_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), timeouts={"idle_s": 0.5})
    primary, fallback = endpoint.models
    # Headers at once, then silence before the first chunk: nothing reached the caller yet.
    upstream.script(
        primary.model_name, Reply.sse([Pause(5), *stream(primary.model_name, ["Too late"]).parts])
    )
    upstream.script(fallback.model_name, stream(fallback.model_name, ["On time"]))
    streamed = stream_chat(caller, endpoint)
    complete(streamed, "On time")
    assert streamed.headers["x-switchboard-model-definition"] == fallback.name


def test_a_stream_whose_first_token_comes_within_the_timeouts_is_served(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), timeouts={"idle_s": 5})
    primary, fallback = endpoint.models
    upstream.script(
        primary.model_name, Reply.sse([Pause(0.5), *stream(primary.model_name, ["Worth", " the wait"]).parts])
    )
    complete(stream_chat(caller, endpoint), "Worth the wait")
    assert not upstream.hits(fallback.model_name)


def test_an_error_event_mid_stream_is_continued_on_the_fallback(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model("mistral"))
    primary, fallback = endpoint.models
    overloaded = sse_data(
        {"error": {"message": "The server is overloaded", "type": "server_error", "code": None}}
    )
    upstream.script(
        primary.model_name,
        stream(primary.model_name, ["Hello", " wor", overloaded], finish=False, usage=None, done=False),
    )
    upstream.script(fallback.model_name, stream(fallback.model_name, ["ld"]))
    complete(stream_chat(caller, endpoint), "Hello world")


def test_a_broken_stream_of_tool_calls_is_not_continued(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model("mistral"))
    primary, fallback = endpoint.models
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"ci'},
    }
    upstream.script(
        primary.model_name,
        Reply.sse([chunk(primary.model_name, {"role": "assistant", "tool_calls": [call]}), Cut()]),
    )
    streamed = stream_chat(caller, endpoint)
    assert streamed.finish_reasons == [] and not streamed.done
    assert len(streamed.errors) == 1
    assert not upstream.hits(fallback.model_name)
