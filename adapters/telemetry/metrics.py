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

    The hot path only adds to plain Python lists (one per label combination, no lock); a
    background thread writes what changed since its last pass to prometheus-client once a
    second, and a scrape does so for its own worker first. Written directly, each of a
    request's ten increments would cost a lock, a label lookup and (in multiprocess mode) an
    mmap write. The event loop is the only writer of a slot, the flusher only reads it, and it
    sends differences, so nothing is lost or counted twice.
    """

    def __init__(self, registry: CollectorRegistry | None = None, flush_every_s: float = 1.0) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._m = _Families(self.registry)
        self._requests: dict[tuple[str, str, int], _Slot] = {}
        self._attempts: dict[tuple[str, str, str, str], _Slot] = {}
        self._flush_lock = threading.Lock()
        self._flush_every_s = flush_every_s
        self._flusher: threading.Thread | None = None
        # `serve` builds services before granian forks its workers: start afresh in each child.
        os.register_at_fork(after_in_child=partial(_after_fork, weakref.ref(self)))

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        if self._flusher is None:
            self._start_flusher()
        served = request.served
        endpoint = request.endpoint.name
        key = (endpoint, served.name if served is not None else "", request.status)
        slot = self._requests.get(key) or self._request_slot(key)
        v = slot.values
        elapsed = finished - request.started
        v[_REQUESTS] += 1
        v[_LATENCY + bisect_left(LATENCY_BUCKETS, elapsed)] += 1
        v[_LATENCY_SUM] += elapsed
        overhead = request.overhead_s(finished)
        v[_OVERHEAD + bisect_left(OVERHEAD_BUCKETS, overhead)] += 1
        v[_OVERHEAD_SUM] += overhead
        if request.fell_back:
            v[_FALLBACKS] += 1
        usage = request.usage
        v[_TOKENS_IN] += usage.prompt_tokens
        v[_TOKENS_OUT] += usage.completion_tokens
        for a in request.attempts:
            error = a.error_class
            akey = (endpoint, a.model_definition, a.provider, "ok" if error is None else error.value)
            av = (self._attempts.get(akey) or self._attempt_slot(akey)).values
            av[0] += 1
            if a.duration_s:
                av[1 + bisect_left(LATENCY_BUCKETS, a.duration_s)] += 1
                av[-1] += a.duration_s

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        if self._flusher is None:
            self._start_flusher()
        # Never label by the name the caller sent: an unknown endpoint name is unbounded input.
        key = (REFUSED, REFUSED, status)
        (self._requests.get(key) or self._request_slot(key)).values[_REQUESTS] += 1

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        rule = refusal.rule
        self._m.limit_rejections.labels(
            request.endpoint.name, rule.key.value, rule.renewal_period.value, refusal.resource.value
        ).inc()

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        self._m.circuit_open.labels(model.name).set(1 if is_open else 0)

    def flush(self) -> None:
        """Write what the hot path has added since the last flush into prometheus-client."""
        with self._flush_lock:  # the background pass and a scrape may flush at once
            for slot in [*self._requests.values(), *self._attempts.values()]:
                slot.flush()

    def _request_slot(self, key: tuple[str, str, int]) -> _Slot:
        endpoint, model, status = key
        m = self._m
        latency = m.latency.labels(endpoint, model)
        overhead = m.overhead.labels(endpoint)
        targets = [
            m.requests.labels(endpoint, model, str(status)),
            m.fallbacks.labels(endpoint, model),
            m.tokens_in.labels(endpoint, model),
            m.tokens_out.labels(endpoint, model),
            *latency._buckets,
            latency._sum,
            *overhead._buckets,
            overhead._sum,
        ]
        slot = self._requests[key] = _Slot(targets)
        return slot

    def _attempt_slot(self, key: tuple[str, str, str, str]) -> _Slot:
        endpoint, model, provider, outcome = key
        upstream = self._m.upstream.labels(model, provider)
        targets = [
            self._m.attempts.labels(endpoint, model, provider, outcome),
            *upstream._buckets,
            upstream._sum,
        ]
        slot = self._attempts[key] = _Slot(targets)
        return slot

    def _start_flusher(self) -> None:
        args = (weakref.ref(self), self._flush_every_s)
        self._flusher = threading.Thread(target=_flush_forever, args=args, name="metrics", daemon=True)
        self._flusher.start()

    def _forget_parent(self) -> None:
        """In a forked child: the parent's thread is gone, and its unflushed sums are its own."""
        self._requests, self._attempts = {}, {}
        self._flush_lock = threading.Lock()
        self._flusher = None


# Where each value sits in a request slot. prometheus-client keeps one (non-cumulative) value
# per histogram bucket, the last one +Inf, and the sum; bisect_left finds a value's bucket.
_REQUESTS, _FALLBACKS, _TOKENS_IN, _TOKENS_OUT = 0, 1, 2, 3
_LATENCY = 4
_LATENCY_SUM = _LATENCY + len(LATENCY_BUCKETS) + 1
_OVERHEAD = _LATENCY_SUM + 1
_OVERHEAD_SUM = _OVERHEAD + len(OVERHEAD_BUCKETS) + 1


class _Slot:
    """Running totals for one label combination, and what of them prometheus-client has seen."""

    __slots__ = ("flushed", "targets", "values")

    def __init__(self, targets: list[Any]) -> None:
        self.targets = targets  # each has .inc(amount): a counter child, a bucket or a sum value
        self.values = [0.0] * len(targets)
        self.flushed = [0.0] * len(targets)

    def flush(self) -> None:
        values, flushed = self.values, self.flushed
        for i, target in enumerate(self.targets):
            total = values[i]
            if total != flushed[i]:
                target.inc(total - flushed[i])
                flushed[i] = total


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
