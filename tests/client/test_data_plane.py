"""The client's data-plane calls against a real server, on the built-in mock provider."""

from __future__ import annotations

import time

import pytest

from apps.client import SwitchboardAPIError, SwitchboardClient, UsageRecord
from tests.client.server import RunningServer

HELLO = [{"role": "user", "content": "hello there"}]


@pytest.fixture
def endpoint(client: SwitchboardClient, unique: str) -> str:
    model = client.create_model_definition(f"mock-{unique}", "mock", "echo")
    name = f"dp-{unique}"
    client.create_endpoint(name, [{"model_definition_id": model["model_definition_id"]}])
    return name


def _visible(client: SwitchboardClient, endpoint: str) -> None:
    """The admin write is live on this process at once; wait only for the endpoint to be listed."""
    deadline = time.monotonic() + 10
    while endpoint not in {m["id"] for m in client.list_models()}:
        assert time.monotonic() < deadline, f"{endpoint} never became callable"
        time.sleep(0.05)


def test_chat_answers_with_the_serving_model(client: SwitchboardClient, endpoint: str) -> None:
    _visible(client, endpoint)
    answer = client.chat(endpoint, HELLO)
    assert answer["choices"][0]["message"]["content"] == "Mock answer to: hello there"
    assert answer["model"] == "echo"
    assert answer["usage"]["total_tokens"] > 0


def test_chat_stream_yields_the_same_answer_in_pieces(client: SwitchboardClient, endpoint: str) -> None:
    _visible(client, endpoint)
    chunks = list(client.chat_stream(endpoint, HELLO))
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices"))
    assert text == "Mock answer to: hello there"
    assert len(chunks) > 2


def test_completions_and_embeddings(client: SwitchboardClient, endpoint: str) -> None:
    _visible(client, endpoint)
    assert client.completions(endpoint, "Once upon")["choices"][0]["text"]
    vectors = client.embeddings(endpoint, ["a", "b"])["data"]
    assert [v["index"] for v in vectors] == [0, 1]


def test_an_unknown_endpoint_is_a_404(client: SwitchboardClient) -> None:
    with pytest.raises(SwitchboardAPIError) as missing:
        client.chat("no-such-endpoint", HELLO)
    assert missing.value.status == 404


def test_a_429_from_a_limit_is_retried_after_its_retry_after(
    client: SwitchboardClient, server: RunningServer, endpoint: str
) -> None:
    ident = next(client.iter_endpoints(name=endpoint))["endpoint_id"]
    client.set_limits(ident, [{"renewal_period": "second", "calls": 1}])
    _visible(client, endpoint)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with SwitchboardClient(server.url, server.admin_key, max_retries=5, sleep=sleep) as patient:
        for _ in range(3):
            patient.chat(endpoint, HELLO)
    assert waits, "three calls in a row under a 1-per-second limit must have waited"
    assert all(0 < w <= 1 for w in waits)


def test_a_retry_after_beyond_the_cap_is_raised_with_it(
    client: SwitchboardClient, server: RunningServer, endpoint: str
) -> None:
    ident = next(client.iter_endpoints(name=endpoint))["endpoint_id"]
    client.set_limits(ident, [{"renewal_period": "day", "calls": 1}])
    _visible(client, endpoint)
    with SwitchboardClient(server.url, server.admin_key, max_retry_wait_s=5) as impatient:
        impatient.chat(endpoint, HELLO)
        with pytest.raises(SwitchboardAPIError) as limited:
            impatient.chat(endpoint, HELLO)
    assert limited.value.status == 429
    assert limited.value.retry_after_s is not None and limited.value.retry_after_s > 5


def test_usage_lists_what_was_served(client: SwitchboardClient, endpoint: str) -> None:
    _visible(client, endpoint)
    ident = next(client.iter_endpoints(name=endpoint))["endpoint_id"]
    client.chat(endpoint, HELLO)
    client.chat(endpoint, HELLO)
    deadline = time.monotonic() + 15
    records: list[UsageRecord] = []
    while len(records) < 2 and time.monotonic() < deadline:  # usage is written in batches
        records = list(client.iter_usage(endpoint_id=ident, page_size=1))
        time.sleep(0.1)
    assert [r["endpoint_name"] for r in records] == [endpoint, endpoint]
    assert all(str(r["model_definition_name"]).startswith("mock-") for r in records)
    assert client.list_usage(endpoint_id=ident, until=records[0]["timestamp_ms"] - 1).items == []
