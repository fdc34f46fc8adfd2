"""/metrics after known traffic: requests, attempts, fallbacks, tokens, limit rejections, breakers."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.limits.breaker_in_process import InProcessCircuitBreaker
from core.domain.breaker import BreakerPolicy
from core.domain.failures import ErrorClass
from core.domain.limits import LimitRule, RenewalPeriod
from tests.fakes.clock import FakeClock
from tests.fakes.providers import answer, chunk, failure, usage_chunk
from tests.ops.gateway import Served, served

pytestmark = pytest.mark.anyio

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(gw: Served) -> Samples:
    response = await gw.client.get("/metrics", headers={"authorization": ""})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_counts_requests_attempts_fallbacks_tokens_and_limit_rejections() -> None:
    async with served() as gw:
        gw.endpoint("chat", "a", fallbacks=["b"])
        gw.endpoint("limited", "c", limits=[LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=1)])
        gw.provider.then("a", answer("a", "one two"), failure(ErrorClass.SERVER_ERROR, 503))
        gw.provider.then("b", answer("b", "from b"))
        gw.provider.then("c", answer("c", "ok"))

        assert (await gw.chat("chat")).status_code == 200  # served by a
        assert (await gw.chat("chat")).status_code == 200  # a fails, b serves: a fallback
        assert (await gw.chat("limited")).status_code == 200
        assert (await gw.chat("limited")).status_code == 429  # over the limit, never sent upstream
        assert (await gw.chat("chat", authorization="Bearer sb-not-a-key")).status_code == 401

        m = await scrape(gw)

    assert value(m, "switchboard_requests_total", endpoint="chat", model_definition="a", status="200") == 1
    assert value(m, "switchboard_requests_total", endpoint="chat", model_definition="b", status="200") == 1
    assert value(m, "switchboard_requests_total", endpoint="limited", model_definition="", status="429") == 1
    assert value(m, "switchboard_requests_total", endpoint="", model_definition="", status="401") == 1
    assert value(m, "switchboard_fallbacks_total", endpoint="chat", model_definition="b") == 1
    assert value(m, "switchboard_fallbacks_total", endpoint="chat", model_definition="a") == 0
    attempts = {"endpoint": "chat", "provider": "scripted"}
    assert value(m, "switchboard_attempts_total", model_definition="a", outcome="ok", **attempts) == 1
    failed = {"model_definition": "a", "outcome": "server_error"}
    a_failed = value(m, "switchboard_attempts_total", **failed, **attempts)
    assert a_failed == 1
    assert value(m, "switchboard_attempts_total", model_definition="b", outcome="ok", **attempts) == 1
    rejection = {"endpoint": "limited", "key": "endpoint", "period": "minute", "resource": "calls"}
    assert value(m, "switchboard_limit_rejections_total", **rejection) == 1
    assert value(m, "switchboard_tokens_in_total", endpoint="chat", model_definition="a") == 5
    assert value(m, "switchboard_tokens_out_total", endpoint="chat", model_definition="a") == 2
    assert value(m, "switchboard_tokens_out_total", endpoint="chat", model_definition="b") == 2
    latency = {"endpoint": "chat", "model_definition": "a"}
    assert value(m, "switchboard_request_duration_seconds_count", **latency) == 1
    assert value(m, "switchboard_overhead_seconds_count", endpoint="chat") == 2
    upstream = {"model_definition": "a", "provider": "scripted"}
    assert value(m, "switchboard_upstream_duration_seconds_count", **upstream) >= 1


async def test_an_open_circuit_shows_until_a_probe_closes_it() -> None:
    clock = FakeClock()
    breaker = InProcessCircuitBreaker(clock, BreakerPolicy(failure_threshold=1, cooldown_ms=1000))
    async with served(breaker=breaker, clock=clock) as gw:
        gw.endpoint("chat", "a", fallbacks=["b"])
        gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 503), answer("a", "back"))
        gw.provider.then("b", answer("b", "from b"))

        await gw.chat("chat")  # a fails once: its circuit opens
        opened = await scrape(gw)
        clock.advance(2)
        assert (await gw.chat("chat")).headers["x-switchboard-model-definition"] == "a"  # the probe
        closed = await scrape(gw)

    assert value(opened, "switchboard_circuit_open", model_definition="a") == 1
    assert value(closed, "switchboard_circuit_open", model_definition="a") == 0


async def test_metrics_can_require_an_admin_key_or_be_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_METRICS", "admin")
    async with served() as gw:
        assert (await gw.client.get("/metrics", headers={"authorization": ""})).status_code == 401
        assert (await gw.client.get("/metrics")).status_code == 200
    monkeypatch.setenv("SWITCHBOARD_METRICS", "off")
    async with served() as gw:
        assert (await gw.client.get("/metrics")).status_code == 404


async def test_a_stream_counts_once_it_has_ended() -> None:
    async with served() as gw:
        gw.endpoint("chat", "a")
        gw.provider.then_stream(
            "a", lambda call: [chunk("a", "one "), chunk("a", "two", finish="stop"), usage_chunk(4, 2)]
        )
        body = {"model": "chat", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
        async with gw.client.stream("POST", "/v1/chat/completions", json=body) as response:
            assert response.status_code == 200
            assert "[DONE]" in "".join([part async for part in response.aiter_text()])
        m = await scrape(gw)

    assert value(m, "switchboard_requests_total", endpoint="chat", model_definition="a", status="200") == 1
    assert value(m, "switchboard_tokens_in_total", endpoint="chat", model_definition="a") == 4
    assert value(m, "switchboard_tokens_out_total", endpoint="chat", model_definition="a") == 2
