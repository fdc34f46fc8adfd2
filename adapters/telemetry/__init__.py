"""Telemetry adapters: structured logs (here), Prometheus metrics and OpenTelemetry traces.

`metrics` and `tracing` import their libraries, so the composition root imports them only when
they are used (prometheus-client must see PROMETHEUS_MULTIPROC_DIR before its first import).
"""

from adapters.telemetry.composite import CompositeObserver, combine
from adapters.telemetry.logs import JsonFormatter, LogObserver, Redactor, configure_logging

__all__ = ["CompositeObserver", "JsonFormatter", "LogObserver", "Redactor", "combine", "configure_logging"]
