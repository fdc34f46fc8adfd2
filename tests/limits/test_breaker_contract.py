"""Contract of every CircuitBreaker: open after a run of failures, cool down, one probe, recover."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from core.domain.routing import attempt_plan
from ports.circuit_breaker import CircuitBreaker, open_models
from tests.fakes.clock import FakeClock
from tests.limits.conftest import POLICY
from tests.unit.builders import endpoint, fallback, primary

pytestmark = pytest.mark.anyio

COOLDOWN_S = POLICY.cooldown_ms / 1000


async def fail(breaker: CircuitBreaker, model_id: str, times: int = POLICY.failure_threshold) -> None:
    for _ in range(times):
        await breaker.record_failure(model_id)


async def test_a_healthy_model_is_closed_and_has_nothing_to_probe(
    breaker: CircuitBreaker, model_id: str
) -> None:
    assert not breaker.is_open(model_id)
    assert not await breaker.acquire_probe(model_id)


async def test_a_run_of_failures_opens_the_breaker(breaker: CircuitBreaker, model_id: str) -> None:
    await fail(breaker, model_id, POLICY.failure_threshold - 1)
    assert not breaker.is_open(model_id)
    await breaker.record_failure(model_id)
    assert breaker.is_open(model_id)


async def test_a_success_breaks_the_run(breaker: CircuitBreaker, model_id: str) -> None:
    await fail(breaker, model_id, POLICY.failure_threshold - 1)
    await breaker.record_success(model_id)
    await fail(breaker, model_id, POLICY.failure_threshold - 1)
    assert not breaker.is_open(model_id)


async def test_an_open_model_is_skipped_for_the_whole_cooldown(
    breaker: CircuitBreaker, model_id: str, clock: FakeClock
) -> None:
    await fail(breaker, model_id)
    clock.advance(COOLDOWN_S - 0.001)
    assert breaker.is_open(model_id)
    assert not await breaker.acquire_probe(model_id)


async def test_late_failures_during_the_cooldown_do_not_extend_it(
    breaker: CircuitBreaker, model_id: str, clock: FakeClock
) -> None:
    await fail(breaker, model_id)
    clock.advance(COOLDOWN_S / 2)
    await fail(breaker, model_id)
    clock.advance(COOLDOWN_S / 2)
    assert await breaker.acquire_probe(model_id)


async def test_after_the_cooldown_exactly_one_request_probes(
    breaker: CircuitBreaker, model_id: str, clock: FakeClock
) -> None:
    await fail(breaker, model_id)
    clock.advance(COOLDOWN_S)
    probes = await asyncio.gather(*(breaker.acquire_probe(model_id) for _ in range(20)))
    assert probes.count(True) == 1
    assert breaker.is_open(model_id)  # every other request still skips it while the probe runs


async def test_a_successful_probe_brings_the_model_back(
    breaker: CircuitBreaker, model_id: str, clock: FakeClock
) -> None:
    await fail(breaker, model_id)
    clock.advance(COOLDOWN_S)
    assert await breaker.acquire_probe(model_id)
    await breaker.record_success(model_id)
    assert not breaker.is_open(model_id)
    await fail(breaker, model_id, POLICY.failure_threshold - 1)  # and it takes a full run to reopen
    assert not breaker.is_open(model_id)


async def test_a_failed_probe_reopens_for_another_cooldown(
    breaker: CircuitBreaker, model_id: str, clock: FakeClock
) -> None:
    await fail(breaker, model_id)
    clock.advance(COOLDOWN_S)
    assert await breaker.acquire_probe(model_id)
    await breaker.record_failure(model_id)
    clock.advance(COOLDOWN_S - 0.001)
    assert breaker.is_open(model_id)
    assert not await breaker.acquire_probe(model_id)
    clock.advance(0.001)
    assert await breaker.acquire_probe(model_id)


async def test_the_attempt_plan_skips_an_open_model_then_probes_it_once(
    breaker: CircuitBreaker, model_id: str, clock: FakeClock
) -> None:
    other = model_id + "-other"
    chat = endpoint(primary(model_id), fallback(other, order=1))
    ids = [model_id, other]
    await fail(breaker, model_id)

    def plan_ids(is_open: Callable[[str], bool]) -> list[str]:
        plan = attempt_plan(chat, lambda: 0.0, is_open)
        return [m.model_definition.model_definition_id for m in plan]

    assert plan_ids(await open_models(breaker, ids)) == [other]
    clock.advance(COOLDOWN_S)
    assert plan_ids(await open_models(breaker, ids)) == [model_id, other]  # this request probes
    assert plan_ids(await open_models(breaker, ids)) == [other]  # the next does not
    await breaker.record_success(model_id)
    assert plan_ids(await open_models(breaker, ids)) == [model_id, other]
