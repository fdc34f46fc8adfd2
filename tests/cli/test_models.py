"""`switchboard models` in local mode: create, list, get, update, delete."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli.conftest import Invoke


def test_create_then_get_shows_the_definition(invoke_json: Callable[..., Any]) -> None:
    made = invoke_json(
        "models",
        "create",
        "--name",
        "gpt",
        "--provider",
        "openai",
        "--model-name",
        "gpt-4o",
        "--api-base",
        "https://example.test/v1",
        "--settings",
        '{"temperature": 0.2}',
    )
    shown = invoke_json("models", "get", made["model_definition_id"])
    assert shown["name"] == "gpt"
    assert shown["model_name"] == "gpt-4o"
    assert shown["api_base"] == "https://example.test/v1"
    assert shown["provider_settings"] == {"temperature": 0.2}


def test_list_is_a_table_by_default_and_the_api_shape_with_json(
    invoke: Invoke, model_id: Callable[[str], str]
) -> None:
    model_id("alpha")
    model_id("beta")
    table = invoke("models", "list").stdout
    assert table.splitlines()[0].split() == [
        "MODEL_DEFINITION_ID",
        "NAME",
        "PROVIDER",
        "MODEL_NAME",
        "SECRET_NAME",
    ]
    assert "alpha" in table and "beta" in table
    listing = json.loads(invoke("models", "list", "--json").stdout)
    assert sorted(m["name"] for m in listing["model_definitions"]) == ["alpha", "beta"]
    assert listing["next_page_token"] is None


def test_list_pages_with_a_token(invoke: Invoke, model_id: Callable[[str], str]) -> None:
    for name in ("a", "b", "c"):
        model_id(name)
    first = json.loads(invoke("models", "list", "--max-results", "2", "--json").stdout)
    assert len(first["model_definitions"]) == 2
    rest = json.loads(
        invoke(
            "models", "list", "--max-results", "2", "--page-token", first["next_page_token"], "--json"
        ).stdout
    )
    # Models made in the same millisecond have no creation order between them: check that the
    # pages cover every model exactly once rather than which one lands on which page.
    pages = [m["name"] for m in first["model_definitions"]] + [m["name"] for m in rest["model_definitions"]]
    assert sorted(pages) == ["a", "b", "c"]
    assert rest["next_page_token"] is None
    assert "--page-token" in invoke("models", "list", "--max-results", "2").stdout


def test_update_changes_only_the_given_fields(
    invoke_json: Callable[..., Any], model_id: Callable[[str], str]
) -> None:
    ident = model_id("gpt")
    updated = invoke_json("models", "update", ident, "--model-name", "gpt-4.1", "--api-base", "http://x.test")
    assert updated["model_name"] == "gpt-4.1"
    assert updated["api_base"] == "http://x.test"
    assert updated["provider"] == "mock"
    cleared = invoke_json("models", "update", ident, "--no-api-base")
    assert cleared["api_base"] is None


def test_update_without_options_is_a_usage_error(invoke: Invoke, model_id: Callable[[str], str]) -> None:
    result = invoke("models", "update", model_id("gpt"), code=2)
    assert "nothing to change" in result.output


def test_delete_in_use_is_refused_naming_the_endpoint_unless_forced(
    invoke: Invoke, model_id: Callable[[str], str]
) -> None:
    main, spare = model_id("main"), model_id("spare")
    invoke("endpoints", "create", "--name", "chat", "--primary", main, "--fallback", spare)
    refused = invoke("models", "delete", spare, code=1)
    assert "endpoint 'chat'" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert "deleted" in invoke("models", "delete", spare, "--force").stdout
    invoke("models", "get", spare, code=1)


def test_unknown_id_is_one_line_and_exit_1(invoke: Invoke) -> None:
    result = invoke("models", "get", "nope", code=1)
    assert result.output.strip() == "Error: model definition 'nope' does not exist"


def test_bad_settings_json_names_the_option(invoke: Invoke) -> None:
    result = invoke(
        "models",
        "create",
        "--name",
        "x",
        "--provider",
        "mock",
        "--model-name",
        "m",
        "--settings",
        "[1]",
        code=2,
    )
    assert "--settings" in result.output


def test_ids_never_look_like_options() -> None:
    from apps.bootstrap import build_in_memory

    ids = build_in_memory().ports.ids
    assert not any(ids.new_id().startswith("-") for _ in range(5000))
