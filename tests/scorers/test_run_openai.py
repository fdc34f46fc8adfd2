"""Running scorers against a real OpenAI-format server on loopback, through the admin API.

The judge's request goes the normal invocation way (routing, retries, fallback, limits,
usage), so these tests look at what the upstream received and what usage recorded.
"""

from __future__ import annotations

import pytest

from tests.http.conftest import error_of
from tests.providers.upstream import FakeUpstream, Reply
from tests.scorers.conftest import ScorerAdmin


def completion(content: str, prompt_tokens: int = 42, completion_tokens: int = 7) -> Reply:
    return Reply.json(
        200,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "judge-model",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def server_error(message: str) -> Reply:
    return Reply.json(500, {"error": {"message": message, "type": "server_error"}})


def test_an_integer_scorer_asks_for_a_typed_answer_and_reads_it(
    admin: ScorerAdmin, upstream: FakeUpstream
) -> None:
    endpoint = admin.openai_endpoint("judge", f"{upstream.url}/v1")
    scorer_id = admin.register(endpoint, result_type="integer", min=1, max=5)["scorer_id"]
    upstream.then(completion('```json\n{"rationale": "Paris is right", "value": 5}\n```'))

    response = admin.run(scorer_id, expectations="Paris")

    assert response.status_code == 200, response.text
    assert response.json() == {"value": 5, "rationale": "Paris is right"}
    [request] = upstream.requests
    sent = request.json()
    assert request.path == "/v1/chat/completions" and sent["model"] == "judge-model"
    assert sent["response_format"]["type"] == "json_schema"
    schema = sent["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["value"] == {"type": "integer", "minimum": 1, "maximum": 5}
    prompt = sent["messages"][-1]["content"]
    assert prompt.startswith("Is Paris a correct answer to")
    assert '"question": "Capital of France?"' in prompt and prompt.endswith("Expected: Paris")


def test_a_run_shows_in_usage_with_the_upstream_tokens(admin: ScorerAdmin, upstream: FakeUpstream) -> None:
    endpoint = admin.openai_endpoint("judge", f"{upstream.url}/v1")
    scorer_id = admin.register(endpoint)["scorer_id"]
    upstream.then(completion('{"value": "yes", "rationale": "right"}', prompt_tokens=30, completion_tokens=9))

    assert admin.run(scorer_id).json() == {"value": "yes", "rationale": "right"}

    [record] = admin.usage()
    assert (record["endpoint_id"], record["endpoint_name"]) == (endpoint, "judge")
    assert (record["prompt_tokens"], record["completion_tokens"]) == (30, 9)
    assert (record["status"], record["principal"], record["provider"]) == (200, "alice", "openai")


def test_a_float_scorer_reads_json_amid_prose(admin: ScorerAdmin, upstream: FakeUpstream) -> None:
    endpoint = admin.openai_endpoint("judge", f"{upstream.url}/v1")
    scorer_id = admin.register(endpoint, result_type="float", min=0, max=1)["scorer_id"]
    upstream.then(completion('Verdict: {"rationale": "mostly", "value": 0.75} — done.'))

    assert admin.run(scorer_id).json() == {"value": 0.75, "rationale": "mostly"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("I would say it is probably right.", "no JSON object"),
        ('{"rationale": "great", "value": 9}', "outside an integer from 1 to 5"),
        ('{"rationale": "unsure", "value": "three-ish"}', "not a number"),
    ],
)
def test_an_unusable_answer_is_a_clear_502(
    admin: ScorerAdmin, upstream: FakeUpstream, content: str, problem: str
) -> None:
    endpoint = admin.openai_endpoint("judge", f"{upstream.url}/v1")
    scorer_id = admin.register(endpoint, result_type="integer", min=1, max=5)["scorer_id"]
    upstream.then(completion(content))

    status, code, message = error_of(admin.run(scorer_id))

    assert (status, code) == (502, "MALFORMED_SCORER_ANSWER")
    assert problem in message and "exp-1/correct" in message


def test_an_upstream_failure_is_the_invocation_error(admin: ScorerAdmin, upstream: FakeUpstream) -> None:
    endpoint = admin.openai_endpoint("judge", f"{upstream.url}/v1", retry_policy={"max_retries": 0})
    scorer_id = admin.register(endpoint)["scorer_id"]
    upstream.then(server_error("boom"))

    status, code, message = error_of(admin.run(scorer_id))

    assert (status, code) == (502, "UPSTREAM_ERROR") and "judge-model" in message
    assert [r["status"] for r in admin.usage()] == [502]


def test_fallback_applies_to_scorer_runs(admin: ScorerAdmin, upstream: FakeUpstream) -> None:
    api_base = f"{upstream.url}/v1"
    broken = admin.model("broken", provider="openai", model_name="down", api_base=api_base)
    backup = admin.model("backup", provider="openai", model_name="up", api_base=api_base)
    endpoint = admin.post(
        "/api/v1/endpoints",
        {
            "name": "judge",
            "model_mappings": [
                {"model_definition_id": broken["model_definition_id"]},
                {
                    "model_definition_id": backup["model_definition_id"],
                    "linkage_type": "FALLBACK",
                    "fallback_order": 1,
                },
            ],
            "fallback_config": {"strategy": "SEQUENTIAL", "max_attempts": 2},
            "retry_policy": {"max_retries": 0},
        },
    ).json()
    scorer_id = admin.register(endpoint["endpoint_id"])["scorer_id"]
    upstream.then(server_error("overloaded"), completion('{"value": "no", "rationale": "wrong city"}'))

    assert admin.run(scorer_id).json() == {"value": "no", "rationale": "wrong city"}

    assert [r.json()["model"] for r in upstream.requests] == ["down", "up"]
    [record] = admin.usage()
    assert (record["model_definition_name"], record["fallback"]) == ("backup", True)


def test_limits_apply_to_scorer_runs(admin: ScorerAdmin, upstream: FakeUpstream) -> None:
    endpoint = admin.openai_endpoint("judge", f"{upstream.url}/v1")
    limits = {"limits": [{"renewal_period": "minute", "calls": 1}]}
    assert admin.put(f"/api/v1/endpoints/{endpoint}/limits", limits).status_code == 200
    scorer_id = admin.register(endpoint)["scorer_id"]
    upstream.then(completion('{"value": "yes", "rationale": "ok"}'))

    first = admin.run(scorer_id)
    second = admin.run(scorer_id)

    assert first.status_code == 200
    assert error_of(second)[:2] == (429, "RATE_LIMIT_EXCEEDED")
    assert int(second.headers["retry-after"]) >= 1
    assert len(upstream.requests) == 1


def test_a_scorer_whose_endpoint_was_deleted_says_so_until_repointed(
    admin: ScorerAdmin, upstream: FakeUpstream
) -> None:
    gone = admin.openai_endpoint("old-judge", f"{upstream.url}/v1")
    scorer_id = admin.register(gone)["scorer_id"]
    assert admin.delete(f"/api/v1/endpoints/{gone}", force="true").status_code == 204

    status, code, message = error_of(admin.run(scorer_id))

    assert (status, code) == (409, "CONFLICT") and "endpoint was deleted" in message
    assert upstream.requests == []
    replacement = admin.openai_endpoint("new-judge", f"{upstream.url}/v1")
    assert admin.register(replacement)["scorer_id"] == scorer_id
    upstream.then(completion('{"value": "yes", "rationale": "ok"}'))
    assert admin.run(scorer_id).json() == {"value": "yes", "rationale": "ok"}


def test_run_errors(admin: ScorerAdmin, upstream: FakeUpstream) -> None:
    endpoint = admin.openai_endpoint("judge", f"{upstream.url}/v1")
    scorer_id = admin.register(endpoint)["scorer_id"]

    missing = admin.run("nope")
    no_outputs = admin.post(f"/api/v1/scorers/{scorer_id}/run", {"inputs": "q"})

    assert error_of(missing)[0] == 404
    status, _, message = error_of(no_outputs)
    assert status == 400 and "outputs" in message
    assert upstream.requests == []
