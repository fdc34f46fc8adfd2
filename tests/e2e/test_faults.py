"""Faults before the answer, through a running gateway: retries, fallback, timeouts (PRODUCT §2.2–2.5, §2.7).

The upstream is a loopback server speaking OpenAI's wire format that injects each fault on
purpose; every model has its own script, keyed by its unique upstream model name.
"""

from __future__ import annotations

import itertools

import httpx

from tests.e2e.faulty_upstream import Reply, ScriptedUpstream, answer, error
from tests.e2e.gateway import UPSTREAM_KEY, Endpoint, Gateway

HELLO = {"messages": [{"role": "user", "content": "hello"}]}


def chat(caller: httpx.Client, endpoint: Endpoint) -> httpx.Response:
    return caller.post("/v1/chat/completions", json={"model": endpoint.name, **HELLO})


def served_by(response: httpx.Response, endpoint: Endpoint, index: int, attempts: int) -> None:
    """The caller got an answer from the endpoint's `index`-th model after `attempts` upstream calls."""
    model = endpoint.models[index]
    assert response.status_code == 200, response.text
    assert response.json()["model"] == model.model_name
    assert response.headers["x-switchboard-model-definition"] == model.name
    assert response.headers["x-switchboard-attempts"] == str(attempts)
    assert float(response.headers["x-switchboard-overhead-ms"]) >= 0
    assert response.headers["x-request-id"]


def test_a_429_with_retry_after_is_retried_on_the_same_model_after_the_wait(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(
        primary.model_name,
        error(429, "Rate limit reached", kind="requests", code="rate_limit_exceeded", retry_after="1"),
        answer(primary.model_name, "after the wait"),
    )
    response = chat(caller, endpoint)
    served_by(response, endpoint, 0, attempts=2)
    assert response.json()["choices"][0]["message"]["content"] == "after the wait"
    first, second = upstream.hits(primary.model_name)
    assert second.at - first.at >= 0.9  # it waited what Retry-After asked
    assert not upstream.hits(fallback.model_name)
    assert first.request.headers["authorization"] == f"Bearer {UPSTREAM_KEY}"


def test_a_persistent_429_without_retry_after_backs_off_then_falls_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), retry_policy={"max_retries": 2})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, then=error(429, "Rate limit reached", kind="requests"))
    upstream.script(fallback.model_name, answer(fallback.model_name, "from the fallback"))
    response = chat(caller, endpoint)
    served_by(response, endpoint, 1, attempts=4)
    hits = [hit.at for hit in upstream.hits(primary.model_name)]
    assert len(hits) == 3  # one call and max_retries retries, never more
    waits = [later - earlier for earlier, later in itertools.pairwise(hits)]
    assert waits[0] >= 0.05 and waits[1] >= 0.1  # jittered exponential backoff, no hammering


def test_a_500_once_is_retried_and_answered(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(
        primary.model_name,
        error(500, "The server had an error while processing your request.", kind="server_error"),
        answer(primary.model_name, "second time lucky"),
    )
    response = chat(caller, endpoint)
    served_by(response, endpoint, 0, attempts=2)
    assert response.json()["choices"][0]["message"]["content"] == "second time lucky"
    assert not upstream.hits(fallback.model_name)


def test_a_persistent_503_falls_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(
        primary.model_name, then=error(503, "The engine is currently overloaded", kind="server_error")
    )
    upstream.script(fallback.model_name, answer(fallback.model_name, "from the fallback"))
    response = chat(caller, endpoint)
    served_by(response, endpoint, 1, attempts=3)
    assert len(upstream.hits(primary.model_name)) == 2  # one retry (the default), then on


def test_a_connection_reset_before_the_headers_is_retried(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, Reply.reset_connection(), answer(primary.model_name, "reconnected"))
    response = chat(caller, endpoint)
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "reconnected"
    assert response.headers["x-switchboard-model-definition"] == primary.name
    assert len(upstream.hits(primary.model_name)) == 2
    assert not upstream.hits(fallback.model_name)


def test_connections_reset_every_time_fall_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, then=Reply.reset_connection())
    upstream.script(fallback.model_name, answer(fallback.model_name, "from the fallback"))
    response = chat(caller, endpoint)
    assert response.status_code == 200, response.text
    assert response.json()["model"] == fallback.model_name
    assert 2 <= len(upstream.hits(primary.model_name)) <= 4  # a retry (each may reconnect once), no more


def test_an_upstream_that_never_answers_is_abandoned_for_the_fallback(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(
        gateway.model(), gateway.model(), timeouts={"first_byte_s": 0.5, "total_s": 5}
    )
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, then=Reply.no_answer())
    upstream.script(fallback.model_name, answer(fallback.model_name, "from the fallback"))
    response = chat(caller, endpoint)  # the caller would give up after 10 s
    served_by(response, endpoint, 1, attempts=2)
    assert len(upstream.hits(primary.model_name)) == 1  # a timeout is not retried on the same model


def test_a_first_byte_later_than_first_byte_s_falls_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), timeouts={"first_byte_s": 0.3})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, answer(primary.model_name, "too late").after(3))
    upstream.script(fallback.model_name, answer(fallback.model_name, "in time"))
    served_by(chat(caller, endpoint), endpoint, 1, attempts=2)


def test_a_first_byte_within_first_byte_s_is_served(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), timeouts={"first_byte_s": 5})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, answer(primary.model_name, "slow but in time").after(0.5))
    served_by(chat(caller, endpoint), endpoint, 0, attempts=1)
    assert not upstream.hits(fallback.model_name)


def test_a_context_length_400_falls_back_without_retrying(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    message = (
        "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."
    )
    upstream.script(primary.model_name, then=error(400, message, code="context_length_exceeded"))
    upstream.script(fallback.model_name, answer(fallback.model_name, "a longer context"))
    served_by(chat(caller, endpoint), endpoint, 1, attempts=2)
    assert len(upstream.hits(primary.model_name)) == 1


def test_a_content_filter_400_is_returned_as_is_after_one_attempt(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    message = "The response was filtered due to the prompt triggering content management policy."
    upstream.script(primary.model_name, then=error(400, message, code="content_filter"))
    response = chat(caller, endpoint)
    assert response.status_code == 400
    error_body = response.json()["error"]
    assert message in error_body["message"]
    assert error_body["code"] == "content_policy"
    assert response.headers["x-switchboard-attempts"] == "1"
    assert len(upstream.hits(primary.model_name)) == 1
    assert not upstream.hits(fallback.model_name)


def test_when_every_attempt_fails_the_error_lists_them_without_the_key(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), retry_policy={"max_retries": 0})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, then=error(503, "overloaded", kind="server_error"))
    upstream.script(fallback.model_name, then=error(429, "quota", kind="requests", retry_after="30"))
    response = chat(caller, endpoint)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    message = response.json()["error"]["message"]
    assert primary.name in message and fallback.name in message
    assert "server_error" in message and "rate_limited" in message
    assert UPSTREAM_KEY not in response.text


def test_a_bad_provider_key_falls_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(
        primary.model_name, error(401, "Incorrect API key provided: sk-e2e-u***", code="invalid_api_key")
    )
    upstream.script(fallback.model_name, answer(fallback.model_name, "from the fallback"))
    served_by(chat(caller, endpoint), endpoint, 1, attempts=2)
    assert len(upstream.hits(primary.model_name)) == 1  # a bad key is not retried


def test_when_no_model_answers_in_time_the_caller_gets_a_504(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), timeouts={"first_byte_s": 0.3})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, then=Reply.no_answer())
    upstream.script(fallback.model_name, then=Reply.no_answer())
    response = chat(caller, endpoint)  # the caller would give up after 10 s
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "timeout"
    assert response.headers["x-switchboard-attempts"] == "2"


def test_a_429_asking_for_longer_than_max_retry_after_falls_back_at_once(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), retry_policy={"max_retry_after_s": 2})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, error(429, "Rate limit reached", kind="requests", retry_after="60"))
    upstream.script(fallback.model_name, answer(fallback.model_name, "from the fallback"))
    served_by(chat(caller, endpoint), endpoint, 1, attempts=2)
    assert len(upstream.hits(primary.model_name)) == 1  # not worth waiting a minute for
