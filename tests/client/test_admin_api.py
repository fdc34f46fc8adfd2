"""The Python client against a real server: every admin operation, typed answers, errors."""

from __future__ import annotations

import pytest

from apps.client import SwitchboardAPIError, SwitchboardClient
from tests.client.server import RunningServer


def _model(client: SwitchboardClient, name: str, **extra: object) -> str:
    return client.create_model_definition(name, "mock", "echo", **extra)["model_definition_id"]  # type: ignore[arg-type]


def test_secrets_round_trip_without_ever_returning_the_value(client: SwitchboardClient, unique: str) -> None:
    value = f"sk-client-{unique}-abcdefgh1234"
    created = client.create_secret(f"s-{unique}", value, provider="openai", auth_config={"region": "eu"})
    assert created["masked_value"] == "sk-...1234"
    assert created["auth_config"] == {"region": "eu"}
    ident = created["secret_id"]
    assert client.get_secret(ident)["name"] == f"s-{unique}"
    assert any(s["secret_id"] == ident for s in client.iter_secrets())
    updated = client.update_secret(ident, value=f"sk-rotated-{unique}-zzzz9876", provider=None)
    assert updated["masked_value"] == "sk-...9876"
    assert updated["provider"] is None
    for answer in (created, updated, client.get_secret(ident)):
        assert value not in str(answer)
    client.delete_secret(ident)
    with pytest.raises(SwitchboardAPIError) as gone:
        client.get_secret(ident)
    assert gone.value.status == 404


def test_secret_in_use_is_409_naming_the_model_unless_forced(client: SwitchboardClient, unique: str) -> None:
    secret = client.create_secret(f"s-{unique}", "sk-abcdefghijklmnop")["secret_id"]
    model = client.create_model_definition(f"m-{unique}", "openai", "gpt-4o", secret_id=secret)
    assert model["secret_name"] == f"s-{unique}"
    with pytest.raises(SwitchboardAPIError) as refused:
        client.delete_secret(secret)
    assert refused.value.status == 409
    assert f"m-{unique}" in refused.value.message
    client.delete_secret(secret, force=True)
    orphan = client.get_model_definition(model["model_definition_id"])
    assert orphan["orphaned"] is True
    assert orphan["secret_id"] is None


def test_model_definitions_crud_and_filter(client: SwitchboardClient, unique: str) -> None:
    made = client.create_model_definition(
        f"m-{unique}", f"prov{unique}", "echo", api_base="http://x.test", provider_settings={"t": 1}
    )
    assert made["created_by"] == "test-admin"
    ident = made["model_definition_id"]
    updated = client.update_model_definition(ident, model_name="echo-2", api_base=None)
    assert (updated["model_name"], updated["api_base"]) == ("echo-2", None)
    listed = client.list_model_definitions(provider=f"prov{unique}")
    assert [m["name"] for m in listed.items] == [f"m-{unique}"]
    client.delete_model_definition(ident)
    assert list(client.iter_model_definitions(provider=f"prov{unique}")) == []


def test_endpoints_embed_models_and_bindings_and_paginate(client: SwitchboardClient, unique: str) -> None:
    main, spare = _model(client, f"main-{unique}"), _model(client, f"spare-{unique}")
    created = [
        client.create_endpoint(
            f"ep-{unique}-{i}",
            [
                {"model_definition_id": main, "weight": 2},
                {"model_definition_id": spare, "linkage_type": "FALLBACK", "fallback_order": 1},
            ],
            tags=[{"key": "suite", "value": unique}],
            fallback_config={"max_attempts": 2},
            timeouts={"connect_s": 1, "first_byte_s": 2, "idle_s": 3, "total_s": 4},
        )
        for i in range(5)
    ]
    first = created[0]
    assert first["model_mappings"][0]["model_definition"]["name"] == f"main-{unique}"
    assert first["timeouts"]["total_s"] == 4
    page = client.list_endpoints(tag=f"suite={unique}", max_results=2)
    assert len(page.items) == 2 and page.next_page_token
    every = list(client.iter_endpoints(tag=f"suite={unique}", page_size=2))
    assert sorted(e["name"] for e in every) == sorted(e["name"] for e in created)
    assert [e["name"] for e in client.iter_endpoints(name=f"ep-{unique}-3")] == [f"ep-{unique}-3"]

    binding = client.create_binding(first["endpoint_id"], "application", f"app-{unique}", "the app")
    assert binding["display_name"] == "the app"
    assert client.get_endpoint(first["endpoint_id"])["bindings"][0]["resource_id"] == f"app-{unique}"
    assert client.find_bindings("application", f"app-{unique}")[0]["endpoint_id"] == first["endpoint_id"]
    with pytest.raises(SwitchboardAPIError) as refused:
        client.delete_endpoint(first["endpoint_id"])
    assert refused.value.status == 409 and "the app" in refused.value.message
    client.delete_binding(first["endpoint_id"], "application", f"app-{unique}")
    assert client.list_bindings(first["endpoint_id"]) == []

    renamed = client.update_endpoint(first["endpoint_id"], name=f"renamed-{unique}", tags=[])
    assert (renamed["name"], renamed["tags"]) == (f"renamed-{unique}", [])
    for endpoint in created:
        client.delete_endpoint(endpoint["endpoint_id"], force=True)
    assert list(client.iter_endpoints(tag=f"suite={unique}")) == []


def test_limits_are_replaced_as_a_whole(client: SwitchboardClient, unique: str) -> None:
    endpoint = client.create_endpoint(
        f"lim-{unique}", [{"model_definition_id": _model(client, f"m-{unique}")}]
    )
    ident = endpoint["endpoint_id"]
    stored = client.set_limits(
        ident,
        [{"renewal_period": "minute", "calls": 100}, {"renewal_period": "day", "calls": 5, "key": "user"}],
    )
    assert [(r["renewal_period"], r["key"]) for r in stored] == [("minute", "endpoint"), ("day", "user")]
    assert client.get_limits(ident) == stored
    assert client.set_limits(ident, []) == []


def test_keys_are_shown_once_and_user_keys_cannot_administer(
    client: SwitchboardClient, server: RunningServer, unique: str
) -> None:
    created = client.create_key(f"user-{unique}", "user")
    assert created["key"].startswith("sb-")
    listed = [k for k in client.iter_keys() if k["key_id"] == created["key_id"]]
    assert listed and "key" not in listed[0]
    user = SwitchboardClient(server.url, created["key"])
    with user, pytest.raises(SwitchboardAPIError) as forbidden:
        user.list_endpoints()
    assert forbidden.value.status == 403
    client.revoke_key(created["key_id"])
    revoked = SwitchboardClient(server.url, created["key"])
    with revoked, pytest.raises(SwitchboardAPIError) as unauthenticated:
        revoked.list_endpoints()
    assert unauthenticated.value.status == 401


def test_errors_carry_status_code_and_message(client: SwitchboardClient) -> None:
    with pytest.raises(SwitchboardAPIError) as missing:
        client.get_endpoint("no-such-endpoint")
    assert (missing.value.status, missing.value.error_code) == (404, "RESOURCE_DOES_NOT_EXIST")
    assert "no-such-endpoint" in missing.value.message
    with pytest.raises(SwitchboardAPIError) as invalid:
        client.create_endpoint("bad", [{"model_definition_id": "nope"}])
    assert invalid.value.status == 400
    assert "model_definition_id" in invalid.value.message


def test_health(client: SwitchboardClient) -> None:
    assert client.health() is True
