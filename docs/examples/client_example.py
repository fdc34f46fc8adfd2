"""Switchboard's Python client end to end: register a model, expose it as an endpoint, call it.

Run it against a server (see docs/client.md):

    SWITCHBOARD_URL=http://127.0.0.1:8080 SWITCHBOARD_API_KEY=sb-... python docs/examples/client_example.py

It uses the built-in `mock` provider, so it needs no provider account, and it can run
twice: it reuses what an earlier run created.
"""

from __future__ import annotations

from apps.client import Endpoint, SwitchboardAPIError, SwitchboardClient

MODEL = "example-mock"
ENDPOINT = "example-chat"


def ensure_endpoint(client: SwitchboardClient) -> Endpoint:
    """Find the example endpoint, or create it (and its model definition) on the first run."""
    for endpoint in client.iter_endpoints(name=ENDPOINT):
        if endpoint["name"] == ENDPOINT:
            return endpoint
    model = next((m for m in client.iter_model_definitions(provider="mock") if m["name"] == MODEL), None)
    if model is None:
        model = client.create_model_definition(
            MODEL, "mock", "echo", provider_settings={"reply": "Hello from Switchboard, you said: {input}"}
        )
    endpoint = client.create_endpoint(
        ENDPOINT,
        [{"model_definition_id": model["model_definition_id"], "weight": 1}],
        tags=[{"key": "owner", "value": "docs"}],
        timeouts={"connect_s": 5, "first_byte_s": 30, "idle_s": 10, "total_s": 60},
    )
    client.set_limits(endpoint["endpoint_id"], [{"renewal_period": "minute", "calls": 600}])
    return endpoint


def main() -> None:
    # SWITCHBOARD_URL (default http://127.0.0.1:8080) and SWITCHBOARD_API_KEY
    with SwitchboardClient.from_env(timeout=30, max_retries=3) as client:
        endpoint = ensure_endpoint(client)
        models = [m["model_definition"]["name"] for m in endpoint["model_mappings"]]
        print(f"endpoint {endpoint['name']} ({endpoint['endpoint_id']}) serves {', '.join(models)}")
        print("limits:", client.get_limits(endpoint["endpoint_id"]))

        answer = client.chat(ENDPOINT, [{"role": "user", "content": "ping"}])
        print("chat:", answer["choices"][0]["message"]["content"])

        pieces = []
        for chunk in client.chat_stream(ENDPOINT, [{"role": "user", "content": "stream please"}]):
            for choice in chunk.get("choices", []):
                pieces.append(choice["delta"].get("content") or "")
        print("stream:", "".join(pieces))

        try:
            client.get_endpoint("no-such-endpoint")
        except SwitchboardAPIError as error:
            print(f"as expected: {error.status} {error.error_code}")


if __name__ == "__main__":
    main()
