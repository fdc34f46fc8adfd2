"""The bedrock adapter against a loopback server speaking Bedrock Runtime: SigV4, Converse, event-stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.bedrock import BedrockClient
from adapters.providers.eventstream import encode_message
from adapters.providers.sigv4 import AwsCredentials, sign_headers
from core.domain.audit import Audit
from core.domain.endpoint import Timeouts
from core.domain.errors import Unsupported
from core.domain.failures import ErrorClass, UpstreamError
from core.domain.model_definition import ModelDefinition
from ports.provider import Operation, ProviderClient, StreamChunk, UpstreamCall
from tests.providers.upstream import Cut, FakeUpstream, Part, Received, Reply

pytestmark = pytest.mark.anyio
MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDENTIALS = json.dumps({"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": SECRET})
NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
FAST = Timeouts(connect_s=2, first_byte_s=2, idle_s=0.5, total_s=5)
USER = {"messages": [{"role": "user", "content": "Hi"}]}


def _client(pools: HttpPools) -> BedrockClient:
    return BedrockClient(pools, now=lambda: NOW)


def _call(
    upstream: FakeUpstream,
    operation: Operation,
    payload: dict[str, Any],
    model: str = MODEL,
    api_key: str | None = CREDENTIALS,
    auth_config: dict[str, Any] | None = None,
    prefill: str | None = None,
) -> UpstreamCall:
    definition = ModelDefinition(
        model_definition_id="md-b",
        name="br",
        provider="bedrock",
        model_name=model,
        api_base=upstream.url,
        provider_settings={"region": "eu-west-1"},
        audit=Audit.new(0, None),
    )
    return UpstreamCall(
        operation=operation,
        payload=payload,
        model=definition,
        api_key=api_key,
        timeouts=FAST,
        auth_config=auth_config or {},
        prefill=prefill,
    )


def _assert_signed(upstream: FakeUpstream, request: Received, region: str = "eu-west-1") -> None:
    """Re-derive the signature from what arrived on the wire, as AWS would, and compare."""
    authorization = request.headers["authorization"]
    scope = f"Credential=AKIDEXAMPLE/20261123/{region}/bedrock/aws4_request"
    assert authorization.startswith(f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=")
    names = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "content-type"} <= set(names)
    assert request.headers["x-amz-date"] == "20261123T120000Z"
    expected = sign_headers(
        method=request.method,
        url=upstream.url + request.path,
        headers={n: request.headers[n] for n in names if n not in ("host", "x-amz-date")},
        body=request.body,
        credentials=AwsCredentials("AKIDEXAMPLE", SECRET),
        region=region,
        service="bedrock",
        now=NOW,
    )
    assert authorization == expected["authorization"]


def _converse(content: list[dict[str, Any]], stop: str = "end_turn") -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": 12, "outputTokens": 4, "totalTokens": 16},
        "metrics": {"latencyMs": 321},
    }


def _event(name: str, payload: dict[str, Any]) -> bytes:
    headers = {":event-type": name, ":content-type": "application/json", ":message-type": "event"}
    return encode_message(headers, json.dumps(payload).encode())


def _exception(name: str, message: str) -> bytes:
    headers = {":exception-type": name, ":content-type": "application/json", ":message-type": "exception"}
    return encode_message(headers, json.dumps({"message": message}).encode())


def _events(parts: list[Part]) -> Reply:
    return Reply.stream(parts, "application/vnd.amazon.eventstream")


TEXT_STREAM = [
    _event("messageStart", {"role": "assistant"}),
    _event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hello"}}),
    _event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": " there"}}),
    _event("contentBlockStop", {"contentBlockIndex": 0}),
    _event("messageStop", {"stopReason": "end_turn"}),
    _event(
        "metadata",
        {"usage": {"inputTokens": 8, "outputTokens": 2, "totalTokens": 10}, "metrics": {"latencyMs": 90}},
    ),
]


async def _collect(chunks: AsyncIterator[StreamChunk]) -> list[StreamChunk]:
    return [c async for c in chunks]


async def test_converse_request_is_signed_and_the_answer_translated(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.json(200, _converse([{"text": "Hello!"}])))
    payload = {
        "messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}],
        "max_tokens": 64,
        "temperature": 0.5,
        "stop": ["END"],
    }
    response = await _client(pools).invoke(_call(upstream, Operation.CHAT, payload))
    [request] = upstream.requests
    assert request.path == "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
    _assert_signed(upstream, request)
    assert request.json() == {
        "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
        "system": [{"text": "Be kind."}],
        "inferenceConfig": {"maxTokens": 64, "temperature": 0.5, "stopSequences": ["END"]},
    }
    body = response.body
    assert body["model"] == MODEL
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "Hello!"}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16}


async def test_region_from_the_secret_auth_config_and_a_session_token(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.json(200, _converse([{"text": "ok"}])))
    call = _call(
        upstream,
        Operation.CHAT,
        USER,
        api_key=f"AKIDEXAMPLE:{SECRET}:session-tok",
        auth_config={"region": "us-west-2"},
    )
    await _client(pools).invoke(call)
    [request] = upstream.requests
    assert request.headers["x-amz-security-token"] == "session-tok"
    assert "x-amz-security-token" in request.headers["authorization"]
    _assert_signed_with_token(upstream, request)


def _assert_signed_with_token(upstream: FakeUpstream, request: Received) -> None:
    names = request.headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    expected = sign_headers(
        method="POST",
        url=upstream.url + request.path,
        headers={
            n: request.headers[n] for n in names if n not in ("host", "x-amz-date", "x-amz-security-token")
        },
        body=request.body,
        credentials=AwsCredentials("AKIDEXAMPLE", SECRET, "session-tok"),
        region="us-west-2",
        service="bedrock",
        now=NOW,
    )
    assert request.headers["authorization"] == expected["authorization"]


async def test_tools_round_trip_and_tool_use_answer(upstream: FakeUpstream, pools: HttpPools) -> None:
    answer = _converse(
        [
            {"text": "Let me check."},
            {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Lima"}}},
        ],
        "tool_use",
    )
    upstream.then(Reply.json(200, answer))
    payload = {
        "messages": [
            {"role": "user", "content": "Weather in Lima and Quito?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "t0",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Quito"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "t0", "content": "12C"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather",
                    "parameters": {"type": "object"},
                },
            }
        ],
        "tool_choice": "auto",
    }
    response = await _client(pools).invoke(_call(upstream, Operation.CHAT, payload))
    sent = upstream.requests[0].json()
    assert sent["messages"][1] == {
        "role": "assistant",
        "content": [{"toolUse": {"toolUseId": "t0", "name": "get_weather", "input": {"city": "Quito"}}}],
    }
    assert sent["messages"][2] == {
        "role": "user",
        "content": [{"toolResult": {"toolUseId": "t0", "content": [{"text": "12C"}]}}],
    }
    assert sent["toolConfig"] == {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "inputSchema": {"json": {"type": "object"}},
                    "description": "Weather",
                }
            }
        ],
        "toolChoice": {"auto": {}},
    }
    choice = response.body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Let me check."
    assert choice["message"]["tool_calls"] == [
        {
            "id": "tooluse_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Lima"}'},
        }
    ]


async def test_json_schema_uses_output_config(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(Reply.json(200, _converse([{"text": '{"value": 1}'}])))
    schema = {"type": "object", "properties": {"value": {"type": "integer"}}}
    payload = {
        **USER,
        "response_format": {"type": "json_schema", "json_schema": {"name": "score", "schema": schema}},
    }
    await _client(pools).invoke(_call(upstream, Operation.CHAT, payload))
    text_format = upstream.requests[0].json()["outputConfig"]["textFormat"]
    assert text_format["type"] == "json_schema"
    assert text_format["structure"]["jsonSchema"]["name"] == "score"
    assert json.loads(text_format["structure"]["jsonSchema"]["schema"]) == schema


async def test_prefill_is_sent_as_a_trailing_assistant_message(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(Reply.json(200, _converse([{"text": " three"}])))
    await _client(pools).invoke(_call(upstream, Operation.CHAT, USER, prefill="one, two,"))
    assert upstream.requests[0].json()["messages"][-1] == {
        "role": "assistant",
        "content": [{"text": "one, two,"}],
    }


async def test_converse_stream_decodes_event_stream_frames(upstream: FakeUpstream, pools: HttpPools) -> None:
    data = b"".join(TEXT_STREAM)
    # Frames arrive split at arbitrary places, as TCP may deliver them.
    upstream.then(_events([data[:7], data[7:60], data[60:61], data[61:]]))
    chunks = await _collect(_client(pools).stream(_call(upstream, Operation.CHAT, USER)))
    [request] = upstream.requests
    assert request.path.endswith("/converse-stream")
    assert request.headers["accept"] == "application/vnd.amazon.eventstream"
    _assert_signed(upstream, request)
    assert "".join(c.text for c in chunks) == "Hello there"
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    usage = chunks[-1].usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (8, 2)


async def test_converse_stream_tool_use(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(
        _events(
            [
                _event("messageStart", {"role": "assistant"}),
                _event(
                    "contentBlockStart",
                    {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "tu1", "name": "lookup"}}},
                ),
                _event(
                    "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": '{"q":'}}}
                ),
                _event(
                    "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": '"x"}'}}}
                ),
                _event("contentBlockStop", {"contentBlockIndex": 0}),
                _event("messageStop", {"stopReason": "tool_use"}),
                _event("metadata", {"usage": {"inputTokens": 3, "outputTokens": 5}}),
            ]
        )
    )
    chunks = await _collect(_client(pools).stream(_call(upstream, Operation.CHAT, USER)))
    calls = [
        c.data["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c.data["choices"] and "tool_calls" in c.data["choices"][0]["delta"]
    ]
    assert calls[0]["id"] == "tu1" and calls[0]["function"]["name"] == "lookup"
    assert "".join(c["function"]["arguments"] for c in calls) == '{"q":"x"}'
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["tool_calls"]


async def test_an_exception_event_mid_stream_is_a_classified_mid_stream_failure(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(
        _events([*TEXT_STREAM[:2], _exception("throttlingException", "Too many tokens, please wait.")])
    )
    received: list[str] = []
    with pytest.raises(UpstreamError) as caught:
        async for chunk in _client(pools).stream(_call(upstream, Operation.CHAT, USER)):
            received.append(chunk.text)
    assert received == ["Hello"]
    assert caught.value.failure.error_class is ErrorClass.RATE_LIMITED
    assert caught.value.failure.before_first_byte is False


async def test_an_exception_before_any_text_is_retryable_as_before_first_byte(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(
        _events([_exception("serviceUnavailableException", "Bedrock is unable to process your request.")])
    )
    with pytest.raises(UpstreamError) as caught:
        await _collect(_client(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.SERVER_ERROR
    assert caught.value.failure.before_first_byte is True


async def test_a_stream_cut_midway_is_a_mid_stream_connection_failure(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(_events([*TEXT_STREAM[:3], TEXT_STREAM[3][:10], Cut()]))
    with pytest.raises(UpstreamError) as caught:
        await _collect(_client(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.CONNECTION
    assert caught.value.failure.before_first_byte is False


async def test_a_corrupted_frame_ends_the_stream_as_a_connection_failure(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    broken = bytearray(TEXT_STREAM[2])
    broken[-6] ^= 0xFF
    upstream.then(_events([*TEXT_STREAM[:2], bytes(broken), *TEXT_STREAM[3:]]))
    with pytest.raises(UpstreamError) as caught:
        await _collect(_client(pools).stream(_call(upstream, Operation.CHAT, USER)))
    assert caught.value.failure.error_class is ErrorClass.CONNECTION
    assert caught.value.failure.before_first_byte is False


def _aws_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply.json(
        status,
        {"message": message},
        {
            "x-amzn-errortype": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
            **(headers or {}),
        },
    )


@pytest.mark.parametrize(
    ("reply", "expected", "retry_after"),
    [
        (
            _aws_error(429, "ThrottlingException", "Too many requests, please wait before trying again."),
            ErrorClass.RATE_LIMITED,
            None,
        ),
        (
            _aws_error(429, "ThrottlingException", "Rate exceeded", {"retry-after": "1"}),
            ErrorClass.RATE_LIMITED,
            1.0,
        ),
        (
            _aws_error(429, "ModelNotReadyException", "Model is not ready to serve inference requests."),
            ErrorClass.RATE_LIMITED,
            None,
        ),
        (_aws_error(500, "InternalServerException", "Internal server error"), ErrorClass.SERVER_ERROR, None),
        (
            _aws_error(503, "ServiceUnavailableException", "Service unavailable"),
            ErrorClass.SERVER_ERROR,
            None,
        ),
        (_aws_error(408, "ModelTimeoutException", "Model timed out"), ErrorClass.TIMEOUT, None),
        (
            _aws_error(
                403,
                "AccessDeniedException",
                "You don't have access to the model with the specified model ID.",
            ),
            ErrorClass.AUTH,
            None,
        ),
        (
            _aws_error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            ),
            ErrorClass.AUTH,
            None,
        ),
        (
            _aws_error(404, "ResourceNotFoundException", "Could not resolve the foundation model."),
            ErrorClass.MODEL_NOT_FOUND,
            None,
        ),
        (
            _aws_error(400, "ValidationException", "Input is too long for requested model."),
            ErrorClass.CONTEXT_LENGTH,
            None,
        ),
        (
            _aws_error(400, "ValidationException", "A conversation must start with a user message."),
            ErrorClass.INVALID_REQUEST,
            None,
        ),
    ],
)
async def test_aws_errors_are_classified(
    upstream: FakeUpstream, pools: HttpPools, reply: Reply, expected: ErrorClass, retry_after: float | None
) -> None:
    upstream.then(reply)
    with pytest.raises(UpstreamError) as caught:
        await _client(pools).invoke(_call(upstream, Operation.CHAT, USER))
    failure = caught.value.failure
    assert (failure.error_class, failure.status, failure.retry_after_s) == (
        expected,
        reply.status,
        retry_after,
    )
    assert SECRET not in failure.message


async def test_guardrail_intervention_is_a_content_filter_finish(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(
        Reply.json(200, _converse([{"text": "Sorry, I can't help with that."}], "guardrail_intervened"))
    )
    response = await _client(pools).invoke(_call(upstream, Operation.CHAT, USER))
    assert response.body["choices"][0]["finish_reason"] == "content_filter"


@pytest.mark.parametrize(
    ("api_key", "auth_config", "fragment"),
    [
        (None, {}, "no AWS credentials"),
        ("not-credentials", {}, "ACCESS_KEY_ID:SECRET_ACCESS_KEY"),
        ('{"aws_access_key_id": "A"}', {}, "aws_secret_access_key"),
    ],
)
async def test_unusable_credentials_fail_over_as_auth_without_calling(
    upstream: FakeUpstream, pools: HttpPools, api_key: str | None, auth_config: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(UpstreamError) as caught:
        await _client(pools).invoke(
            _call(upstream, Operation.CHAT, USER, api_key=api_key, auth_config=auth_config)
        )
    assert caught.value.failure.error_class is ErrorClass.AUTH
    assert fragment in caught.value.failure.message
    assert upstream.requests == []


async def test_titan_embeddings_through_invoke_model(upstream: FakeUpstream, pools: HttpPools) -> None:
    upstream.then(
        Reply.json(200, {"embedding": [0.1, 0.2], "inputTextTokenCount": 3}),
        Reply.json(200, {"embedding": [0.3, 0.4], "inputTextTokenCount": 4}),
    )
    call = _call(
        upstream,
        Operation.EMBEDDINGS,
        {"input": ["a", "b"], "dimensions": 256},
        "amazon.titan-embed-text-v2:0",
    )
    response = await _client(pools).invoke(call)
    assert {r.path for r in upstream.requests} == {"/model/amazon.titan-embed-text-v2%3A0/invoke"}
    assert sorted(r.json()["inputText"] for r in upstream.requests) == ["a", "b"]
    assert all(r.json()["dimensions"] == 256 for r in upstream.requests)
    for request in upstream.requests:
        _assert_signed(upstream, request)
    assert sorted(d["embedding"] for d in response.body["data"]) == [[0.1, 0.2], [0.3, 0.4]]
    assert response.body["usage"]["prompt_tokens"] == 7


async def test_cohere_embeddings_through_invoke_model(upstream: FakeUpstream, pools: HttpPools) -> None:
    answer = {
        "id": "e1",
        "embeddings": [[0.5], [0.6]],
        "response_type": "embeddings_floats",
        "texts": ["a", "b"],
    }
    upstream.then(Reply.json(200, answer, {"x-amzn-bedrock-input-token-count": "2"}))
    call = _call(upstream, Operation.EMBEDDINGS, {"input": ["a", "b"]}, "cohere.embed-english-v3")
    response = await _client(pools).invoke(call)
    assert upstream.requests[0].json() == {"texts": ["a", "b"], "input_type": "search_document"}
    assert [d["embedding"] for d in response.body["data"]] == [[0.5], [0.6]]
    assert response.body["usage"]["prompt_tokens"] == 2


async def test_embeddings_on_a_chat_model_are_unsupported_and_name_the_provider(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    with pytest.raises(Unsupported, match="bedrock"):
        await _client(pools).invoke(_call(upstream, Operation.EMBEDDINGS, {"input": "x"}))
    assert upstream.requests == []


def test_the_client_satisfies_the_provider_port() -> None:
    client: ProviderClient = BedrockClient(HttpPools())
    assert client.supports_prefill is True


async def test_a_continued_stream_does_not_repeat_the_prefill_whitespace(
    upstream: FakeUpstream, pools: HttpPools
) -> None:
    upstream.then(
        _events(
            [
                _event("messageStart", {"role": "assistant"}),
                _event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": " a"}}),
                _event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": " time"}}),
                _event("messageStop", {"stopReason": "end_turn"}),
                _event("metadata", {"usage": {"inputTokens": 9, "outputTokens": 2}}),
            ]
        )
    )
    call = _call(upstream, Operation.CHAT, USER, prefill="Once upon ")
    chunks = await _collect(_client(pools).stream(call))
    assert upstream.requests[0].json()["messages"][-1] == {
        "role": "assistant",
        "content": [{"text": "Once upon"}],
    }
    assert "Once upon " + "".join(c.text for c in chunks) == "Once upon a time"
