"""MLflow deployments-client routes: endpoint listings in the exact shape its client parses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from apps.http.invocation import asgi_io as io
from apps.http.invocation.errors import to_api_error
from core.domain.endpoint import Endpoint
from core.domain.page import PageRequest, paginate
from core.services.invocation.service import InvocationService

Handler = Callable[[io.Scope, io.Receive, io.Send], Awaitable[None]]

_ENDPOINTS = "/api/2.0/endpoints/"
_ROUTES = "/api/2.0/gateway/routes/"
_LIMITS = "/api/2.0/gateway/limits/"


class MlflowRoutes:
    def __init__(self, invocation: InvocationService) -> None:
        self._svc = invocation

    def route(self, path: str) -> Handler | None:
        for base, prefix in ((_ENDPOINTS, "/endpoints/"), (_ROUTES, "/gateway/")):
            if path == base or path == base.rstrip("/"):
                return partial(self._list, prefix=prefix)
            if path.startswith(base):
                name = path[len(base) :].strip("/")
                return partial(self._get, name=name, prefix=prefix)
        if path.startswith(_LIMITS):
            name = path[len(_LIMITS) :].strip("/")
            return partial(self._limits, name=name)
        return None

    async def _list(self, scope: io.Scope, receive: io.Receive, send: io.Send, *, prefix: str) -> None:
        try:
            principal = self._svc.authenticate(io.bearer_token(scope))
            query = parse_qs(scope.get("query_string", b"").decode())
            token = query.get("page_token", [None])[0]
            page = paginate(self._svc.visible_endpoints(principal), PageRequest.parse(None, token))
        except Exception as exc:
            await io.send_error(send, to_api_error(exc))
            return
        key = "endpoints" if prefix == "/endpoints/" else "routes"
        views = [self._view(e, prefix) for e in page.items]
        await io.send_json(send, 200, {key: views, "next_page_token": page.next_page_token})

    async def _get(
        self, scope: io.Scope, receive: io.Receive, send: io.Send, *, name: str, prefix: str
    ) -> None:
        try:
            principal = self._svc.authenticate(io.bearer_token(scope))
            endpoint = self._svc.resolve(principal, name)
        except Exception as exc:
            await io.send_error(send, to_api_error(exc))
            return
        await io.send_json(send, 200, self._view(endpoint, prefix))

    async def _limits(self, scope: io.Scope, receive: io.Receive, send: io.Send, *, name: str) -> None:
        try:
            principal = self._svc.authenticate(io.bearer_token(scope))
            endpoint = self._svc.resolve(principal, name)
        except Exception as exc:
            await io.send_error(send, to_api_error(exc))
            return
        rules = self._svc.config.current.limits.get(endpoint.endpoint_id, ())
        limits = [
            {"calls": r.calls, "key": r.key.value, "renewal_period": r.renewal_period.value} for r in rules
        ]
        await io.send_json(send, 200, {"limits": limits})

    def _view(self, endpoint: Endpoint, prefix: str) -> dict[str, Any]:
        primary = max(endpoint.primaries, key=lambda m: m.weight).model_definition
        rules = self._svc.config.current.limits.get(endpoint.endpoint_id, ())
        limit = None
        if rules:
            first = rules[0]
            limit = {
                "calls": first.calls,
                "key": first.key.value,
                "renewal_period": first.renewal_period.value,
            }
        view: dict[str, Any] = {
            "name": endpoint.name,
            "endpoint_type": "llm/v1/chat",
            "model": {"name": primary.model_name, "provider": primary.provider},
            "limit": limit,
        }
        if prefix == "/endpoints/":
            view["endpoint_url"] = f"/endpoints/{endpoint.name}/invocations"
        else:
            view["route_type"] = "llm/v1/chat"
            view["route_url"] = f"/gateway/{endpoint.name}/invocations"
        return view
