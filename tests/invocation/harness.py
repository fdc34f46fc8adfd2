"""An invocation service over the in-memory store with scripted providers and a fake clock."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from adapters.memory import InMemoryStore
from adapters.system import RandomIds
from core.domain.endpoint import FallbackConfig, LinkageType, RetryPolicy
from core.domain.principal import Principal, Role
from core.services.endpoints import EndpointService, EndpointSpec, MappingSpec
from core.services.invocation.service import InvocationRequest, InvocationService
from core.services.invocation.snapshot import ConfigCache
from core.services.model_definitions import ModelDefinitionService, ModelDefinitionSpec
from ports.circuit_breaker import CircuitBreaker
from ports.provider import Operation
from ports.rate_limiter import RateLimiter
from tests.fakes.clock import FakeClock
from tests.fakes.providers import FakeRegistry, ScriptedProvider
from tests.fakes.secrets import DictSecretValues, ListUsageSink

ADMIN = Principal("alice", Role.ADMIN)


@dataclass
class Gateway:
    service: InvocationService
    provider: ScriptedProvider
    clock: FakeClock
    usage: ListUsageSink
    store: InMemoryStore

    def request(self, endpoint: str = "chat", stream: bool = False, **payload: object) -> InvocationRequest:
        body = {"model": endpoint, "messages": [{"role": "user", "content": "hi"}], **payload}
        if stream:
            body["stream"] = True
        return InvocationRequest(ADMIN, endpoint, Operation.CHAT, body, "req-1")


def gateway(
    primaries: Sequence[str] = ("a",),
    fallbacks: Sequence[str] = (),
    max_retries: int = 1,
    supports_prefill: bool = True,
    weights: Sequence[float] | None = None,
    seed: int = 7,
    limiter: RateLimiter | None = None,
    breaker: Callable[[FakeClock], CircuitBreaker] | None = None,
) -> Gateway:
    """An endpoint 'chat' whose model definitions are named after their provider model names."""
    store = InMemoryStore()
    clock = FakeClock()
    ids = RandomIds()
    models = ModelDefinitionService(store.unit_of_work, clock, ids)
    ids_by_name = {
        name: models.create(
            ModelDefinitionSpec(name=name, provider="scripted", model_name=name)
        ).model_definition_id
        for name in (*primaries, *fallbacks)
    }
    mappings = [
        MappingSpec(model_definition_id=ids_by_name[n], weight=(weights or [1.0] * len(primaries))[i])
        for i, n in enumerate(primaries)
    ] + [
        MappingSpec(model_definition_id=ids_by_name[n], linkage_type=LinkageType.FALLBACK, fallback_order=i)
        for i, n in enumerate(fallbacks, start=1)
    ]
    EndpointService(store.unit_of_work, clock, ids).create(
        EndpointSpec(
            name="chat",
            model_mappings=mappings,
            fallback_config=FallbackConfig(max_attempts=1 + len(fallbacks)) if fallbacks else None,
            retry_policy=RetryPolicy(max_retries=max_retries),
        )
    )
    provider = ScriptedProvider(supports_prefill=supports_prefill)
    usage = ListUsageSink()
    service = InvocationService(
        config=ConfigCache(store.unit_of_work),
        providers=FakeRegistry(scripted=provider),
        secrets=DictSecretValues(),
        usage=usage,
        clock=clock,
        random=random.Random(seed).random,
        limiter=limiter,
        breaker=breaker(clock) if breaker else None,
        sleep=clock.sleep,
    )
    return Gateway(service, provider, clock, usage, store)
