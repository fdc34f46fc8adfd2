"""Limits and breakers hold across two instances of two workers each on PostgreSQL and Redis (§1, §5).

Every request goes to one of two real `switchboard serve --workers 2` processes, alternating,
each on a connection of its own so the workers of an instance share the load too. Endpoints,
limits and keys are made through instance `a`'s admin API, as an operator would.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest

from tests.e2e.faulty_upstream import ScriptedUpstream, answer, error
from tests.e2e.gateway import UPSTREAM_KEY, Endpoint, Gateway, Model
from tests.scaleout.cluster import BREAKER_COOLDOWN_S, BREAKER_FAILURES, Cluster

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.anyio]

HELLO = {"messages": [{"role": "user", "content": "hello"}]}
# How long a config change may take to reach every worker of every instance (PRODUCT §5).
PROPAGATION_S = 2.0
# The Redis breaker refreshes each worker's view of every model it has seen once a second.
BREAKER_REFRESH_S = 1.0
TOKEN_BUDGET = 40  # tokens per hour per user; a mock answer to "hello" uses about ten


@dataclass(frozen=True)
class Deployment:
    """What the operator configured on the cluster for these tests."""

    cluster: Cluster
    per_endpoint: Endpoint
    per_user: Endpoint
    tokens: Endpoint
    changing: Endpoint
    breaking: Endpoint
    user_keys: dict[str, str]

    def key(self, user: str) -> str:
        return self.user_keys[user]


def limits(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"limits": list(rules)}


@pytest.fixture(scope="module")
def deployment(cluster: Cluster) -> Deployment:
    a = cluster.a
    a.secret_id = a.api("POST", "/api/v1/secrets", {"name": "upstream", "value": UPSTREAM_KEY})["secret_id"]
    per_endpoint = _mock_endpoint(a)
    per_user = _mock_endpoint(a)
    tokens = _mock_endpoint(a)
    changing = _mock_endpoint(a)
    breaking = a.endpoint(a.model(), a.model("mock"), retry_policy={"max_retries": 0})
    _put_limits(a, per_endpoint, limits({"renewal_period": "minute", "calls": 100, "key": "endpoint"}))
    _put_limits(a, per_user, limits({"renewal_period": "hour", "calls": 5, "key": "user"}))
    _put_limits(
        a, tokens, limits({"renewal_period": "hour", "calls": 1000, "tokens": TOKEN_BUDGET, "key": "user"})
    )
    user_keys = {
        name: a.api("POST", "/api/v1/keys", {"name": name, "role": "user"})["key"]
        for name in ("alice", "bob", "carol", "dave")
    }
    marker = _mock_endpoint(a)  # the last write: once every worker serves it, they have all of the above
    _wait_until_everywhere(cluster, marker.name)
    return Deployment(cluster, per_endpoint, per_user, tokens, changing, breaking, user_keys)


def _mock_endpoint(gateway: Gateway) -> Endpoint:
    return gateway.endpoint(gateway.model("mock"))


def _put_limits(gateway: Gateway, endpoint: Endpoint, body: dict[str, Any]) -> None:
    gateway.api("PUT", f"/api/v1/endpoints/{endpoint.endpoint_id}/limits", body)


def _wait_until_everywhere(cluster: Cluster, name: str) -> None:
    """Every instance lists `name` on ten fresh connections in a row (so on each of its workers)."""
    deadline = time.monotonic() + 20
    for gateway in cluster.instances:
        streak = 0
        while streak < 10:
            assert time.monotonic() < deadline, f"{name} never reached every worker of {gateway.url}"
            with gateway.admin as admin:  # a new client: a new connection, maybe another worker
                listed = {m["id"] for m in admin.get("/v1/models").json()["data"]}
            streak = streak + 1 if name in listed else 0
            if streak == 0:
                time.sleep(0.05)


@asynccontextmanager
async def callers(cluster: Cluster, key: str, fresh: bool = True) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One async client per instance; `fresh`: every request on a new connection."""
    pool = httpx.Limits(max_connections=400, max_keepalive_connections=0 if fresh else 400)
    headers = {"authorization": f"Bearer {key}"}
    clients = [
        httpx.AsyncClient(base_url=g.url, headers=headers, limits=pool, timeout=60) for g in cluster.instances
    ]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def spread(
    clients: Sequence[httpx.AsyncClient], endpoint: Endpoint, count: int
) -> list[httpx.Response]:
    """`count` concurrent chat calls, alternating between the instances."""
    body = {"model": endpoint.name, **HELLO}
    calls = [clients[i % len(clients)].post("/v1/chat/completions", json=body) for i in range(count)]
    return list(await asyncio.gather(*calls))


async def call(clients: Sequence[httpx.AsyncClient], endpoint: Endpoint, i: int) -> httpx.Response:
    body = {"model": endpoint.name, **HELLO}
    return await clients[i % len(clients)].post("/v1/chat/completions", json=body)


def wait_for_room_in_window(period_s: int, needed_s: float) -> None:
    """Sleep into the next clock-aligned window if this one ends within `needed_s` (limits renew then)."""
    remaining = period_s - time.time() % period_s
    if remaining < needed_s:
        time.sleep(remaining + 0.1)


def assert_refused_by(response: httpx.Response, rule: str, resource: str = "calls") -> None:
    """A 429 with Retry-After, in OpenAI's error shape, naming the rule and what it ran out of."""
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 3600
    error = response.json()["error"]
    assert error["type"] == "rate_limit_error"
    assert error["code"] == "rate_limit_exceeded"
    assert rule in error["message"]
    assert f"({resource} used up)" in error["message"]


def served_by(response: httpx.Response, model: Model) -> bool:
    return response.status_code == 200 and response.headers["x-switchboard-model-definition"] == model.name


# --- limits --------------------------------------------------------------------------------------


async def test_100_calls_per_minute_admit_exactly_100_of_300_concurrent_calls_over_both_instances(
    deployment: Deployment,
) -> None:
    wait_for_room_in_window(60, needed_s=15)  # all 300 (~3 s on a loaded CI machine) in one clock minute
    async with callers(deployment.cluster, deployment.cluster.a.admin_key) as clients:
        responses = await spread(clients, deployment.per_endpoint, 300)
    assert Counter(r.status_code for r in responses) == {200: 100, 429: 200}
    for refused in (r for r in responses if r.status_code == 429):
        assert_refused_by(refused, "100 calls per minute per endpoint")
        assert int(refused.headers["retry-after"]) <= 60  # the minute renews within a minute


async def test_a_per_user_limit_gives_each_user_their_own_budget_across_instances(
    deployment: Deployment,
) -> None:
    wait_for_room_in_window(3600, needed_s=15)
    answers: dict[str, list[httpx.Response]] = {}
    for user in ("alice", "bob"):
        async with callers(deployment.cluster, deployment.key(user)) as clients:
            answers[user] = await spread(clients, deployment.per_user, 12)
    for user, responses in answers.items():
        assert Counter(r.status_code for r in responses) == {200: 5, 429: 7}, user
        for refused in (r for r in responses if r.status_code == 429):
            assert_refused_by(refused, "5 calls per hour per user")


async def test_a_token_limit_stops_a_user_once_the_tokens_used_cross_it(deployment: Deployment) -> None:
    wait_for_room_in_window(3600, needed_s=15)
    used, served = 0, 0
    async with callers(deployment.cluster, deployment.key("carol")) as clients:
        while used < TOKEN_BUDGET:  # one call at a time, alternating instances; each reports its usage
            response = await call(clients, deployment.tokens, served)
            assert response.status_code == 200, response.text
            used += response.json()["usage"]["total_tokens"]
            served += 1
        refused = await call(clients, deployment.tokens, served)
    assert served > 1  # the budget ran out over several calls, not in one
    assert_refused_by(refused, f"1000 calls and {TOKEN_BUDGET} tokens per hour per user", "tokens")
    async with callers(deployment.cluster, deployment.key("dave")) as clients:
        assert (await call(clients, deployment.tokens, 1)).status_code == 200  # another user's budget


async def test_a_limit_changed_through_one_instance_is_enforced_by_the_other_within_2_seconds(
    deployment: Deployment,
) -> None:
    a, b = deployment.cluster.instances
    endpoint = deployment.changing
    async with callers(deployment.cluster, a.admin_key) as (on_a, on_b):
        assert (await call([on_b], endpoint, 0)).status_code == 200

        _put_limits(a, endpoint, limits({"renewal_period": "minute", "calls": 0}))
        await anyio.sleep(PROPAGATION_S)
        for refused in await spread([on_b], endpoint, 12):
            assert_refused_by(refused, "0 calls per minute per endpoint")

        _put_limits(b, endpoint, limits())  # and back, the other way round
        await anyio.sleep(PROPAGATION_S)
        assert {r.status_code for r in await spread([on_a], endpoint, 12)} == {200}


# --- circuit breaking ----------------------------------------------------------------------------


async def test_a_failing_model_is_skipped_for_its_cooldown_then_probed_once_and_brought_back(
    deployment: Deployment, upstream: ScriptedUpstream
) -> None:
    endpoint = deployment.breaking
    failing, fallback = endpoint.models

    def hits() -> int:
        return len(upstream.hits(failing.model_name))

    async with callers(deployment.cluster, deployment.cluster.a.admin_key) as clients:
        # Every worker routes to the model once while it is healthy, so every worker follows its breaker.
        upstream.script(failing.model_name, then=answer(failing.model_name, "healthy"))
        assert all(served_by(r, failing) for r in await spread(clients, endpoint, 40))

        # Failures on either instance count towards one shared threshold.
        upstream.script(failing.model_name, then=error(500, "upstream broke", kind="server_error"))
        before = hits()
        for i in range(BREAKER_FAILURES):
            assert served_by(await call(clients, endpoint, i), fallback)
        opened_at = time.monotonic()
        assert hits() - before == BREAKER_FAILURES

        # Open: no traffic reaches it while it cools down; callers get the fallback.
        await anyio.sleep(BREAKER_REFRESH_S + 0.5)  # every worker's view has caught up with Redis
        assert all(served_by(r, fallback) for r in await spread(clients, endpoint, 12))
        if time.monotonic() - opened_at >= BREAKER_COOLDOWN_S:
            pytest.fail("the machine is too slow to observe the cooldown; raise BREAKER_COOLDOWN_S")
        assert hits() - before == BREAKER_FAILURES

        # Cooled down: of a burst, exactly one request probes it; the probe fails and reopens it.
        await anyio.sleep(opened_at + BREAKER_COOLDOWN_S + 0.5 - time.monotonic())
        assert all(served_by(r, fallback) for r in await spread(clients, endpoint, 10))
        reopened_at = time.monotonic()
        assert hits() - before == BREAKER_FAILURES + 1

        # Cooled down again, and healthy: the probe succeeds and it takes traffic again everywhere.
        upstream.script(failing.model_name, then=answer(failing.model_name, "back"))
        await anyio.sleep(reopened_at + BREAKER_COOLDOWN_S + 0.5 - time.monotonic())
        assert served_by(await call(clients, endpoint, 0), failing)
        await anyio.sleep(BREAKER_REFRESH_S + 0.5)
        assert all(served_by(r, failing) for r in await spread(clients, endpoint, 12))
