"""The served gateway app in process: in-memory store, scripted providers, one admin key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from apps.bootstrap import Services, build_in_memory
from apps.http.asgi import create_gateway
from core.domain.endpoint import FallbackConfig, LinkageType, RetryPolicy
from core.domain.limits import LimitRule
from core.services.endpoints import EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionSpec
from tests.fakes.providers import FakeRegistry, ScriptedProvider

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


@dataclass
class Served:
    services: Services
    provider: ScriptedProvider
    client: httpx.AsyncClient
    key: str
    models: dict[str, str] = field(default_factory=dict)

    def endpoint(
        self, name: str, primary: str, fallbacks: Sequence[str] = (), limits: Sequence[LimitRule] = ()
    ) -> None:
        """An endpoint over scripted models named after their provider model names."""
        ids = [self._model(m) for m in (primary, *fallbacks)]
        mappings = [MappingSpec(model_definition_id=ids[0])] + [
            MappingSpec(model_definition_id=i, linkage_type=LinkageType.FALLBACK, fallback_order=n)
            for n, i in enumerate(ids[1:], start=1)
        ]
        endpoint = self.services.endpoints.create(
            EndpointSpec(
                name=name,
                model_mappings=mappings,
                fallback_config=FallbackConfig(max_attempts=len(ids)) if fallbacks else None,
                retry_policy=RetryPolicy(max_retries=0),
            )
        )
        if limits:
            self.services.limits.put(endpoint.endpoint_id, limits)
        self.services.config.reload()

    async def chat(self, endpoint: str, **headers: str) -> httpx.Response:
        body = {"model": endpoint, **CHAT}
        return await self.client.post("/v1/chat/completions", json=body, headers=headers)

    def _model(self, name: str) -> str:
        if name not in self.models:
            spec = ModelDefinitionSpec(name=name, provider="scripted", model_name=name)
            self.models[name] = self.services.model_definitions.create(spec).model_definition_id
        return self.models[name]


@asynccontextmanager
async def served(**overrides: Any) -> AsyncIterator[Served]:
    provider = ScriptedProvider()
    services = build_in_memory(providers=FakeRegistry(scripted=provider), **overrides)
    _, key = services.keys.create("ops-admin", "admin")
    services.config.reload()
    app = create_gateway(services)
    transport = httpx.ASGITransport(app=app)
    headers = {"authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://gw", headers=headers) as client:
        yield Served(services, provider, client, key)
