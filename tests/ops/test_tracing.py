"""A request that fell back is one request span with an attempt span per upstream call."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from adapters.system import SystemClock
from adapters.telemetry.tracing import TracingObserver, provider_for, tracing_configured
from core.domain.failures import ErrorClass
from tests.fakes.providers import answer, failure
from tests.ops.gateway import served

pytestmark = pytest.mark.anyio


async def test_a_fallback_shows_the_failed_attempt_and_the_one_that_served() -> None:
    exporter = InMemorySpanExporter()
    tracer = TracingObserver(provider_for(exporter, batch=False), SystemClock())
    async with served(observer=tracer) as gw:
        gw.endpoint("chat", "a", fallbacks=["b"])
        gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 503))
        gw.provider.then("b", answer("b", "from b"))
        response = await gw.chat("chat")

    spans = exporter.get_finished_spans()
    (request,) = [s for s in spans if s.kind is SpanKind.SERVER]
    attempts = sorted((s for s in spans if s.kind is SpanKind.CLIENT), key=lambda s: s.start_time or 0)
    assert request.name == "invoke chat"
    assert request.attributes is not None
    assert request.attributes["switchboard.request_id"] == response.headers["x-request-id"]
    assert request.attributes["switchboard.model_definition"] == "b"
    assert request.attributes["switchboard.fallback"] is True
    assert request.attributes["switchboard.attempts"] == 2
    assert [a.name for a in attempts] == ["attempt a", "attempt b"]
    failed, ok = attempts
    assert failed.parent is not None and failed.parent.span_id == request.context.span_id
    assert ok.parent is not None and ok.parent.span_id == request.context.span_id
    assert failed.status.status_code is StatusCode.ERROR
    assert dict(failed.attributes or {})["switchboard.outcome"] == "server_error"
    assert dict(failed.attributes or {})["http.response.status_code"] == 503
    assert dict(ok.attributes or {})["switchboard.outcome"] == "ok"
    assert dict(ok.attributes or {})["gen_ai.system"] == "scripted"
    assert dict(ok.attributes or {})["gen_ai.usage.output_tokens"] == 2
    assert request.start_time is not None and request.end_time is not None
    for attempt in attempts:
        assert attempt.start_time is not None and attempt.end_time is not None
        assert request.start_time <= attempt.start_time <= attempt.end_time <= request.end_time


def test_tracing_is_on_only_when_an_exporter_endpoint_is_set() -> None:
    assert not tracing_configured({})
    assert tracing_configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing_configured({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"})
    disabled = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}
    assert not tracing_configured(disabled)
