"""The data plane ASGI app: invocation routes served directly, everything else to the admin app.

Invocation is the hot path, so it skips the web framework's per-request machinery: one body
read, one JSON parse, a dict lookup for the route, and the upstream's own bytes passed
through when they are already in OpenAI's shape.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from apps.http.invocation import asgi_io as io
from apps.http.invocation.errors import to_api_error
from apps.http.invocation.mlflow import MlflowRoutes
from apps.http.invocation.parsing import check_payload, decode_object, endpoint_name, operation_from_body
from core.domain.invocation import InvocationFailed
from core.domain.limits import LimitExceeded
from core.services.invocation.outcome import Outcome
from core.services.invocation.service import InvocationRequest, InvocationService
from core.services.invocation.streaming import open_stream
from ports.provider import Operation

Handler = Callable[[io.Scope, io.Receive, io.Send], Awaitable[None]]

_OPENAI_ROUTES = {
    "/v1/chat/completions": Operation.CHAT,
    "/v1/completions": Operation.COMPLETIONS,
    "/v1/embeddings": Operation.EMBEDDINGS,
}
_INVOCATION_PREFIXES = ("/endpoints/", "/gateway/")
_INVOCATION_SUFFIX = "/invocations"
# Failures the invocation core has already reported to its observer (it accepted the request).
_OBSERVED_FAILURES = (InvocationFailed, LimitExceeded)


class DataPlane:
    def __init__(self, invocation: InvocationService, admin: io.ASGIApp, max_body_bytes: int) -> None:
        self._svc = invocation
        self._admin = admin
        self._limit = max_body_bytes
        self._mlflow = MlflowRoutes(invocation)

    async def __call__(self, scope: io.Scope, receive: io.Receive, send: io.Send) -> None:
        if scope["type"] == "http":
            handler = self._route(scope["method"], scope["path"])
            if handler is not None:
                await handler(scope, receive, send)
                return
        await self._admin(scope, receive, send)

    def _route(self, method: str, path: str) -> Handler | None:
        if method == "POST":
            operation = _OPENAI_ROUTES.get(path)
            if operation is not None:
                return partial(self._invoke, operation=operation, name=None)
            if path.startswith(_INVOCATION_PREFIXES) and path.endswith(_INVOCATION_SUFFIX):
                name = path.split("/", 2)[2][: -len(_INVOCATION_SUFFIX)]
                return partial(self._invoke, operation=None, name=name)
        elif method == "GET":
            if path == "/v1/models":
                return self._models
            return self._mlflow.route(path)
        return None

    async def _invoke(
        self,
        scope: io.Scope,
        receive: io.Receive,
        send: io.Send,
        *,
        operation: Operation | None,
        name: str | None,
    ) -> None:
        started = time.perf_counter()
        request_id = self._svc.new_request_id()
        id_header = [(b"x-request-id", request_id.encode())]
        try:
            principal = self._svc.authenticate(io.bearer_token(scope))
            payload = decode_object(await io.read_body(scope, receive, self._limit))
            operation = operation or operation_from_body(payload)
            check_payload(operation, payload)
            name = name or endpoint_name(payload)
            request = InvocationRequest(principal, name, operation, payload, request_id)
            if payload.get("stream") is True:
                session = await open_stream(self._svc, request)
                headers = _outcome_headers(session.outcome, started) + id_header
                await io.send_stream(send, session.events(), headers)
                return
            response, outcome = await self._svc.call(request)
        except Exception as exc:  # every failure becomes one clear answer, never a trace
            error = to_api_error(exc)
            if not isinstance(exc, _OBSERVED_FAILURES):
                latency_s = time.perf_counter() - started
                self._svc.observer.request_refused(request_id, name or "", error.status, latency_s)
            await io.send_error(send, error, id_header + _attempts_header(exc))
            return
        body = response.raw if response.raw is not None else dict(response.body)
        try:
            await io.send_json(send, 200, body, _outcome_headers(outcome, started) + id_header)
        finally:  # accounted after the answer is out, even when the caller has gone
            await self._svc.settle(outcome)

    async def _models(self, scope: io.Scope, receive: io.Receive, send: io.Send) -> None:
        try:
            principal = self._svc.authenticate(io.bearer_token(scope))
        except Exception as exc:
            await io.send_error(send, to_api_error(exc))
            return
        data: list[dict[str, Any]] = [
            {
                "id": e.name,
                "object": "model",
                "created": e.audit.created_at // 1000,
                "owned_by": "switchboard",
            }
            for e in self._svc.visible_endpoints(principal)
        ]
        await io.send_json(send, 200, {"object": "list", "data": data})


def _attempts_header(exc: Exception) -> io.Headers:
    """A request that failed after reaching upstreams still says how many calls it made."""
    if isinstance(exc, InvocationFailed):
        return [(b"x-switchboard-attempts", str(len(exc.attempts)).encode())]
    return []


def _outcome_headers(outcome: Outcome, started: float) -> io.Headers:
    served = outcome.served
    # From before the body was read and parsed, which precedes the outcome's own start.
    overhead_ms = max(0.0, (time.perf_counter() - started - outcome.upstream_s) * 1000)
    headers = [
        (b"x-switchboard-attempts", str(len(outcome.attempts)).encode()),
        (b"x-switchboard-overhead-ms", f"{overhead_ms:.2f}".encode()),
    ]
    if served is not None:
        headers.append((b"x-switchboard-model-definition", served.name.encode()))
    return headers
