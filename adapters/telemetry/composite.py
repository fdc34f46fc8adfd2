"""Several observers behind one: metrics, logs and traces each see every event."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.limits import Refusal
from core.domain.model_definition import ModelDefinition
from ports.telemetry import NullObserver, ObservedRequest, RequestObserver


class CompositeObserver:
    """Calls each observer in turn; build it with `combine`, which skips the wrapper for one."""

    def __init__(self, observers: Sequence[RequestObserver]) -> None:
        self._observers = tuple(observers)

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        for observer in self._observers:
            observer.request_finished(request, finished)

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        for observer in self._observers:
            observer.request_refused(request_id, route, status, latency_s)

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        for observer in self._observers:
            observer.limit_rejected(request, refusal)

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        for observer in self._observers:
            observer.breaker_changed(model, is_open)


def combine(*observers: RequestObserver | None) -> RequestObserver:
    """One observer for the present ones: the null observer, the only one, or a composite."""
    present = [o for o in observers if o is not None and not isinstance(o, NullObserver)]
    if not present:
        return NullObserver()
    if len(present) == 1:
        return present[0]
    return CompositeObserver(present)
