"""Routing, retries and fallback of non-streaming calls (PRODUCT §2.1–2.5)."""

from __future__ import annotations

import pytest

from core.domain.failures import ErrorClass
from core.domain.invocation import InvocationFailed
from tests.fakes.providers import answer, failure
from tests.invocation.harness import gateway

pytestmark = pytest.mark.anyio


async def test_a_healthy_primary_answers_in_one_attempt() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then("a", answer("a", "hello there"))
    response, outcome = await gw.service.invoke(gw.request())
    assert response.body["model"] == "a"
    assert outcome.served is not None and outcome.served.name == "a"
    assert len(outcome.attempts) == 1
    assert [c.model.model_name for c in gw.provider.calls] == ["a"]


async def test_429_with_short_retry_after_is_retried_on_the_same_model_after_the_wait() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then("a", failure(ErrorClass.RATE_LIMITED, 429, retry_after=2), answer("a", "ok"))
    response, outcome = await gw.service.invoke(gw.request())
    assert response.body["model"] == "a"
    assert gw.clock.slept == [2]
    assert len(outcome.attempts) == 2


async def test_429_with_long_retry_after_falls_back_without_waiting() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then("a", failure(ErrorClass.RATE_LIMITED, 429, retry_after=60))
    gw.provider.then("b", answer("b", "from b"))
    response, _ = await gw.service.invoke(gw.request())
    assert response.body["model"] == "b"
    assert gw.clock.slept == []


async def test_persistent_429_without_retry_after_backs_off_then_falls_back() -> None:
    gw = gateway(fallbacks=("b",), max_retries=2)
    gw.provider.then("a", failure(ErrorClass.RATE_LIMITED, 429))
    gw.provider.then("b", answer("b", "from b"))
    response, outcome = await gw.service.invoke(gw.request())
    assert response.body["model"] == "b"
    assert len(gw.clock.slept) == 2 and all(0 < s <= 2 for s in gw.clock.slept)
    assert gw.clock.slept[1] > gw.clock.slept[0] * 0.99 / 2  # grows, never hammered
    assert [c.model.model_name for c in gw.provider.calls] == ["a", "a", "a", "b"]
    assert len(outcome.attempts) == 4


async def test_500_once_is_retried_and_answered() -> None:
    gw = gateway()
    gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 500), answer("a", "ok"))
    response, _ = await gw.service.invoke(gw.request())
    assert response.body["model"] == "a"
    assert len(gw.clock.slept) == 1


async def test_503_persistent_falls_back_after_the_retries() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 503))
    gw.provider.then("b", answer("b", "from b"))
    response, outcome = await gw.service.invoke(gw.request())
    assert response.body["model"] == "b"
    assert outcome.fell_back


async def test_invalid_request_goes_back_after_one_attempt() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then("a", failure(ErrorClass.INVALID_REQUEST, 400))
    with pytest.raises(InvocationFailed) as caught:
        await gw.service.invoke(gw.request())
    assert caught.value.status == 400
    assert [c.model.model_name for c in gw.provider.calls] == ["a"]


async def test_content_policy_rejection_is_returned_as_is() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then("a", failure(ErrorClass.CONTENT_POLICY, 400))
    with pytest.raises(InvocationFailed) as caught:
        await gw.service.invoke(gw.request())
    assert caught.value.error_class is ErrorClass.CONTENT_POLICY
    assert len(gw.provider.calls) == 1


async def test_context_length_falls_back_without_retrying() -> None:
    gw = gateway(fallbacks=("b",), max_retries=3)
    gw.provider.then("a", failure(ErrorClass.CONTEXT_LENGTH, 400))
    gw.provider.then("b", answer("b", "bigger window"))
    response, _ = await gw.service.invoke(gw.request())
    assert response.body["model"] == "b"
    assert [c.model.model_name for c in gw.provider.calls] == ["a", "b"]
    assert gw.clock.slept == []


async def test_when_everything_fails_the_error_lists_each_attempt() -> None:
    gw = gateway(fallbacks=("b",), max_retries=0)
    gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 500))
    gw.provider.then("b", failure(ErrorClass.AUTH, 401))
    with pytest.raises(InvocationFailed) as caught:
        await gw.service.invoke(gw.request())
    assert caught.value.status == 502
    assert "a (scripted): server_error" in caught.value.message
    assert "b (scripted): auth_error" in caught.value.message


async def test_a_final_timeout_is_a_504() -> None:
    gw = gateway(fallbacks=("b",))
    gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 500))
    gw.provider.then("b", failure(ErrorClass.TIMEOUT))
    with pytest.raises(InvocationFailed) as caught:
        await gw.service.invoke(gw.request())
    assert caught.value.status == 504


async def test_a_final_429_carries_its_retry_after() -> None:
    gw = gateway(max_retries=0)
    gw.provider.then("a", failure(ErrorClass.RATE_LIMITED, 429, retry_after=30))
    with pytest.raises(InvocationFailed) as caught:
        await gw.service.invoke(gw.request())
    assert caught.value.status == 429
    assert caught.value.retry_after_s == 30


async def test_usage_bills_only_the_serving_model() -> None:
    gw = gateway(fallbacks=("b",), max_retries=0)
    gw.provider.then("a", failure(ErrorClass.SERVER_ERROR, 500))
    gw.provider.then("b", answer("b", "three words here"))
    await gw.service.invoke(gw.request())
    [record] = gw.usage.records
    assert record.model_definition_name == "b"
    assert (record.prompt_tokens, record.completion_tokens) == (5, 3)
    assert record.attempts == 2 and record.fallback


async def test_weights_split_traffic_between_primaries() -> None:
    gw = gateway(primaries=("a", "b"), weights=(3, 1))
    gw.provider.then("a", answer("a", "x")).then("b", answer("b", "y"))
    served = [(await gw.service.invoke(gw.request()))[1].served for _ in range(2000)]
    share_a = sum(1 for m in served if m is not None and m.name == "a") / len(served)
    assert 0.72 <= share_a <= 0.78
