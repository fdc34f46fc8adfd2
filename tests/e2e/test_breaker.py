"""A primary that is down, then recovers: skipped while its circuit is open, probed, then back (PRODUCT §2.9).

The gateway under test opens a breaker after BREAKER_FAILURES failures and probes after
BREAKER_COOLDOWN_S (SWITCHBOARD_BREAKER_FAILURES / SWITCHBOARD_BREAKER_COOLDOWN_S).
"""

from __future__ import annotations

import time

import httpx

from tests.e2e.faulty_upstream import ScriptedUpstream, answer, error
from tests.e2e.gateway import BREAKER_COOLDOWN_S, BREAKER_FAILURES, Gateway
from tests.e2e.test_faults import chat


def test_a_primary_that_is_down_is_skipped_then_probed_then_back(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), retry_policy={"max_retries": 0})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, then=error(503, "down for maintenance", kind="server_error"))
    upstream.script(fallback.model_name, then=answer(fallback.model_name, "the fallback"))

    for _ in range(BREAKER_FAILURES):  # each request tries the primary, then falls back
        response = chat(caller, endpoint)
        assert response.json()["model"] == fallback.model_name
        assert response.headers["x-switchboard-attempts"] == "2"
    assert len(upstream.hits(primary.model_name)) == BREAKER_FAILURES

    skipped = chat(caller, endpoint)  # the circuit is open: straight to the fallback
    assert skipped.json()["model"] == fallback.model_name
    assert skipped.headers["x-switchboard-attempts"] == "1"
    assert len(upstream.hits(primary.model_name)) == BREAKER_FAILURES

    upstream.script(primary.model_name, then=answer(primary.model_name, "back again"))
    time.sleep(BREAKER_COOLDOWN_S + 0.2)  # let the cooldown pass
    probe = chat(caller, endpoint)
    assert probe.json()["model"] == primary.model_name
    assert probe.headers["x-switchboard-attempts"] == "1"

    after = chat(caller, endpoint)  # closed again: the primary serves as before
    assert after.json()["model"] == primary.model_name
    assert len(upstream.hits(primary.model_name)) == BREAKER_FAILURES + 2
