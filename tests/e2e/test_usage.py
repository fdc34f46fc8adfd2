"""Usage through a running gateway: one record per request, what served it, its tokens and attempts.

Read back with `GET /api/v1/usage` and `switchboard usage list`; failed attempts are never billed.
"""

from __future__ import annotations

import json

import httpx

from tests.e2e.faulty_upstream import Cut, ScriptedUpstream, answer, error, stream
from tests.e2e.gateway import Gateway
from tests.e2e.test_faults import chat
from tests.e2e.test_stream_faults import stream_chat


def test_a_fallback_request_is_one_record_billed_to_the_model_that_served(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model())
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, then=error(503, "overloaded", kind="server_error"))
    upstream.script(fallback.model_name, answer(fallback.model_name, "served", usage=(11, 3)))
    response = chat(caller, endpoint)
    assert response.status_code == 200

    (record,) = gateway.usage(endpoint, 1)
    assert record["request_id"] == response.headers["x-request-id"]
    assert record["endpoint_name"] == endpoint.name
    assert record["model_definition_name"] == fallback.name
    assert record["provider"] == "openai"
    assert (record["prompt_tokens"], record["completion_tokens"], record["total_tokens"]) == (11, 3, 14)
    assert record["attempts"] == 3  # two on the primary (a retry), one on the fallback
    assert record["status"] == 200 and record["fallback"] is True
    assert record["principal"] == "e2e-admin"

    listed = json.loads(gateway.switchboard("usage", "list", "--endpoint-id", endpoint.endpoint_id, "--json"))
    (row,) = listed["usage"]
    assert row["request_id"] == record["request_id"]
    assert (row["model_definition_name"], row["total_tokens"], row["attempts"]) == (fallback.name, 14, 3)


def test_a_request_that_fails_everywhere_bills_nothing(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model(), retry_policy={"max_retries": 0})
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, error(500, "boom", kind="server_error"))
    upstream.script(fallback.model_name, error(502, "bad gateway upstream", kind="server_error"))
    assert chat(caller, endpoint).status_code == 502

    (record,) = gateway.usage(endpoint, 1)
    assert record["status"] == 502 and record["attempts"] == 2
    assert record["model_definition_name"] is None
    assert record["prompt_tokens"] == record["completion_tokens"] == 0


def test_a_continued_stream_bills_what_each_model_produced(
    gateway: Gateway, upstream: ScriptedUpstream, caller: httpx.Client
) -> None:
    endpoint = gateway.endpoint(gateway.model(), gateway.model("mistral"))
    primary, fallback = endpoint.models
    upstream.script(primary.model_name, stream(primary.model_name, ["Hello", " wor", Cut()], finish=False))
    upstream.script(fallback.model_name, stream(fallback.model_name, ["ld"], usage=(20, 1)))
    streamed = stream_chat(caller, endpoint)
    assert streamed.text == "Hello world" and streamed.done

    (record,) = gateway.usage(endpoint, 1)
    assert record["model_definition_name"] == fallback.name
    assert (record["prompt_tokens"], record["completion_tokens"]) == (20, 1)
    assert record["attempts"] == 2  # the broken stream, then its continuation
    assert record["status"] == 200
