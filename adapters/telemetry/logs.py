"""Structured logs: one JSON object per line on stderr, with secrets redacted as a safety net.

Every request the data plane answers gets one `switchboard.requests` line (request id,
endpoint, model definition, attempts, status, latency); admin API requests get one
`switchboard.access` line. Code never logs a key or a secret value; the redactor is the
second line of defence, for a message that quotes a header or an upstream error by mistake.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import time
from collections.abc import Iterable
from typing import IO, Any

import msgspec

from core.domain.limits import Refusal
from core.domain.model_definition import ModelDefinition
from ports.telemetry import ObservedRequest

REQUESTS_LOGGER = "switchboard.requests"
REDACTED = "[REDACTED]"
FIELDS_ATTR = "_event_fields"  # a record's structured fields, set by event_record()

# Gateway keys (sb-…), OpenAI-style provider keys (sk-…), bearer tokens and basic credentials.
_SECRET_PATTERNS = (
    r"\bsb-[A-Za-z0-9_\-]{8,}",
    r"\bsk-[A-Za-z0-9_\-]{8,}",
    r"\b(?:bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}",
    # A header or field by name, quoted or not, also as JSON-escaped quotes (the scan runs on the
    # encoded line) and in a Python repr's single quotes; its value, with any scheme word.
    r"((?:\\?[\"'])?(?:authorization|x-api-key|api-key|api_key|x-goog-api-key)(?:\\?[\"'])?\s*[:=]\s*"
    r"(?:\\?[\"'])?)(?:(?:bearer|basic)\s+)?[^\s\"',}\\]+",
)
# Attributes every LogRecord has; anything else was passed in `extra` and becomes a JSON field.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's copy of its message with terminal colour codes
}


class Redactor:
    """Replaces known secret values and anything shaped like a key or credential."""

    def __init__(self, known_values: Iterable[str] = ()) -> None:
        self._known: set[str] = set()
        self._pattern = re.compile("|".join(_SECRET_PATTERNS), re.IGNORECASE)
        for value in known_values:
            self.add(value)

    def add(self, value: str | None) -> None:
        """Never let this exact value through (e.g. the KEK passphrase); short values are ignored."""
        if value and len(value) >= 6:
            self._known.add(value)
            # Lines are scanned once JSON-encoded, where a quote or backslash in it is escaped.
            self._known.add(_encoder.encode(value).decode()[1:-1])

    def __call__(self, text: str) -> str:
        for value in self._known:
            if value in text:
                text = text.replace(value, REDACTED)
        if _may_hold_a_credential(text.lower()):
            return self._pattern.sub(_redact_match, text)
        return text


def _may_hold_a_credential(lowered: str) -> bool:
    """Whether any pattern could match: the scan costs ten times these substring checks."""
    return (
        "sb-" in lowered
        or "sk-" in lowered
        or "bearer" in lowered
        or "basic" in lowered
        or "authorization" in lowered
        or "api-key" in lowered
        or "api_key" in lowered
    )


def _redact_match(match: re.Match[str]) -> str:
    prefix = match.group(1)
    return (prefix or "") + REDACTED


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the `extra` fields, exception."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self._redact = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _iso_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = record.__dict__.get(FIELDS_ATTR)
        if fields is not None:  # our own event records: the fields are known, skip the scan
            entry.update(fields)
        else:
            for key, value in record.__dict__.items():
                if key not in _STANDARD_ATTRS and not key.startswith("_"):
                    entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._redact(_encoder.encode(entry).decode())


_encoder = msgspec.json.Encoder(enc_hook=str)


@functools.lru_cache(maxsize=4)
def _iso_second(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def _iso_time(created: float) -> str:
    seconds = int(created)
    return f"{_iso_second(seconds)}.{int((created - seconds) * 1000):03d}Z"


def event_record(name: str, level: int, message: str, fields: dict[str, Any]) -> logging.LogRecord:
    """A record of one event with structured fields, without logging's caller lookup (a stack walk).

    Hand it to `logger.handle`. Formatters other than JsonFormatter still see the fields as
    attributes, as with `extra=`.
    """
    record = logging.LogRecord(name, level, "", 0, message, None, None)
    record.__dict__.update(fields)
    record.__dict__[FIELDS_ATTR] = fields
    return record


class StderrHandler(logging.StreamHandler[IO[str]]):
    """Writes to whatever `sys.stderr` is now (test runners and CLIs swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        return None


def configure_logging(level: str, redactor: Redactor | None = None) -> logging.Handler:
    """JSON lines on stderr at `level` for the whole process; calling again replaces the handler."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if isinstance(existing, StderrHandler):
            root.removeHandler(existing)
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter(redactor))
    root.addHandler(handler)
    # The JSON lines carry no thread or process fields: don't pay for looking them up per record.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    root.setLevel(numeric)
    # Alembic narrates every schema check at INFO, and /ready checks the schema on each probe.
    logging.getLogger("alembic").setLevel(max(numeric, logging.WARNING))
    return handler


class LogObserver:
    """One `switchboard.requests` line per request (the RequestObserver port); nothing when INFO is off."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger(REQUESTS_LOGGER)

    def request_finished(self, request: ObservedRequest, finished: float) -> None:
        if not self._log.isEnabledFor(logging.INFO):
            return
        served = request.served
        attempts = request.attempts
        usage = request.usage
        fields: dict[str, Any] = {
            "request_id": request.request_id,
            "endpoint": request.endpoint.name,
            "model_definition": served.name if served is not None else None,
            "attempts": len(attempts),
            "status": request.status,
            "fallback": request.fell_back,
            "latency_ms": round((finished - request.started) * 1000, 2),
            "upstream_ms": round(request.upstream_s * 1000, 2),
            "tokens_in": usage.prompt_tokens,
            "tokens_out": usage.completion_tokens,
            "principal": request.principal.name,
        }
        if len(attempts) > 1 or request.status >= 400:
            fields["tried"] = [a.describe() for a in attempts]
        self._emit("request", fields)

    def request_refused(self, request_id: str, route: str, status: int, latency_s: float) -> None:
        if not self._log.isEnabledFor(logging.INFO):
            return
        fields = {
            "request_id": request_id,
            "endpoint": route[:200] or None,
            "attempts": 0,
            "status": status,
            "latency_ms": round(latency_s * 1000, 2),
        }
        self._emit("request refused", fields)

    def _emit(self, message: str, fields: dict[str, Any]) -> None:
        self._log.handle(event_record(self._log.name, logging.INFO, message, fields))

    def limit_rejected(self, request: ObservedRequest, refusal: Refusal) -> None:
        if self._log.isEnabledFor(logging.DEBUG):
            self._log.debug(
                "limit reached",
                extra={"request_id": request.request_id, "rule": refusal.rule.describe()},
            )

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        if self._log.isEnabledFor(logging.INFO):
            state = "open" if is_open else "closed"
            self._log.info("circuit breaker", extra={"model_definition": model.name, "state": state})
