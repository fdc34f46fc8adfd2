"""Prometheus metrics of the hot path, correct over several worker processes.

With `PROMETHEUS_MULTIPROC_DIR` set before prometheus-client is first imported (`switchboard
serve` does this), every worker writes its values to files in that directory and a scrape of
any worker aggregates them all. Without it, one process's values are kept in memory.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from bisect import bisect_left
from functools import partial
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from core.domain.limits import Refusal
from core.domain.model_definition import ModelDefinition
from ports.telemetry import ObservedRequest

log = logging.getLogger(__name__)

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

    The hot path only adds to plain dicts under an uncontended lock (about a microsecond); a
    background thread writes the sums to prometheus-client once a second, and a scrape flushes
    its own worker first. Written directly, each of a request's ten increments would cost a
    lock, a label lookup and (in multiprocess mode) an mmap write.
    """

    def __init__(self, registry: CollectorRegistry | None = None, flush_every_s: float = 1.0) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._m = _Families(self.registry)
        self._per_model: dict[tuple[str, str, int], tuple[Any, ...]] = {}
        self._per_attempt: dict[tuple[str, str, str, str], tuple[Any, Any]] = {}
        self._lock = threading.Lock()
        self._counts: dict[Any, float] = {}
        self._histograms: dict[Any, list[float]] = {}
        self._flush_every_s = flush_every_s
        self._flusher: threading.Thread | None = None
        # `serve` builds services before granian forks its workers: start afresh in each child.
        os.register_at_fork(after_in_child=partial(_after_fork, weakref.ref(self)))

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        served = request.served
        requests, latency, overhead, fallbacks, tokens_in, tokens_out = self._model_children(
            request.endpoint.name, served.name if served is not None else "", request.status
        )
        elapsed = finished - request.started
        usage = request.usage
        endpoint = request.endpoint.name
        self._ensure_flusher()
        with self._lock:
            counts, histograms = self._counts, self._histograms
            counts[requests] = counts.get(requests, 0) + 1
            _observe(histograms, latency, elapsed)
            _observe(histograms, overhead, max(0.0, elapsed - request.upstream_s))
            for a in request.attempts:
                outcome = "ok" if a.error_class is None else a.error_class.value
                counter, histogram = self._attempt_children(endpoint, a.model_definition, a.provider, outcome)
                counts[counter] = counts.get(counter, 0) + 1
                if a.duration_s:
                    _observe(histograms, histogram, a.duration_s)
            if request.fell_back:
                counts[fallbacks] = counts.get(fallbacks, 0) + 1
            if usage.prompt_tokens:
                counts[tokens_in] = counts.get(tokens_in, 0) + usage.prompt_tokens
            if usage.completion_tokens:
                counts[tokens_out] = counts.get(tokens_out, 0) + usage.completion_tokens

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        # Never label by the name the caller sent: an unknown endpoint name is unbounded input.
        requests = self._model_children(REFUSED, REFUSED, status)[0]
        self._ensure_flusher()
        with self._lock:
            self._counts[requests] = self._counts.get(requests, 0) + 1

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        rule = refusal.rule
        self._m.limit_rejections.labels(
            request.endpoint.name, rule.key.value, rule.renewal_period.value, refusal.resource.value
        ).inc()

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        self._m.circuit_open.labels(model.name).set(1 if is_open else 0)

    def flush(self) -> None:
        """Write what the hot path has summed up since the last flush into prometheus-client."""
        with self._lock:
            counts, histograms = self._counts, self._histograms
            self._counts, self._histograms = {}, {}
        for counter, amount in counts.items():
            counter.inc(amount)
        for histogram, sums in histograms.items():
            # prometheus-client keeps one (non-cumulative) value per bucket plus the sum.
            for bucket, count in zip(histogram._buckets, sums, strict=False):
                if count:
                    bucket.inc(count)
            histogram._sum.inc(sums[-1])

    def _ensure_flusher(self) -> None:
        if self._flusher is None:
            args = (weakref.ref(self), self._flush_every_s)
            self._flusher = threading.Thread(target=_flush_forever, args=args, name="metrics", daemon=True)
            self._flusher.start()

    def _forget_parent(self) -> None:
        """In a forked child: the parent's thread is gone, and its unflushed sums are its own."""
        self._lock = threading.Lock()
        self._counts, self._histograms = {}, {}
        self._flusher = None

    def _model_children(self, endpoint: str, model: str, status: int) -> tuple[Any, ...]:
        key = (endpoint, model, status)
        children = self._per_model.get(key)
        if children is None:
            m = self._m
            children = (
                m.requests.labels(endpoint, model, str(status)),
                _Buckets(m.latency.labels(endpoint, model), LATENCY_BUCKETS),
                _Buckets(m.overhead.labels(endpoint), OVERHEAD_BUCKETS),
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
                _Buckets(self._m.upstream.labels(model, provider), LATENCY_BUCKETS),
            )
            self._per_attempt[key] = children
        return children


class _Buckets:
    """A histogram child with its bucket bounds at hand, hashable as a pending-sum key."""

    __slots__ = ("_buckets", "_sum", "bounds", "child")

    def __init__(self, child: Any, bounds: tuple[float, ...]) -> None:
        self.child = child
        self.bounds = bounds
        self._buckets = child._buckets
        self._sum = child._sum


def _observe(pending: dict[Any, list[float]], histogram: _Buckets, value: float) -> None:
    """Add one observation: its bucket's count (the last bucket is +Inf) and the running sum."""
    sums = pending.get(histogram)
    if sums is None:
        sums = pending[histogram] = [0.0] * (len(histogram.bounds) + 2)
    sums[bisect_left(histogram.bounds, value)] += 1
    sums[-1] += value


def _flush_forever(observer: weakref.ref[PrometheusObserver], interval_s: float) -> None:
    """Flush periodically for as long as the observer lives (tests build many)."""
    while True:
        time.sleep(interval_s)
        current = observer()
        if current is None:
            return
        try:
            current.flush()
        except Exception:
            log.exception("writing metrics failed")
        del current


def _after_fork(observer: weakref.ref[PrometheusObserver]) -> None:
    current = observer()
    if current is not None:
        current._forget_parent()


class PrometheusExposition:
    """The text exposition format: every worker's values in multiprocess mode, else this one's."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, observer: PrometheusObserver, requires_admin: bool = False) -> None:
        self._observer = observer
        self._registry = observer.registry
        self.requires_admin = requires_admin

    def render(self) -> bytes:
        self._observer.flush()  # this worker's latest counts; the others' are at most a second old
        directory = os.environ.get(MULTIPROC_ENV)
        if not directory:
            return generate_latest(self._registry)
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
