"""`switchboard endpoints` in local mode: create, list, get, update, delete."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.conftest import Invoke

JsonInvoke = Callable[..., Any]


@pytest.fixture
def two_models(model_id: Callable[[str], str]) -> tuple[str, str]:
    return model_id("main"), model_id("spare")


def test_create_with_weights_fallbacks_tags_and_policies(
    invoke_json: JsonInvoke, two_models: tuple[str, str]
) -> None:
    main, spare = two_models
    endpoint = invoke_json(
        "endpoints",
        "create",
        "--name",
        "chat",
        "--primary",
        f"{main}:3",
        "--fallback",
        spare,
        "--tag",
        "team=search",
        "--max-retries",
        "2",
        "--total-timeout",
        "30",
    )
    mappings = {m["model_definition"]["name"]: m for m in endpoint["model_mappings"]}
    assert mappings["main"]["weight"] == 3.0
    assert mappings["spare"]["linkage_type"] == "FALLBACK"
    assert mappings["spare"]["fallback_order"] == 1
    assert endpoint["fallback_config"] == {"strategy": "SEQUENTIAL", "max_attempts": 2}
    assert endpoint["tags"] == [{"key": "team", "value": "search"}]
    assert endpoint["retry_policy"]["max_retries"] == 2
    assert endpoint["timeouts"]["total_s"] == 30.0
    assert endpoint["timeouts"]["connect_s"] == 10.0


def test_human_output_shows_models_readably(invoke: Invoke, two_models: tuple[str, str]) -> None:
    main, spare = two_models
    out = invoke("endpoints", "create", "--name", "chat", "--primary", main, "--fallback", spare).stdout
    assert "main [mock/m-main] weight 1, spare [mock/m-spare] fallback #1" in out


def test_create_needs_a_primary(invoke: Invoke) -> None:
    assert "--primary" in invoke("endpoints", "create", "--name", "chat", code=2).output


def test_invalid_combination_is_refused_naming_the_field(invoke: Invoke, two_models: tuple[str, str]) -> None:
    main, _ = two_models
    result = invoke("endpoints", "create", "--name", "chat", "--primary", f"{main}:0", code=1)
    assert "weight" in result.output


def test_list_filters_and_shows_who_uses_each(
    invoke: Invoke, invoke_json: JsonInvoke, two_models: tuple[str, str]
) -> None:
    main, spare = two_models
    chat = invoke_json("endpoints", "create", "--name", "chat", "--primary", main, "--tag", "env=prod")
    invoke("endpoints", "create", "--name", "embed", "--primary", spare)
    invoke(
        "bindings",
        "create",
        "--endpoint-id",
        chat["endpoint_id"],
        "--resource-type",
        "application",
        "--resource-id",
        "app-1",
        "--display-name",
        "search-app",
    )
    table = invoke("endpoints", "list").stdout
    assert "search-app" in table
    tagged = invoke_json("endpoints", "list", "--tag", "env=prod")
    assert [e["name"] for e in tagged["endpoints"]] == ["chat"]
    assert tagged["endpoints"][0]["bindings"][0]["display_name"] == "search-app"
    assert [e["name"] for e in invoke_json("endpoints", "list", "--name", "emb")["endpoints"]] == ["embed"]


def test_update_merges_policies_and_tags(invoke_json: JsonInvoke, two_models: tuple[str, str]) -> None:
    main, _ = two_models
    ident = invoke_json("endpoints", "create", "--name", "chat", "--primary", main, "--tag", "a=1")[
        "endpoint_id"
    ]
    updated = invoke_json(
        "endpoints", "update", ident, "--idle-timeout", "5", "--tag", "b=2", "--max-retries", "0"
    )
    assert updated["timeouts"] == {"connect_s": 10.0, "first_byte_s": 60.0, "idle_s": 5.0, "total_s": 600.0}
    assert updated["tags"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]
    assert updated["retry_policy"] == {"max_retries": 0, "max_retry_after_s": 5.0}
    assert invoke_json("endpoints", "update", ident, "--clear-tags")["tags"] == []


def test_update_replaces_mappings_and_renames(invoke_json: JsonInvoke, two_models: tuple[str, str]) -> None:
    main, spare = two_models
    ident = invoke_json("endpoints", "create", "--name", "chat", "--primary", main)["endpoint_id"]
    updated = invoke_json(
        "endpoints", "update", ident, "--name", "chat2", "--primary", spare, "--fallback", main
    )
    assert updated["name"] == "chat2"
    assert [(m["model_definition"]["name"], m["linkage_type"]) for m in updated["model_mappings"]] == [
        ("spare", "PRIMARY"),
        ("main", "FALLBACK"),
    ]
    assert invoke_json("endpoints", "get", ident)["name"] == "chat2"


def test_update_fallbacks_alone_is_a_usage_error(
    invoke: Invoke, invoke_json: JsonInvoke, two_models: tuple[str, str]
) -> None:
    main, spare = two_models
    ident = invoke_json("endpoints", "create", "--name", "chat", "--primary", main)["endpoint_id"]
    assert "--primary" in invoke("endpoints", "update", ident, "--fallback", spare, code=2).output


def test_delete_with_bindings_needs_force(
    invoke: Invoke, invoke_json: JsonInvoke, two_models: tuple[str, str]
) -> None:
    main, _ = two_models
    ident = invoke_json("endpoints", "create", "--name", "chat", "--primary", main)["endpoint_id"]
    invoke(
        "bindings",
        "create",
        "--endpoint-id",
        ident,
        "--resource-type",
        "job",
        "--resource-id",
        "j1",
        "--display-name",
        "nightly",
    )
    refused = invoke("endpoints", "delete", ident, code=1)
    assert "nightly" in refused.output
    invoke("endpoints", "delete", ident, "--force")
    assert json.loads(invoke("endpoints", "list", "--json").stdout)["endpoints"] == []


def test_models_may_be_given_by_name(invoke_json: JsonInvoke, two_models: tuple[str, str]) -> None:
    main, spare = two_models
    endpoint = invoke_json(
        "endpoints", "create", "--name", "chat", "--primary", "main:2", "--fallback", "spare"
    )
    assert [
        (m["model_definition"]["model_definition_id"], m["weight"]) for m in endpoint["model_mappings"]
    ] == [
        (main, 2.0),
        (spare, 1.0),
    ]


def test_an_unknown_model_is_named(invoke: Invoke) -> None:
    result = invoke("endpoints", "create", "--name", "chat", "--primary", "ghost", code=1)
    assert "ghost" in result.output and "model_definition_id" in result.output
