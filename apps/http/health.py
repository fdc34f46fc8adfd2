"""Operations endpoints, unauthenticated: /health (liveness), /ready (readiness), /metrics.

They tell a caller no more than a load balancer or a scraper needs; why a process is not ready
goes to the log, never into the response.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException

from apps.bootstrap import readiness_problems
from apps.http.auth import authenticate
from apps.http.dependencies import services_in
from core.domain.errors import PermissionDenied

log = logging.getLogger(__name__)

READY = {"status": "ready"}
NOT_READY = {"status": "not ready"}


@get("/health", sync_to_thread=False, tags=["operations"])
def health() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@get("/ready", sync_to_thread=True, tags=["operations"])
def ready(state: State) -> Response[dict[str, str]]:
    """200 when the database answers with a current schema, the passphrase verifies, Redis answers."""
    problems = readiness_problems(services_in(state))
    if problems:
        log.warning("not ready: %s", "; ".join(problems))
        return Response(NOT_READY, status_code=503)
    return Response(READY)


@get("/metrics", sync_to_thread=True, tags=["operations"], include_in_schema=False)
def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    """Prometheus text format over every worker of this instance (SWITCHBOARD_METRICS=public|admin|off)."""
    services = services_in(state)
    exposition = services.ports.metrics
    if exposition is None:
        raise NotFoundException()
    if exposition.requires_admin:
        principal = authenticate(services, request.headers.get("authorization"))
        if not principal.is_admin:
            raise PermissionDenied("metrics need an admin key")
    return Response(exposition.render(), media_type=exposition.content_type)


OPERATIONS_HANDLERS = [health, ready, metrics]
