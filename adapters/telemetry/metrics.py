"""Prometheus metrics of the hot path, correct over several worker processes.

With `PROMETHEUS_MULTIPROC_DIR` set before prometheus-client is first imported (`switchboard
serve` does this), every worker writes its values to files in that directory and a scrape of
any worker aggregates them all. Without it, one process's values are kept in memory.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from core.domain.limits import Refusal
from core.domain.model_definition import ModelDefinition
from ports.telemetry import ObservedRequest

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds. Latency spans fast mocks to slow completions; overhead is the gateway's own time.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1)
REFUSED = ""  # endpoint and model label of a request refused before it named a known endpoint


class _Families:
    """The metric families, registered in one registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "switchboard_requests",
            "Invocation requests answered, by endpoint, served model definition and HTTP status.",
            ["endpoint", "model_definition", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "switchboard_request_duration_seconds",
            "Wall time of an invocation request, from arrival to the last byte accounted.",
            ["endpoint", "model_definition"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.overhead = Histogram(
            "switchboard_overhead_seconds",
            "The gateway's own time per request: wall time minus time waiting on upstreams.",
            ["endpoint"],
            buckets=OVERHEAD_BUCKETS,
            registry=registry,
        )
        self.upstream = Histogram(
            "switchboard_upstream_duration_seconds",
            "Time waiting on one upstream call (one attempt), by model definition and provider.",
            ["model_definition", "provider"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.attempts = Counter(
            "switchboard_attempts",
            "Upstream calls, by endpoint, model definition, provider and outcome (ok or error class).",
            ["endpoint", "model_definition", "provider", "outcome"],
            registry=registry,
        )
        self.fallbacks = Counter(
            "switchboard_fallbacks",
            "Requests served by a model definition other than the first one planned.",
            ["endpoint", "model_definition"],
            registry=registry,
        )
        self.tokens_in = Counter(
            "switchboard_tokens_in",
            "Prompt (input) tokens reported by providers.",
            ["endpoint", "model_definition"],
            registry=registry,
        )
        self.tokens_out = Counter(
            "switchboard_tokens_out",
            "Completion (output) tokens reported by providers.",
            ["endpoint", "model_definition"],
            registry=registry,
        )
        self.limit_rejections = Counter(
            "switchboard_limit_rejections",
            "Requests refused with 429 by a limit rule, before any provider call.",
            ["endpoint", "key", "period", "resource"],
            registry=registry,
        )
        self.circuit_open = Gauge(
            "switchboard_circuit_open",
            "1 while a model definition's circuit breaker is open in any live worker, else 0.",
            ["model_definition"],
            registry=registry,
            multiprocess_mode="livemax",
        )


class PrometheusObserver:
    """Counts every finished request into the metric families (the RequestObserver port).

    Labelled children are cached per label tuple: prometheus-client's `labels()` validates and
    locks on every call, which the hot path should not pay for.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._m = _Families(self.registry)
        self._per_model: dict[tuple[str, str, int], tuple[Any, ...]] = {}
        self._per_attempt: dict[tuple[str, str, str, str], tuple[Any, Any]] = {}

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        endpoint = request.endpoint.name
        served = request.served
        model = served.name if served is not None else ""
        status = request.status
        requests, latency, overhead, fallbacks, tokens_in, tokens_out = self._model_children(
            endpoint, model, status
        )
        requests.inc()
        elapsed = finished - request.started
        latency.observe(elapsed)
        overhead.observe(max(0.0, elapsed - request.upstream_s))
        for attempt in request.attempts:
            error = attempt.error_class
            outcome = "ok" if error is None else error.value
            counter, histogram = self._attempt_children(
                endpoint, attempt.model_definition, attempt.provider, outcome
            )
            counter.inc()
            if attempt.duration_s:
                histogram.observe(attempt.duration_s)
        if request.fell_back:
            fallbacks.inc()
        usage = request.usage
        if usage.prompt_tokens:
            tokens_in.inc(usage.prompt_tokens)
        if usage.completion_tokens:
            tokens_out.inc(usage.completion_tokens)

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        # Never label by the name the caller sent: an unknown endpoint name is unbounded input.
        self._model_children(REFUSED, REFUSED, status)[0].inc()

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        rule = refusal.rule
        self._m.limit_rejections.labels(
            request.endpoint.name, rule.key.value, rule.renewal_period.value, refusal.resource.value
        ).inc()

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        self._m.circuit_open.labels(model.name).set(1 if is_open else 0)

    def _model_children(self, endpoint: str, model: str, status: int) -> tuple[Any, ...]:
        key = (endpoint, model, status)
        children = self._per_model.get(key)
        if children is None:
            m = self._m
            children = (
                m.requests.labels(endpoint, model, str(status)),
                m.latency.labels(endpoint, model),
                m.overhead.labels(endpoint),
                m.fallbacks.labels(endpoint, model),
                m.tokens_in.labels(endpoint, model),
                m.tokens_out.labels(endpoint, model),
            )
            self._per_model[key] = children
        return children

    def _attempt_children(self, endpoint: str, model: str, provider: str, outcome: str) -> tuple[Any, Any]:
        key = (endpoint, model, provider, outcome)
        children = self._per_attempt.get(key)
        if children is None:
            children = (
                self._m.attempts.labels(endpoint, model, provider, outcome),
                self._m.upstream.labels(model, provider),
            )
            self._per_attempt[key] = children
        return children


class PrometheusExposition:
    """The text exposition format: every worker's values in multiprocess mode, else this one's."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, observer: PrometheusObserver, requires_admin: bool = False) -> None:
        self._registry = observer.registry
        self.requires_admin = requires_admin

    def render(self) -> bytes:
        directory = os.environ.get(MULTIPROC_ENV)
        if not directory:
            return generate_latest(self._registry)
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
