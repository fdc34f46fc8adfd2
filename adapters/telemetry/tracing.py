"""OpenTelemetry traces: one span per request with one child span per upstream attempt.

Spans are built when the request finishes, from the timings the core recorded, so the hot path
never enters or leaves a span context; a BatchSpanProcessor exports them in the background.
Configured only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-specific variable) is set;
the exporter reads the other standard `OTEL_*` variables itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, set_span_in_context

from core.domain.limits import Refusal
from core.domain.model_definition import ModelDefinition
from ports.clock import Clock
from ports.telemetry import ObservedRequest

ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
SERVICE_NAME = "switchboard"


def tracing_configured(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return any(env.get(name) for name in ENDPOINT_VARS) and env.get("OTEL_SDK_DISABLED") != "true"


def otlp_provider() -> TracerProvider:
    """A provider exporting over OTLP/HTTP in background batches (OTEL_* variables apply)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return provider_for(OTLPSpanExporter())


def provider_for(exporter: SpanExporter, batch: bool = True) -> TracerProvider:
    # Resource.create merges OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES over our default name.
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    if batch:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


class TracingObserver:
    """Turns each finished request into a request span and its attempt spans (RequestObserver port)."""

    def __init__(self, provider: TracerProvider, clock: Clock) -> None:
        self.provider = provider
        self._tracer: Tracer = provider.get_tracer("switchboard.invocation")
        self._clock = clock

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        to_ns = self._epoch_ns_converter()
        served = request.served
        usage = request.usage
        endpoint = request.endpoint.name
        span = self._tracer.start_span(
            f"invoke {endpoint}",
            kind=SpanKind.SERVER,
            start_time=to_ns(request.started),
            attributes={
                "switchboard.request_id": request.request_id,
                "switchboard.endpoint": endpoint,
                "switchboard.model_definition": served.name if served is not None else "",
                "switchboard.attempts": len(request.attempts),
                "switchboard.fallback": request.fell_back,
                "http.response.status_code": request.status,
                "gen_ai.usage.input_tokens": usage.prompt_tokens,
                "gen_ai.usage.output_tokens": usage.completion_tokens,
            },
        )
        if request.status >= 500:
            span.set_status(Status(StatusCode.ERROR))
        parent = set_span_in_context(span)
        last_ok = _last_success(request)
        for index, attempt in enumerate(request.attempts):
            started = attempt.started or finished
            error = attempt.error_class
            child = self._tracer.start_span(
                f"attempt {attempt.model_definition}",
                context=parent,
                kind=SpanKind.CLIENT,
                start_time=to_ns(started),
                attributes={
                    "switchboard.attempt": index + 1,
                    "switchboard.model_definition": attempt.model_definition,
                    "gen_ai.system": attempt.provider,
                    "switchboard.outcome": "ok" if error is None else error.value,
                },
            )
            if attempt.status is not None:
                child.set_attribute("http.response.status_code", attempt.status)
            if error is not None:
                child.set_status(Status(StatusCode.ERROR, error.value))
            elif index == last_ok:
                child.set_attribute("gen_ai.usage.input_tokens", usage.prompt_tokens)
                child.set_attribute("gen_ai.usage.output_tokens", usage.completion_tokens)
            child.end(end_time=to_ns(started + attempt.duration_s))
        span.end(end_time=to_ns(finished))

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        return None

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        return None  # the request span (status 429) follows from request_finished

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        return None

    def shutdown(self) -> None:
        """Export what is queued, then stop the background exporter."""
        self.provider.shutdown()

    def _epoch_ns_converter(self) -> _ToEpochNs:
        return _ToEpochNs(time.time_ns() - int(self._clock.monotonic() * 1e9))


class _ToEpochNs:
    """Maps the core clock's monotonic seconds onto epoch nanoseconds, as spans need."""

    __slots__ = ("_offset",)

    def __init__(self, offset_ns: int) -> None:
        self._offset = offset_ns

    def __call__(self, monotonic_s: float) -> int:
        return self._offset + int(monotonic_s * 1e9)


def _last_success(request: ObservedRequest) -> int:
    for index in range(len(request.attempts) - 1, -1, -1):
        if request.attempts[index].error_class is None:
            return index
    return -1
