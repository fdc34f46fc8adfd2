"""Limits refuse before any provider call; a failing model is skipped, probed, and brought back."""

from __future__ import annotations

import pytest

from adapters.limits.breaker_in_process import InProcessCircuitBreaker
from adapters.limits.in_process import InProcessRateLimiter
from core.domain.breaker import BreakerPolicy
from core.domain.failures import ErrorClass
from core.domain.limits import LimitExceeded, LimitKey, LimitRule, RenewalPeriod
from core.domain.model_definition import ModelDefinition
from core.domain.principal import Principal, Role
from core.services.invocation.service import InvocationRequest
from core.services.limits import LimitService
from ports.provider import Operation
from ports.telemetry import NullObserver
from tests.fakes.clock import FakeClock
from tests.fakes.providers import answer, failure
from tests.invocation.harness import Gateway, gateway

pytestmark = pytest.mark.anyio


def limit(gw: Gateway, *rules: LimitRule) -> None:
    endpoint = gw.service.config.current.endpoints["chat"]
    LimitService(gw.store.unit_of_work).put(endpoint.endpoint_id, rules)
    gw.service.config.reload()


def as_user(gw: Gateway, name: str) -> InvocationRequest:
    body = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}
    return InvocationRequest(Principal(name, Role.USER), "chat", Operation.CHAT, body, "r")


async def test_calls_over_the_limit_get_429_and_never_reach_the_provider() -> None:
    gw = gateway(limiter=InProcessRateLimiter())
    gw.provider.then("a", answer("a", "ok"))
    limit(gw, LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=3))
    for _ in range(3):
        await gw.service.invoke(gw.request())
    with pytest.raises(LimitExceeded) as caught:
        await gw.service.invoke(gw.request())
    assert "3 calls per minute per endpoint" in caught.value.message
    assert 1 <= caught.value.refusal.retry_after_s <= 60
    assert len(gw.provider.calls) == 3
    assert gw.usage.records[-1].status == 429


async def test_per_user_limits_give_each_caller_a_budget() -> None:
    gw = gateway(limiter=InProcessRateLimiter())
    gw.provider.then("a", answer("a", "ok"))
    limit(gw, LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=1, key=LimitKey.USER))
    await gw.service.invoke(as_user(gw, "ann"))
    await gw.service.invoke(as_user(gw, "bob"))
    with pytest.raises(LimitExceeded):
        await gw.service.invoke(as_user(gw, "ann"))


async def test_a_token_budget_stops_a_caller_once_crossed() -> None:
    gw = gateway(limiter=InProcessRateLimiter())
    gw.provider.then("a", answer("a", "one two three four five"))  # 5 + 5 tokens per call
    limit(gw, LimitRule(renewal_period=RenewalPeriod.HOUR, calls=100, tokens=15))
    await gw.service.invoke(gw.request())
    await gw.service.invoke(gw.request())  # 10 used < 15: admitted, then 20 used
    with pytest.raises(LimitExceeded) as caught:
        await gw.service.invoke(gw.request())
    assert caught.value.refusal.resource.value == "tokens"


async def test_a_failing_model_is_skipped_for_its_cooldown_then_probed_once() -> None:
    breakers: list[InProcessCircuitBreaker] = []

    def make(clock: FakeClock) -> InProcessCircuitBreaker:
        breakers.append(
            InProcessCircuitBreaker(clock, BreakerPolicy(failure_threshold=2, cooldown_ms=10_000))
        )
        return breakers[0]

    gw = gateway(fallbacks=("b",), max_retries=0, breaker=make)
    gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 503))
    gw.provider.then("b", answer("b", "from b"))
    for _ in range(2):
        await gw.service.invoke(gw.request())
    calls_to_a = sum(1 for c in gw.provider.calls if c.model.model_name == "a")
    response, _ = await gw.service.invoke(gw.request())
    assert response.body["model"] == "b"
    assert sum(1 for c in gw.provider.calls if c.model.model_name == "a") == calls_to_a  # skipped
    gw.clock.advance(11)
    gw.provider.replies["a"] = [answer("a", "back")]
    response, _ = await gw.service.invoke(gw.request())  # the probe
    assert response.body["model"] == "a"
    response, _ = await gw.service.invoke(gw.request())
    assert response.body["model"] == "a" and not breakers[0].is_open(
        gw.service.config.current.endpoints["chat"].primaries[0].model_definition.model_definition_id
    )


class BreakerEvents(NullObserver):
    def __init__(self) -> None:
        self.changes: list[tuple[str, bool]] = []

    def breaker_changed(self, model: ModelDefinition, is_open: bool) -> None:
        self.changes.append((model.name, is_open))


async def test_a_breaker_opening_is_reported_once_not_again_when_its_probe_fails() -> None:
    def make(clock: FakeClock) -> InProcessCircuitBreaker:
        return InProcessCircuitBreaker(clock, BreakerPolicy(failure_threshold=2, cooldown_ms=10_000))

    gw = gateway(fallbacks=("b",), max_retries=0, breaker=make)
    events = BreakerEvents()
    gw.service.observer = events
    gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 503))
    gw.provider.then("b", answer("b", "from b"))
    for _ in range(2):
        await gw.service.invoke(gw.request())
    assert events.changes == [("a", True)]
    gw.clock.advance(11)
    await gw.service.invoke(gw.request())  # the probe fails: the breaker stays open
    assert events.changes == [("a", True)]
